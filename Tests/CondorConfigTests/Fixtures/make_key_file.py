#!/usr/bin/env python3
"""Writes a web-login key file exactly as condor_credd does in CREDD_CHECK_CREDS (contract §B.3.4), with HTCondor's
own ClassAd library (classad2) and configuration reader (htcondor2) from PyPI's htcondor wheel.

  make_key_file.py --dir CRED_DIR --user alice --request box --request 'box*work:read:/a,write:/b:https://aud' [--name HEX]

Each --request is SERVICE[*HANDLE][:SCOPES[:AUDIENCE]] (the submit file's use_oauth_services item, then its
<svc>_oauth_permissions and <svc>_oauth_resource values). The configuration comes from $CONDOR_CONFIG:
ClientId = <S>_CLIENT_ID, ClientSecret = the bytes of <S>_CLIENT_SECRET_FILE up to the first control byte (the file
must not be group/other accessible, as credd insists), ReturnUrl = CREDMON_WEB_PREFIX (default https://FULL_HOSTNAME)
+ <S>_RETURN_URL_SUFFIX, AuthorizationUrl = <S>_AUTHORIZATION_URL, TokenUrl = <S>_TOKEN_URL.
The file is named by 32 random bytes in lower-case hex (or --name), mode 0640, one old-style ad per request,
ads separated by a blank line. Prints the file's path.
"""
import argparse
import os
import secrets
import stat
import sys

import classad2
import htcondor2


def knob(name):
    value = htcondor2.param.get(name)
    return None if value is None or value == "" else str(value)


def client_secret(service):
    path = knob(service + "_CLIENT_SECRET_FILE")
    if path is None:
        sys.exit("Failed to securely read client secret for service %s; Tell your admin that %s_CLIENT_SECRET_FILE is not configured"
                 % (service, service))
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077:
        sys.exit("Failed to securely read client secret for service %s" % service)
    data = open(path, "rb").read()
    end = next((i for i, byte in enumerate(data) if byte <= 0x1F), len(data))
    return data[:end].decode("utf-8")


def ad_for(request, user):
    # Scopes may hold ':' (read:/a); the audience is what follows the last ':' that starts a URL or plain word.
    name, _, rest = request.partition(":")
    scopes, audience = rest, ""
    for marker in (":https://", ":http://"):
        if marker in rest:
            scopes, _, tail = rest.partition(marker)
            audience = marker[1:] + tail
            break
    service, _, handle = name.partition("*")
    prefix = knob("CREDMON_WEB_PREFIX") or "https://" + (knob("FULL_HOSTNAME") or "localhost")
    ad = classad2.ClassAd()
    ad["Provider"] = service
    ad["LocalUser"] = user
    ad["Handle"] = handle
    ad["Scopes"] = scopes
    ad["Audience"] = audience
    ad["ClientId"] = knob(service + "_CLIENT_ID") or ""
    ad["ClientSecret"] = client_secret(service)
    ad["ReturnUrl"] = prefix + (knob(service + "_RETURN_URL_SUFFIX") or "")
    ad["AuthorizationUrl"] = knob(service + "_AUTHORIZATION_URL") or ""
    ad["TokenUrl"] = knob(service + "_TOKEN_URL") or ""
    return ad


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--request", action="append", required=True)
    parser.add_argument("--name", help="64 lower-case hex characters (default: random, as credd)")
    args = parser.parse_args()
    name = args.name or secrets.token_hex(32)
    if len(name) != 64 or any(c not in "0123456789abcdef" for c in name):
        sys.exit("--name must be 64 lower-case hex characters")
    text = "\n".join(ad_for(request, args.user).printOld() for request in args.request)
    path = os.path.join(args.dir, name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o640)
    try:
        import grp
        os.chown(path, -1, grp.getgrnam("condor").gr_gid)
    except (KeyError, PermissionError):
        pass
    print(path)


if __name__ == "__main__":
    main()
