#!/usr/bin/env python3
"""The process structure of HTCondor's `condor_credmon_oauth` around the upstream credmon classes, for credmon-bench.

HTCondor ships `condor_credmon_oauth` as a script in `$(SBIN)` that imports the `credmon` package from `$(LIBEXEC)`;
neither is in the PyPI wheel. The per-token work measured here is upstream's (`credmon.CredentialMonitors`, fetched
into ./upstream by fetch-upstream.sh, see run.sh); this file only repeats the daemon's skeleton as the
credmon contract describes it (shared/reference/htcondor-credmon-contract.md, A.2), with the upstream helpers:

  parent: parse_args, set_subsystem, setup_logging, get_cred_dir, create_credentials (local-issuer key pair),
          SIGHUP -> queue "wake", SIGTERM/SIGINT/SIGQUIT -> queue "quit" and exit, pid file, fork the worker
          (multiprocessing, start method fork), poll once a second for CREDMON_COMPLETE and send DC_SET_READY
          (fails without a condor_master: a warning), join.
  worker: credmon_incomplete, then the credmon list [OAuthCredmon, LocalCredmon per LOCAL_CREDMON_PROVIDER_NAMES]
          (no Vault or Client providers are configured), then forever: scan_tokens() of each, credmon_complete,
          wait up to 60 s on the queue.

The one addition: after each pass the worker appends `pass=<n> ms=<duration of the scans and the marker>` to
$CREDMON_BENCH_PASS_LOG (when set), the counterpart of Credmon's logged pass duration.
"""
import inspect
import multiprocessing
import os
import queue
import re
import signal
import sys
import time
from functools import partial

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "shim"))
sys.path.insert(0, os.environ.get("PYCREDMON_SRC", os.path.join(HERE, "upstream")))

import htcondor2 as htcondor  # noqa: E402
from credmon.CredentialMonitors.LocalCredmon import LocalCredmon  # noqa: E402
from credmon.CredentialMonitors.OAuthCredmon import OAuthCredmon  # noqa: E402
from credmon.utils import (  # noqa: E402
    create_credentials, credmon_complete, credmon_incomplete, drop_pid, get_cred_dir, parse_args, setup_logging,
)


def signal_handler(logger, send_queue, signum, frame):
    if signum == signal.SIGHUP:
        logger.info("Got SIGHUP: Triggering READ of Credential Directory")
        send_queue.put(False, block=False)
        return
    send_queue.put(True, block=False)
    logger.info("Got signal {0} terminating.".format(signum))
    sys.exit(0)


def worker(q, cred_dir, args):
    credmon_incomplete(cred_dir)
    logger = setup_logging(**vars(args))
    split = re.compile(r"[\s,]+").split
    local_names = [name for name in split(htcondor.param.get("LOCAL_CREDMON_PROVIDER_NAMES", "")) if name]
    if not local_names:
        local_names = [htcondor.param.get("LOCAL_CREDMON_PROVIDER_NAME", "scitokens")]
    oauth2_providers = split(htcondor.param.get("OAUTH2_CREDMON_PROVIDER_NAMES", ""))
    # OAuthCredmon takes the provider list as a keyword in the upstream files of upstream.sha256, positionally in
    # others: call it the way the installed class declares.
    if list(inspect.signature(OAuthCredmon.__init__).parameters)[1:2] == ["providers"]:
        oauth = OAuthCredmon(oauth2_providers, cred_dir, args)
    else:
        oauth = OAuthCredmon(cred_dir, args, providers=oauth2_providers)
    credmons = [oauth] + [LocalCredmon(name, cred_dir, args) for name in local_names]
    pass_log = os.environ.get("CREDMON_BENCH_PASS_LOG")
    passes = 0
    while True:
        started = time.perf_counter()
        for credmon in credmons:
            try:
                credmon.scan_tokens()
            except Exception:
                logger.exception("Fatal error while scanning for tokens")
        credmon_complete(cred_dir)
        passes += 1
        if pass_log:
            with open(pass_log, "a") as f:
                f.write("pass={0} ms={1:.1f}\n".format(passes, (time.perf_counter() - started) * 1000))
        logger.info("Sleeping for 60 seconds")
        try:
            if q.get(block=True, timeout=60):
                return
        except queue.Empty:
            pass


def main():
    multiprocessing.set_start_method("fork")
    args = parse_args()
    htcondor.set_subsystem(args.daemon_name, htcondor.SubsystemType.Daemon)
    logger = setup_logging(**vars(args))
    cred_dir = get_cred_dir(cred_dir=args.cred_dir)
    logger.info("Starting condor_credmon and registering signals")
    create_credentials(args)
    send_queue = multiprocessing.Queue()
    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        signal.signal(signum, partial(signal_handler, logger, send_queue))
    drop_pid(cred_dir)
    child = multiprocessing.Process(target=worker, args=(send_queue, cred_dir, args))
    child.start()
    for _ in range(20 * 60):
        if os.path.exists(os.path.join(cred_dir, "CREDMON_COMPLETE")):
            try:
                htcondor.set_ready_state("Ready")
            except Exception:
                logger.warning("Could not send DC_SET_READY message to master")
            break
        time.sleep(1)
    child.join()


if __name__ == "__main__":
    main()
