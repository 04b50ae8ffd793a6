#!/usr/bin/env python3
"""The expected values of corpus.txt, by HTCondor's own ClassAd library (PyPI htcondor's classad2).

Each expression is evaluated as HTCondor's local issuer evaluates LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR: in the ad
[Username = "<user>"; Scopes = <expression>], attribute Scopes, for every username below. A value is written as
{"type": ..., "value": ...}: undefined, error, boolean (JSON true/false), integer (decimal text), real (Python's
repr: shortest round-trip text, or nan/inf/-inf), string; "undecodable" when classad2 cannot give the string to
Python (its bytes are not UTF-8), "parse-error" when classad2 refuses the expression, "other" for lists and ads.
rejected.txt's expressions are recorded too (what classad2 makes of what ClassAdExpression refuses).

    python3 expected.py            writes expected.json beside this script
    python3 expected.py --stdout   prints it (ClassAdExpressionCorpusTests runs this)
Exits 3 when classad2 cannot be imported.
"""
import json
import os
import sys

try:
    import classad2
except ImportError as error:  # the test reports this as a failure, not a skip
    print(f"expected.py: cannot import classad2 ({error}); install PyPI htcondor (scripts/install-test-deps)", file=sys.stderr)
    sys.exit(3)

USERNAMES = ["alice", "Bob", "ALICE", "cms_prod01", "atlas-user", "", "o'neil", "jöse"]
HERE = os.path.dirname(os.path.abspath(__file__))


def encode(value):
    if isinstance(value, classad2.Value):
        if value == classad2.Value.Undefined:
            return {"type": "undefined"}
        if value == classad2.Value.Error:
            return {"type": "error"}
        return {"type": "other", "value": repr(value)}
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, int):
        return {"type": "integer", "value": str(value)}
    if isinstance(value, float):
        return {"type": "real", "value": repr(value)}
    if isinstance(value, str):
        return {"type": "string", "value": value}
    return {"type": "other", "value": repr(value)}


def evaluate(expression, username):
    try:
        tree = classad2.ExprTree(expression)
    except Exception as error:  # classad2 raises ClassAdException (or ValueError) on a syntax error
        return {"type": "parse-error", "value": f"{type(error).__name__}: {error}"}
    ad = classad2.ClassAd()
    ad["Username"] = username
    ad["Scopes"] = tree
    try:
        return encode(ad.eval("Scopes"))
    except UnicodeDecodeError:
        return {"type": "undecodable"}
    except Exception as error:
        return {"type": "parse-error", "value": f"{type(error).__name__}: {error}"}


def lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as file:
        return [line.rstrip("\n") for line in file if not line.startswith("#")]


def main():
    corpus = [line for line in lines("corpus.txt") if line.strip()]
    rejected = [line.split("\t", 1)[1] for line in lines("rejected.txt") if "\t" in line]
    document = {
        "generator": f"classad2 from htcondor {getattr(classad2, '__version__', '?')} (Tests/EngineTests/Fixtures/classad/expected.py)",
        "usernames": USERNAMES,
        "cases": [{"expression": e, "results": [evaluate(e, u) for u in USERNAMES]} for e in corpus],
        "rejected": [{"expression": e, "results": [evaluate(e, u) for u in USERNAMES[:1]]} for e in rejected],
    }
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if "--stdout" in sys.argv[1:]:
        sys.stdout.write(text)
    else:
        with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as file:
            file.write(text)


if __name__ == "__main__":
    main()
