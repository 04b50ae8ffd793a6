#!/usr/bin/env bash
# HTCondor's Python credmon (condor_credmon_oauth, local issuer mode) beside Credmon in credmon-bench.
#
# What runs: credmon_driver.py, the daemon's skeleton (parent + forked worker, SIGHUP rescan, CREDMON_COMPLETE)
# around HTCondor's own `credmon` Python package (OAuthCredmon + LocalCredmon), with CONDOR_CONFIG pointing at a
# config file credmon-bench writes per run (LOG, SEC_CREDENTIAL_DIRECTORY_OAUTH, LOCAL_CREDMON_* : same issuer,
# audience, lifetime 1200 s as Credmon's fragment; PythonCredmon.swift). shim/htcondor.py maps `import htcondor` to
# the wheel's `htcondor2`.
#
# Setup, once per machine (HTCondor itself is not needed; the PyPI wheel's param reader reads CONDOR_CONFIG):
#   pip install --break-system-packages htcondor==25.14.1 scitokens six cryptography
#   (python3 as found first in PATH; credmon-bench runs `python3`)
# and HTCondor's credmon package in Benchmarks/python-credmon/upstream/credmon/ (not committed: it is HTCondor's
# code, Apache-2.0). Neither PyPI nor Debian ships it (scitokens-credmon is not on PyPI; the htcondor wheel holds
# only the bindings); it is the directory src/condor_credd/condor_credmon_oauth/credmon/ of HTCondor's source
# (github.com/htcondor/htcondor). The files measured in Benchmarks/results are listed with their SHA-256 in
# upstream.sha256 and came from these upstream versions (blob ids as found in the source index):
#   credmon/__init__.py                                  191c842
#   credmon/CredentialMonitors/__init__.py               135ca7a
#   credmon/CredentialMonitors/AbstractCredentialMonitor.py  30419f2
#   credmon/CredentialMonitors/OAuthCredmon.py           921edd7
#   credmon/CredentialMonitors/LocalCredmon.py           the 25.x version with TokenInfo / get_credmon_config
#   credmon/utils/__init__.py                            229eb6a
#   credmon/utils/utils.py                               135ca7a (htcondor2, HTCondorLogger)
#   credmon/utils/api_endpoints.py                       368b9f6
# Another version of the package (or PYCREDMON_SRC=<dir holding credmon/>) runs as well; `run.sh --check` says
# whether the files are the ones measured.
#
# Usage (from the repository root, after `swift build -c release --product credmon --product credmon-bench`):
#   Benchmarks/python-credmon/run.sh --check                 check the Python side only (a 200-user pass)
#   Benchmarks/python-credmon/run.sh [credmon-bench options]  credmon-bench --python with those options, e.g.
#   Benchmarks/python-credmon/run.sh --users 1000,10000 --dir /dev/shm --json /tmp/bench.json
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
src="${PYCREDMON_SRC:-$here/upstream}"

python3 - <<'PY' || { echo "missing Python modules: pip install --break-system-packages htcondor==25.14.1 scitokens six cryptography" >&2; exit 1; }
import htcondor2, scitokens, six, cryptography  # noqa: F401
PY
if [ ! -f "$src/credmon/CredentialMonitors/LocalCredmon.py" ]; then
    echo "no HTCondor credmon package in $src/credmon (see the header of $0)" >&2
    exit 1
fi
if [ "$src" = "$here/upstream" ] && ! (cd "$src" && sha256sum --quiet -c "$here/upstream.sha256"); then
    echo "warning: $src/credmon differs from the files measured in Benchmarks/results (upstream.sha256)" >&2
fi

if [ "${1:-}" = "--check" ]; then
    root="$(mktemp -d /dev/shm/pycredmon-check.XXXXXX)"
    trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$root"' EXIT
    mkdir -p "$root/cred" "$root/keys" "$root/log"
    chmod 2770 "$root/cred"
    for i in $(seq 0 199); do mkdir "$root/cred/user$i"; printf 'user%s@foo' "$i" > "$root/cred/user$i/scitokens.top"; done
    cat > "$root/condor_config" <<CFG
LOG = $root/log
SEC_CREDENTIAL_DIRECTORY_OAUTH = $root/cred
LOCAL_CREDMON_PROVIDER_NAMES = scitokens
LOCAL_CREDMON_PRIVATE_KEY = $root/keys/scitokens-private.pem
LOCAL_CREDMON_PUBLIC_KEY = $root/keys/scitokens.pem
LOCAL_CREDMON_KEY_ID = local
LOCAL_CREDMON_ISSUER = https://bench.example.org
LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
LOCAL_CREDMON_TOKEN_LIFETIME = 1200
CFG
    CONDOR_CONFIG="$root/condor_config" python3 -c 'import htcondor2; assert htcondor2.param["SEC_CREDENTIAL_DIRECTORY_OAUTH"].endswith("/cred"), "CONDOR_CONFIG not read"'
    CONDOR_CONFIG="$root/condor_config" CREDMON_BENCH_PASS_LOG="$root/passes" PYCREDMON_SRC="$src" \
        python3 "$here/credmon_driver.py" -c "$root/cred" -l "$root/log/CredMonOAuthLog" > "$root/stdout" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do [ -e "$root/cred/CREDMON_COMPLETE" ] && break; sleep 0.1; done
    written=$(ls "$root"/cred/user*/scitokens.use 2>/dev/null | wc -l)
    echo "Python credmon: $written of 200 .use written; $(cat "$root/passes" 2>/dev/null)"
    python3 - "$root/cred/user7/scitokens.use" <<'PY'
import json, sys, base64
token = json.load(open(sys.argv[1]))["access_token"]
payload = token.split(".")[1]
print("claims of user7's token:", json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
PY
    [ "$written" = 200 ]
    exit
fi

exec "$repo/.build/release/credmon-bench" --python --python-driver "$here/credmon_driver.py" "$@"
