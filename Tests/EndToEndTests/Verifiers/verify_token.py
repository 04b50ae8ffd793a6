#!/usr/bin/env python3
"""Check a SciToken / WLCG JWT with the two verifiers used in the field.

  * python-scitokens (PyPI ``scitokens`` 1.9.x, on PyJWT + cryptography)
  * scitokens-cpp (Debian ``scitokens-cpp`` 0.7.3: ``scitokens-verify`` and
    ``scitokens-test-access``)

Both libraries normally fetch the issuer's keys over HTTPS
(``<iss>/.well-known/openid-configuration`` -> ``jwks_uri``).  This helper
instead pre-loads the JWKS given with ``--jwks-file`` into each library's key
cache, in a fresh temporary ``XDG_CACHE_HOME``, so everything works offline.

Usage::

    verify_token.py --token-file FILE --jwks-file JWKS.json \\
        --issuer https://credmon.test --audience https://storage.example.org \\
        --allow read:/user/alice/x --deny read:/user/bob/x [--offline-only]
    verify_token.py --self-test

Output: exactly one JSON object on stdout::

    {"claims": {...}, "header": {...},
     "checks": [{"verifier": "python-scitokens"|"scitokens-cpp",
                 "check": "...", "ok": true|false, "detail": "..."}],
     "ok": <all checks ok>}

Exit status: 0 all checks ok, 1 a check failed, 2 usage error or missing
tool (nothing on stdout then; the reason is on stderr).

Install the verifiers with::

    apt-get install -y scitokens-cpp libscitokens-dev sqlite3
    pip install scitokens

See README.md next to this file for the quirks of each verifier.
"""

import argparse
import base64
import contextlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2

PY = "python-scitokens"
CPP = "scitokens-cpp"

# The exact DDL scitokens-cpp 0.7.3 runs ("CREATE TABLE IF NOT EXISTS ..."),
# as stored in sqlite_master.  Cache file: $XDG_CACHE_HOME/scitokens/
# scitokens_cpp.sqllite (sic).  XDG_CACHE_HOME (then the passwd home's
# .cache) is the only location setting 0.7.3 reads.
CPP_CACHE_SUBDIR = "scitokens"
CPP_CACHE_FILE = "scitokens_cpp.sqllite"
CPP_CACHE_DDL = ("CREATE TABLE keycache ("
                 "issuer text UNIQUE PRIMARY KEY NOT NULL,"
                 "keys text NOT NULL)")
KEY_CACHE_LIFETIME = 3600
SUBPROCESS_TIMEOUT = 60

WLCG_ANY_AUD = "https://wlcg.cern.ch/jwt/v1/any"

PIP_HINT = "pip install scitokens"
APT_HINT = "apt-get install -y scitokens-cpp"


class UsageError(Exception):
    """Bad arguments or unusable input: exit 2."""


def eprint(*args):
    print(*args, file=sys.stderr)


# --------------------------------------------------------------------------
# Input parsing
# --------------------------------------------------------------------------

def b64url_decode(text):
    if not isinstance(text, str):
        raise ValueError("base64url value is not a string")
    if "=" in text:
        eprint("warning: JWK/JWT value %r... is padded base64url (RFC 7515 "
               "wants it unpadded)" % text[:16])
        text = text.rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_token(path):
    """Return the JWT from a bare token file or an HTCondor .use JSON file."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            raw = handle.read()
    except OSError as exc:
        raise UsageError("cannot read --token-file %s: %s" % (path, exc))
    text = raw.strip()
    if not text:
        raise UsageError("--token-file %s is empty" % path)
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise UsageError("--token-file %s looks like JSON but does not "
                             "parse: %s" % (path, exc))
        token = doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token.strip():
            raise UsageError("--token-file %s is JSON without a string "
                             "'access_token' (HTCondor .use format)" % path)
        return token.strip()
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    return text


def decode_segment(segment):
    try:
        value = json.loads(b64url_decode(segment).decode("utf-8"))
        return value if isinstance(value, dict) else None
    except Exception:  # noqa: BLE001 - any failure means "undecodable"
        return None


def load_jwks(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            doc = json.load(handle)
    except OSError as exc:
        raise UsageError("cannot read --jwks-file %s: %s" % (path, exc))
    except ValueError as exc:
        raise UsageError("--jwks-file %s is not JSON: %s" % (path, exc))
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
        raise UsageError("--jwks-file %s is not a JWKS ({\"keys\": [...]})"
                         % path)
    for index, jwk in enumerate(doc["keys"]):
        if not isinstance(jwk, dict):
            raise UsageError("--jwks-file: keys[%d] is not an object" % index)
        for field in ("kid", "alg", "use"):
            if field not in jwk:
                eprint("warning: JWKS keys[%d] has no %r" % (index, field))
    return doc


def jwk_to_public_key(jwk):
    """Convert one JWK (EC crv/x/y or RSA n/e) to a cryptography public key."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    kty = jwk.get("kty")
    if kty == "EC":
        curves = {"P-256": (ec.SECP256R1, 32), "P-384": (ec.SECP384R1, 48),
                  "P-521": (ec.SECP521R1, 66)}
        crv = jwk.get("crv")
        if crv not in curves:
            raise ValueError("unsupported EC curve %r" % crv)
        curve, size = curves[crv]
        x_bytes, y_bytes = b64url_decode(jwk.get("x")), b64url_decode(jwk.get("y"))
        if len(x_bytes) != size or len(y_bytes) != size:
            raise ValueError("EC coordinates must be exactly %d bytes for %s "
                             "(got x=%d, y=%d)" % (size, crv, len(x_bytes),
                                                   len(y_bytes)))
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x_bytes, "big"), int.from_bytes(y_bytes, "big"),
            curve())
        return numbers.public_key()
    if kty == "RSA":
        n_int = int.from_bytes(b64url_decode(jwk.get("n")), "big")
        e_int = int.from_bytes(b64url_decode(jwk.get("e")), "big")
        return rsa.RSAPublicNumbers(e_int, n_int).public_key()
    raise ValueError("unsupported kty %r" % kty)


def public_key_pem(public_key):
    from cryptography.hazmat.primitives import serialization
    return public_key.public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)


def parse_acl(text, option):
    authz, sep, path = text.partition(":")
    if not sep or not authz or not path.startswith("/"):
        raise UsageError("%s %r must be AUTHZ:/ABSOLUTE/PATH, e.g. "
                         "read:/user/alice/x" % (option, text))
    return authz, path


def select_jwk(jwks, kid):
    """The JWK for the token's kid (or the only key when there is no kid)."""
    keys = jwks["keys"]
    if kid is None:
        if len(keys) == 1:
            return keys[0], None
        return None, ("token header has no kid and the JWKS holds %d keys"
                      % len(keys))
    for jwk in keys:
        if jwk.get("kid") == kid:
            return jwk, None
    return None, ("no key with kid %r in the JWKS (kids: %s)"
                  % (kid, ", ".join(repr(k.get("kid")) for k in keys)))


def short(text, limit=600):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------------
# Network blocking (--offline-only)
# --------------------------------------------------------------------------

class NetworkBlock:
    """A loopback TCP port that refuses connections (bound, never listening).

    scitokens-cpp fetches keys with libcurl, which honours the *_proxy
    variables: pointing them here makes any fetch fail at once with
    "Couldn't connect to server" instead of touching the network.
    """

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]

    def env(self):
        return {name: self.url for name in (
            "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy",
            "ALL_PROXY")}

    def close(self):
        self.sock.close()


# --------------------------------------------------------------------------
# python-scitokens
# --------------------------------------------------------------------------

def python_checks(token, header, jwks, issuer, audience, allows, denies,
                  offline_only, accept_claims):
    import urllib.error

    import scitokens
    from scitokens.utils import keycache as keycache_module

    checks = []

    def add(check, ok, detail):
        checks.append({"verifier": PY, "check": check, "ok": bool(ok),
                       "detail": detail})

    # Watch (and with --offline-only refuse) every key download the library
    # attempts: it would go to <iss>/.well-known/openid-configuration.
    attempts = []
    real_urlopen = keycache_module.request.urlopen

    def watched_urlopen(req, *args, **kwargs):
        url = getattr(req, "full_url", req)
        attempts.append(url)
        if offline_only:
            raise urllib.error.URLError(
                "network access blocked by --offline-only: %s" % url)
        return real_urlopen(req, *args, **kwargs)

    keycache_module.request.urlopen = watched_urlopen

    def network_note():
        if not attempts:
            return ""
        return "; key fetch attempted: %s%s" % (
            ", ".join(attempts), " (blocked)" if offline_only else "")

    kid = header.get("kid") if header else None
    version = getattr(scitokens, "__version__", "?")

    # 1. deserialize with the PEM of the JWK that matches the token's kid.
    token_obj = None
    if header is None:
        jwk, why = None, "token header is not decodable JSON"
    else:
        jwk, why = select_jwk(jwks, kid)
    name = "deserialize public_key kid=%s" % kid
    if jwk is None:
        add(name, False, why)
    else:
        try:
            pem = public_key_pem(jwk_to_public_key(jwk))
        except Exception as exc:  # noqa: BLE001
            add(name, False, "cannot convert JWK kid=%r to a public key: %s"
                % (jwk.get("kid"), exc))
        else:
            try:
                token_obj = scitokens.SciToken.deserialize(token, public_key=pem)
                add(name, True, "scitokens %s: signature, exp, nbf, iat ok "
                    "(alg %s)" % (version, header.get("alg")))
            except Exception as exc:  # noqa: BLE001
                add(name, False, "%s: %s" % (type(exc).__name__, short(exc)))

    # 2. deserialize through the KeyCache (kid lookup path), keys loaded
    #    under --issuer.
    cache = keycache_module.KeyCache.getinstance()
    loaded, skipped = [], []
    for key in jwks["keys"]:
        try:
            cache.addkeyinfo(issuer, key.get("kid"), jwk_to_public_key(key),
                             cache_timer=KEY_CACHE_LIFETIME)
            loaded.append(key.get("kid"))
        except Exception as exc:  # noqa: BLE001
            skipped.append("%r: %s" % (key.get("kid"), exc))
    name = "deserialize keycache kid=%s" % kid
    before = len(attempts)
    keycache_obj = None
    try:
        keycache_obj = scitokens.SciToken.deserialize(token)
        detail = ("kid lookup in KeyCache %s (issuer %s, kids loaded: %s)"
                  % (cache.cache_location, issuer, loaded))
        ok = True
    except Exception as exc:  # noqa: BLE001
        detail = "%s: %s" % (type(exc).__name__, short(exc) or "no key")
        ok = False
    if skipped:
        detail += "; JWKS keys not loadable: " + "; ".join(skipped)
    if len(attempts) > before:
        detail += network_note()
    add(name, ok, detail)
    if token_obj is None:
        token_obj = keycache_obj

    # 3. Enforcer: every --allow must be granted, every --deny refused.
    enforcer = scitokens.Enforcer(issuer, audience=audience)
    for claim in accept_claims:
        enforcer.add_validator(claim, lambda value: True)
    for kind, items in (("allow", allows), ("deny", denies)):
        for authz, path in items:
            name = "enforcer %s %s:%s" % (kind, authz, path)
            if token_obj is None:
                add(name, kind == "deny",
                    "no access: the token did not deserialize")
                continue
            try:
                granted = enforcer.test(token_obj, authz, path)
                reason = enforcer.last_failure
            except Exception as exc:  # noqa: BLE001
                granted, reason = False, "%s: %s" % (type(exc).__name__, exc)
            verdict = "granted" if granted else "refused"
            detail = "Enforcer(%r, audience=%r).test(%r, %r) -> %s" % (
                issuer, audience, authz, path, verdict)
            if reason:
                detail += ": " + short(reason)
            add(name, granted == (kind == "allow"), detail)

    keycache_module.request.urlopen = real_urlopen
    return checks


# --------------------------------------------------------------------------
# scitokens-cpp
# --------------------------------------------------------------------------

def write_cpp_keycache(cache_home, issuer, jwks, now=None):
    """Pre-load the JWKS in scitokens-cpp's key cache; return the file path."""
    now = int(time.time()) if now is None else int(now)
    directory = os.path.join(cache_home, CPP_CACHE_SUBDIR)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    path = os.path.join(directory, CPP_CACHE_FILE)
    entry = {"jwks": jwks, "expires": now + KEY_CACHE_LIFETIME,
             "next_update": now + KEY_CACHE_LIFETIME}
    conn = sqlite3.connect(path)
    try:
        conn.execute(CPP_CACHE_DDL.replace("CREATE TABLE",
                                           "CREATE TABLE IF NOT EXISTS", 1))
        conn.execute("DELETE FROM keycache WHERE issuer = ?", (issuer,))
        conn.execute("INSERT INTO keycache VALUES (?, ?)",
                     (issuer, json.dumps(entry, separators=(",", ":"))))
        conn.commit()
    finally:
        conn.close()
    return path


def cpp_env(cache_home, block):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SCITOKEN_CONFIG_")
           and k.lower() not in ("no_proxy",)}
    env["XDG_CACHE_HOME"] = cache_home
    if block is not None:
        env.update(block.env())
    return env


def run_tool(argv, env):
    try:
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              timeout=SUBPROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % SUBPROCESS_TIMEOUT
    output = " | ".join(line.strip() for line in
                        (proc.stdout + proc.stderr).splitlines() if line.strip())
    return proc.returncode, output


def cpp_checks(token, jwks, issuer, audience, allows, denies, cache_home,
               block):
    checks = []

    def add(check, ok, detail):
        checks.append({"verifier": CPP, "check": check, "ok": bool(ok),
                       "detail": detail})

    write_cpp_keycache(cache_home, issuer, jwks)
    env = cpp_env(cache_home, block)

    code, output = run_tool(["scitokens-verify", token], env)
    add("scitokens-verify", code == 0,
        "exit %s: %s" % (code, short(output)))

    for kind, items in (("allow", allows), ("deny", denies)):
        for authz, path in items:
            code, output = run_tool(["scitokens-test-access", token, issuer,
                                     audience, authz, path], env)
            granted = code == 0
            detail = "scitokens-test-access TOKEN %s %s %s %s -> exit %s: %s" % (
                issuer, audience, authz, path, code, short(output))
            add("scitokens-test-access %s %s:%s" % (kind, authz, path),
                granted == (kind == "allow"), detail)
    return checks


# --------------------------------------------------------------------------
# Main check run
# --------------------------------------------------------------------------

def require_tools():
    missing = []
    try:
        import cryptography  # noqa: F401
        import jwt  # noqa: F401
        import scitokens  # noqa: F401
        from scitokens.utils import keycache  # noqa: F401
    except ImportError as exc:
        missing.append("python module missing (%s): %s" % (exc, PIP_HINT))
    for tool in ("scitokens-verify", "scitokens-test-access"):
        if shutil.which(tool) is None:
            missing.append("%s not on PATH: %s" % (tool, APT_HINT))
    if missing:
        raise UsageError("; ".join(missing))


def verify(args):
    if not (args.token_file and args.jwks_file and args.issuer
            and args.audience):
        raise UsageError("--token-file, --jwks-file, --issuer and --audience "
                         "are required (or use --self-test)")
    allows = [parse_acl(a, "--allow") for a in args.allow]
    denies = [parse_acl(d, "--deny") for d in args.deny]
    token = load_token(args.token_file)
    jwks = load_jwks(args.jwks_file)
    require_tools()

    parts = token.split(".")
    header = decode_segment(parts[0]) if len(parts) == 3 else None
    claims = decode_segment(parts[1]) if len(parts) == 3 else None
    if header is None or claims is None:
        eprint("warning: token is not a decodable compact JWS "
               "(header.payload.signature)")

    block = NetworkBlock() if args.offline_only else None
    py_cache = tempfile.mkdtemp(prefix="verify-token-py-")
    cpp_cache = tempfile.mkdtemp(prefix="verify-token-cpp-")
    # python-scitokens' KeyCache opens SQLite under XDG_CACHE_HOME even when
    # given a public key: point it at a fresh directory before first use.
    os.environ["XDG_CACHE_HOME"] = py_cache
    checks = []
    try:
        with contextlib.redirect_stdout(sys.stderr):
            checks += python_checks(token, header, jwks, args.issuer,
                                    args.audience, allows, denies,
                                    args.offline_only, args.python_accept_claim)
            checks += cpp_checks(token, jwks, args.issuer, args.audience,
                                 allows, denies, cpp_cache, block)
    finally:
        if block is not None:
            block.close()
        if args.keep_caches:
            eprint("caches kept: python %s, scitokens-cpp %s"
                   % (py_cache, cpp_cache))
        else:
            shutil.rmtree(py_cache, ignore_errors=True)
            shutil.rmtree(cpp_cache, ignore_errors=True)

    result = {"claims": claims or {}, "header": header or {}, "checks": checks,
              "ok": all(c["ok"] for c in checks)}
    return result


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------

ISS = "https://credmon.test"
AUD = "https://storage.example.org"
ALICE_SCOPE = "read:/user/alice write:/user/alice"
BOB_SCOPE = "read:/user/bob write:/user/bob"
ALLOW = ["read:/user/alice/x", "write:/user/alice/y"]
DENY = ["read:/user/bob/x", "write:/user/bob/y", "read:/user"]


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_keys(workdir):
    """EC P-256 and RSA 2048 keys, their JWKS, and an unrelated EC key."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = ec.generate_private_key(ec.SECP256R1())
    ec_nums = ec_key.public_key().public_numbers()
    rsa_nums = rsa_key.public_key().public_numbers()
    jwks = {"keys": [
        {"kty": "EC", "crv": "P-256", "x": _b64(ec_nums.x.to_bytes(32, "big")),
         "y": _b64(ec_nums.y.to_bytes(32, "big")), "kid": "test-ec",
         "alg": "ES256", "use": "sig"},
        {"kty": "RSA",
         "n": _b64(rsa_nums.n.to_bytes((rsa_nums.n.bit_length() + 7) // 8,
                                       "big")),
         "e": _b64(rsa_nums.e.to_bytes((rsa_nums.e.bit_length() + 7) // 8,
                                       "big")),
         "kid": "test-rsa", "alg": "RS256", "use": "sig"},
    ]}
    path = os.path.join(workdir, "jwks.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(jwks, handle)
    return {"ec": ec_key, "rsa": rsa_key, "other": other_key}, path


def make_token(keys, workdir, name, key="ec", kid=None, profile="scitoken2",
               sub="alice", scope=ALICE_SCOPE, exp_in=1200, nbf_in=0,
               iat_in=0, use_format=False):
    import jwt

    now = int(time.time())
    claims = {"sub": sub, "scope": scope, "iss": ISS, "iat": now + iat_in,
              "nbf": now + nbf_in, "exp": now + exp_in,
              "jti": str(uuid.uuid4())}
    if profile == "scitoken2":
        claims.update({"ver": "scitoken:2.0", "aud": [AUD]})
    elif profile == "wlcg":
        claims.update({"wlcg.ver": "1.0", "aud": [WLCG_ANY_AUD]})
    elif profile == "scitoken1-nover":
        claims.update({"aud": [AUD]})
    elif profile.startswith("ver="):
        claims.update({"ver": profile[4:], "aud": [AUD]})
    else:
        raise ValueError(profile)
    alg = "RS256" if key == "rsa" else "ES256"
    if kid is None:
        kid = "test-rsa" if key == "rsa" else "test-ec"
    token = jwt.encode(claims, keys[key], algorithm=alg,
                       headers={"kid": kid, "typ": "JWT"})
    path = os.path.join(workdir, name + (".use" if use_format else ".jwt"))
    with open(path, "w", encoding="utf-8") as handle:
        if use_format:
            json.dump({"access_token": token, "expires_in": exp_in}, handle)
        else:
            handle.write(token + "\n")
    return path


def _kind(check):
    name = check["check"]
    if name.startswith("deserialize") or name == "scitokens-verify":
        return "token"
    return name.split()[1]  # "allow" / "deny"


def _summary(result):
    """{(verifier, kind): [ok, ...]} for a verify_token.py result."""
    table = {}
    for check in result["checks"]:
        table.setdefault((check["verifier"], _kind(check)), []).append(
            check["ok"])
    return table


def _expect(py_token, py_allow, py_deny, cpp_token, cpp_allow, cpp_deny):
    return {(PY, "token"): py_token, (PY, "allow"): py_allow,
            (PY, "deny"): py_deny, (CPP, "token"): cpp_token,
            (CPP, "allow"): cpp_allow, (CPP, "deny"): cpp_deny}


ALL_OK = _expect(True, True, True, True, True, True)
REJECTED = _expect(False, False, True, False, False, True)


def cpp_created_schema(workdir):
    """Let scitokens-cpp create its cache itself; return the table's DDL."""
    cache_home = os.path.join(workdir, "cpp-schema-probe")
    os.makedirs(cache_home)
    block = NetworkBlock()
    try:
        # Any token with an iss makes it open (and create) the key cache,
        # then try to fetch keys: the fetch hits the refusing proxy.
        header = _b64(b'{"alg":"ES256","kid":"probe","typ":"JWT"}')
        payload = _b64(json.dumps({"iss": ISS, "iat": 1, "nbf": 1,
                                   "exp": 2}).encode())
        run_tool(["scitokens-verify", "%s.%s.%s" % (header, payload,
                                                     _b64(b"sig"))],
                 cpp_env(cache_home, block))
    finally:
        block.close()
    path = os.path.join(cache_home, CPP_CACHE_SUBDIR, CPP_CACHE_FILE)
    if not os.path.exists(path):
        return None
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT sql FROM sqlite_master WHERE type='table' "
                           "AND name='keycache'").fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def self_test():
    try:
        require_tools()
    except UsageError as exc:
        eprint("verify_token.py: %s" % exc)
        return EXIT_USAGE

    import jwt
    import scitokens

    script = os.path.abspath(__file__)
    passed = failed = 0
    print("verify_token.py self-test: scitokens %s, PyJWT %s, %s"
          % (getattr(scitokens, "__version__", "?"), jwt.__version__,
             _cpp_version()))
    with tempfile.TemporaryDirectory(prefix="verify-token-selftest-") as work:
        keys, jwks_path = make_keys(work)
        tok = lambda name, **kw: make_token(keys, work, name, **kw)  # noqa
        good = tok("good-es256")
        cases = [
            # (name, token file, extra args, expected exit, expected table)
            ("good ES256 scitoken:2.0", good, [], 0, ALL_OK),
            ("good ES256, default mode (no --offline-only)", good,
             ["--no-offline"], 0, ALL_OK),
            ("good RS256 scitoken:2.0", tok("good-rs256", key="rsa"), [], 0,
             ALL_OK),
            ("good ES256 in HTCondor .use JSON",
             tok("good-use", use_format=True), [], 0, ALL_OK),
            ("scitoken 1.0 without 'ver' (RS256)",
             tok("sci1-nover", key="rsa", profile="scitoken1-nover"), [], 0,
             ALL_OK),
            ("ver scitoken:1.0: both refuse (python: ver not understood, "
             "cpp: unknown profile)",
             tok("ver-scitoken1", profile="ver=scitoken:1.0"), [], 1,
             _expect(True, False, True, False, False, True)),
            ("ver scitokens:1.0: cpp accepts, python Enforcer refuses",
             tok("ver-scitokens1", profile="ver=scitokens:1.0"), [], 1,
             _expect(True, False, True, True, True, True)),
            ("WLCG aud any vs --audience storage: cpp accepts any, python "
             "Enforcer refuses wlcg.ver",
             tok("wlcg-es256", profile="wlcg"), [], 1,
             _expect(True, False, True, True, True, True)),
            ("WLCG + --python-accept-claim wlcg.ver: python still refuses "
             "the 'any' audience",
             tok("wlcg-es256b", profile="wlcg"),
             ["--python-accept-claim", "wlcg.ver"], 1,
             _expect(True, False, True, True, True, True)),
            ("WLCG RS256, --audience <any URI> + --python-accept-claim "
             "wlcg.ver: all pass",
             tok("wlcg-rs256", key="rsa", profile="wlcg"),
             ["--audience", WLCG_ANY_AUD, "--python-accept-claim",
              "wlcg.ver"], 0, ALL_OK),
            ("signed by a different key (same kid)",
             tok("wrong-key", key="other"), [], 1, REJECTED),
            ("expired", tok("expired", exp_in=-60, nbf_in=-1260,
                            iat_in=-1260), [], 1, REJECTED),
            ("not yet valid (nbf in 10 min)",
             tok("nbf-future", nbf_in=600), [], 1, REJECTED),
            ("token for bob: deny checks catch it",
             tok("bob", sub="bob", scope=BOB_SCOPE),
             ["--replace-acls", "--allow", ALLOW[0], "--allow", ALLOW[1],
              "--deny", "read:/user/bob/x", "--deny", "write:/user/bob/y"], 1,
             _expect(True, False, False, True, False, False)),
            ("wrong audience", good, ["--audience", "https://other.example"],
             1, _expect(True, False, True, True, False, True)),
            ("unknown kid: python KeyCache miss -> fetch (blocked), cpp "
             "-> 'Key ID is not published'",
             tok("unknown-kid", kid="nope"), [], 1, REJECTED),
            ("path prefix: cpp 0.7.3 grants read:/user/alicex for "
             "read:/user/alice",
             good, ["--replace-acls", "--allow", "read:/user/alice",
                    "--deny", "read:/user/alicex/x"], 1,
             _expect(True, True, True, True, True, False)),
        ]
        for name, token_path, extra, want_code, want in cases:
            argv = [sys.executable, script, "--token-file", token_path,
                    "--jwks-file", jwks_path, "--issuer", ISS]
            if "--audience" not in extra:
                argv += ["--audience", AUD]
            if "--replace-acls" not in extra:
                for item in ALLOW:
                    argv += ["--allow", item]
                for item in DENY:
                    argv += ["--deny", item]
            if "--no-offline" not in extra:
                argv.append("--offline-only")
            argv += [a for a in extra if a not in ("--replace-acls",
                                                   "--no-offline")]
            problems = _run_case(argv, want_code, want)
            if name.startswith("unknown kid") and not problems:
                problems = _check_blocked(argv)
            passed, failed = _report(name, problems, passed, failed)

        # Usage errors: exit 2, nothing on stdout.
        base = ["--jwks-file", jwks_path, "--issuer", ISS, "--audience", AUD]
        for name, argv in (
                ("usage: missing token file",
                 ["--token-file", os.path.join(work, "absent.jwt")] + base),
                ("usage: --allow without an absolute path",
                 ["--token-file", good, "--allow", "read/user/alice"] + base),
                ("usage: missing --issuer",
                 ["--token-file", good, "--jwks-file", jwks_path,
                  "--audience", AUD])):
            proc = subprocess.run([sys.executable, script] + argv,
                                  capture_output=True, text=True,
                                  timeout=SUBPROCESS_TIMEOUT)
            problems = []
            if proc.returncode != EXIT_USAGE:
                problems.append("exit %d, want 2" % proc.returncode)
            if proc.stdout.strip():
                problems.append("stdout not empty: %r" % proc.stdout[:200])
            passed, failed = _report(name, problems, passed, failed)

        # Missing verifiers: exit 2 with the package to install.
        fake = os.path.join(work, "fake-site")
        os.makedirs(os.path.join(fake, "scitokens"))
        with open(os.path.join(fake, "scitokens", "__init__.py"), "w",
                  encoding="utf-8") as handle:
            handle.write("raise ImportError('simulated: no scitokens')\n")
        empty_bin = os.path.join(work, "empty-bin")
        os.makedirs(empty_bin)
        argv = [sys.executable, script, "--token-file", good] + base
        for name, env, hint in (
                ("missing tool: scitokens-cpp binaries not on PATH",
                 dict(os.environ, PATH=empty_bin), APT_HINT),
                ("missing tool: python scitokens not importable",
                 dict(os.environ, PYTHONPATH=fake), PIP_HINT)):
            proc = subprocess.run(argv, env=env, capture_output=True,
                                  text=True, timeout=SUBPROCESS_TIMEOUT)
            problems = []
            if proc.returncode != EXIT_USAGE:
                problems.append("exit %d, want 2" % proc.returncode)
            if proc.stdout.strip():
                problems.append("stdout not empty: %r" % proc.stdout[:200])
            if hint not in proc.stderr:
                problems.append("stderr lacks %r: %r" % (hint,
                                                         proc.stderr[-300:]))
            passed, failed = _report(name, problems, passed, failed)

        # The key-cache table we write is the one scitokens-cpp creates.
        ddl = cpp_created_schema(work)
        problems = [] if ddl == CPP_CACHE_DDL else [
            "scitokens-cpp created %r, helper writes %r" % (ddl, CPP_CACHE_DDL)]
        passed, failed = _report("scitokens-cpp key cache schema matches: %s"
                                 % ddl, problems, passed, failed)

    print("%d passed, %d failed" % (passed, failed))
    return EXIT_OK if failed == 0 else EXIT_FAIL


def _cpp_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}",
                              "scitokens-cpp"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        return "scitokens-cpp %s" % (out or "?")
    except (OSError, subprocess.SubprocessError):
        return "scitokens-cpp ?"


def _run_case(argv, want_code, want):
    started = time.time()
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=SUBPROCESS_TIMEOUT * 4)
    problems = []
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        return ["stdout is not one JSON object: %r (stderr %r)"
                % (proc.stdout[:300], proc.stderr[-300:])]
    if proc.returncode != want_code:
        problems.append("exit %d, want %d" % (proc.returncode, want_code))
    if result.get("ok") != (want_code == 0):
        problems.append("ok=%r" % result.get("ok"))
    table = _summary(result)
    for key, want_ok in want.items():
        got = table.get(key)
        if not got:
            problems.append("no %s %s checks" % key)
        elif any(ok != want_ok for ok in got):
            problems.append("%s %s: got %s, want all %s" % (key + (got,
                                                                  want_ok)))
    if problems:
        for check in result.get("checks", []):
            eprint("    %s" % json.dumps(check))
    elapsed = time.time() - started
    if elapsed > 60:
        problems.append("took %.0fs" % elapsed)
    return problems


def _check_blocked(argv):
    proc = subprocess.run(argv, capture_output=True, text=True,
                          timeout=SUBPROCESS_TIMEOUT * 4)
    result = json.loads(proc.stdout)
    details = " ".join(c["detail"] for c in result["checks"])
    problems = []
    if "(blocked)" not in details:
        problems.append("python key fetch was not reported as blocked")
    # scitokens-cpp 0.7.3 does not refetch for a kid missing from a fresh
    # cache entry: it fails with "Key ID is not published by the issuer."
    if "Key ID is not published by the issuer" not in details:
        problems.append("scitokens-cpp did not report the unknown kid")
    return problems


def _report(name, problems, passed, failed):
    if problems:
        print("FAIL %s: %s" % (name, "; ".join(problems)))
        return passed, failed + 1
    print("ok   %s" % name)
    return passed + 1, failed


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def build_parser():
    parser = _Parser(
        description="Check a SciToken/WLCG JWT with python-scitokens and "
                    "scitokens-cpp, offline, against a given JWKS.")
    parser.add_argument("--token-file", help="bare JWT, or HTCondor .use "
                        "JSON {\"access_token\": ..., \"expires_in\": N}")
    parser.add_argument("--jwks-file", help="JWKS {\"keys\": [...]} of the "
                        "issuer (EC P-256 crv/x/y or RSA n/e, with kid)")
    parser.add_argument("--issuer", help="expected issuer (iss); the JWKS is "
                        "cached for it in both libraries")
    parser.add_argument("--audience", help="audience the verifiers act as")
    parser.add_argument("--allow", action="append", default=[],
                        metavar="AUTHZ:PATH",
                        help="access that must be granted (repeatable)")
    parser.add_argument("--deny", action="append", default=[],
                        metavar="AUTHZ:PATH",
                        help="access that must be refused (repeatable)")
    parser.add_argument("--offline-only", action="store_true",
                        help="make any key download fail at once: python's "
                        "urlopen is refused, scitokens-cpp's curl gets a "
                        "proxy on a loopback port that refuses connections")
    parser.add_argument("--python-accept-claim", action="append", default=[],
                        metavar="CLAIM",
                        help="register a pass-through Enforcer validator for "
                        "CLAIM in python-scitokens (e.g. wlcg.ver, which it "
                        "otherwise rejects)")
    parser.add_argument("--keep-caches", action="store_true",
                        help="keep the temporary key caches (path on stderr)")
    parser.add_argument("--self-test", action="store_true",
                        help="generate keys and tokens, check the expected "
                        "outcome of each case; exit 0 iff all as expected")
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        if args.self_test:
            return self_test()
        result = verify(args)
    except UsageError as exc:
        eprint("verify_token.py: %s" % exc)
        eprint("usage: verify_token.py --token-file FILE --jwks-file "
               "JWKS.json --issuer ISS --audience AUD [--allow AUTHZ:PATH] "
               "[--deny AUTHZ:PATH] [--offline-only] | --self-test")
        return EXIT_USAGE
    sys.stdout.write(json.dumps(result, indent=2, sort_keys=False) + "\n")
    sys.stdout.flush()
    return EXIT_OK if result["ok"] else EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
