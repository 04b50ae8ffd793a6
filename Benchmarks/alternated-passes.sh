#!/bin/bash
# Alternated first and deep passes of several credmon builds on one tree, for before/after comparisons on a noisy
# host (credmon-bench runs one build at a time; this alternates the builds run by run).
#
#   Benchmarks/alternated-passes.sh once N BINARY...   N `credmon run --once` first passes per binary, alternated:
#                                                      medians of the pass's own duration, scan and apply times and
#                                                      of user+system CPU (/usr/bin/time)
#   Benchmarks/alternated-passes.sh deep N BINARY...   N daemon runs per binary, alternated: each the median of 10
#                                                      deep passes (SIGHUP) after its first pass and one relisting
#
# The tree (10,000 users' scitokens.top as condor_credd writes them, a local issuer) is made once under
# ${TREE:-/dev/shm/credmon-alternated}; every .use is removed before each run.
set -u
mode=$1; runs=$2; shift 2
tree=${TREE:-/dev/shm/credmon-alternated}
users=${USERS:-10000}
if [ ! -f "$tree/ready" ]; then
    rm -rf "$tree"; mkdir -p "$tree/providers.d" "$tree/cred" "$tree/keys"; chmod 2770 "$tree/cred"
    printf 'name: scitokens\nkind: local-scitoken\nissuer: https://bench.example.org\naudience: ["https://storage.example.org"]\nlifetime: 1200\n' > "$tree/providers.d/scitokens.yaml"
    for i in $(seq 0 $((users - 1))); do
        mkdir -m 700 "$tree/cred/user$i"; printf 'user%d@foo' "$i" > "$tree/cred/user$i/scitokens.top.tmp"
        chmod 600 "$tree/cred/user$i/scitokens.top.tmp"; mv "$tree/cred/user$i/scitokens.top.tmp" "$tree/cred/user$i/scitokens.top"
    done
    touch "$tree/ready"
fi
fresh() { find "$tree/cred" -name scitokens.use -delete; rm -f "$tree/cred/CREDMON_COMPLETE"; rm -rf "$tree/state"; : > "$tree/log"; }
field() { grep -o "$1=[0-9.]*" "$tree/log" | cut -d= -f2 | tr '\n' ' '; }
results=$(mktemp)
for _ in $(seq "$runs"); do
    for binary in "$@"; do
        fresh
        if [ "$mode" = once ]; then
            /usr/bin/time -f "%U %S" -o "$tree/time" "$binary" run --cred-dir "$tree/cred" --providers-dir "$tree/providers.d" \
                --state-dir "$tree/state" --key-dir "$tree/keys" --log-file "$tree/log" --once
            echo "$binary $(field credmon.duration_ms) $(field credmon.scan_ms) $(field credmon.apply_ms) $(cat "$tree/time")" >> "$results"
        else
            "$binary" run --cred-dir "$tree/cred" --providers-dir "$tree/providers.d" --state-dir "$tree/state" \
                --key-dir "$tree/keys" --log-file "$tree/log" -d > /dev/null 2>&1 &
            pid=$!
            for _ in $(seq 600); do grep -q "First pass complete" "$tree/log" 2>/dev/null && break; sleep 0.05; done
            sleep 0.5; kill -HUP $pid; sleep 1
            for _ in $(seq 10); do kill -HUP $pid; sleep 0.5; done
            sleep 0.5; kill $pid; wait $pid || true
            echo "$binary $(grep 'credmon.deep=true' "$tree/log" | grep -o 'credmon.duration_ms=[0-9.]*' | tail -10 | cut -d= -f2 | tr '\n' ' ')" >> "$results"
        fi
    done
done
python3 - "$mode" "$results" <<'PY'
import collections, statistics, sys
mode, path = sys.argv[1], sys.argv[2]
rows = collections.defaultdict(list)
for line in open(path):
    parts = line.split()
    rows[parts[0]].append([float(x) for x in parts[1:]])
for binary, runs in rows.items():
    if mode == "once":
        m = lambda i: statistics.median(r[i] for r in runs)
        cpu = statistics.median((r[3] + r[4]) * 1000 for r in runs)
        print(f"{binary}: {len(runs)} runs; first pass {m(0):.0f} ms [{min(r[0] for r in runs):.0f}-{max(r[0] for r in runs):.0f}], scan {m(1):.0f} ms, apply {m(2):.0f} ms, CPU {cpu:.0f} ms")
    else:
        medians = [statistics.median(r) for r in runs if r]
        print(f"{binary}: {len(runs)} runs; deep pass, median of each run's 10: " + ", ".join(f"{x:.1f}" for x in medians) + f" ms (median {statistics.median(medians):.1f} ms)")
PY
cat "$results" >&2
rm -f "$results"
