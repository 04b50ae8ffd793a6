#!/usr/bin/env python3
"""Medians over several `credmon-bench --json` files (or a results .json holding them under "series").

    Benchmarks/summarize.py run1.json run2.json run3.json            a table: figure x user count, Credmon and Python
    Benchmarks/summarize.py Benchmarks/results/2026-12-03-baseline-tmpfs.json
    Benchmarks/summarize.py --combine OUT.json run1.json run2.json   one file {"series": [run1, run2, ...]}

Each cell is the median over the runs, with [min-max] when there are several.
"""
import json
import statistics
import sys


def load(paths):
    documents = []
    for path in paths:
        with open(path) as f:
            document = json.load(f)
        documents.extend(document["series"] if "series" in document else [document])
    return documents


def get(run, path):
    value = run
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


FIGURES = [
    ("first pass (ms)", "first_pass_ms", "python.first_pass_ms"),
    ("first pass, worker's own timing (ms)", None, "python.first_pass_worker_ms"),
    ("first pass CPU (ms)", "first_pass_cpu_ms", "python.first_pass_cpu_ms"),
    ("deep pass after SIGHUP, median (ms)", "deep_pass_ms.median", "python.deep_pass_ms.median"),
    ("shallow pass, median (ms)", "shallow_pass_ms.median", None),
    ("shallow pass, p90 (ms)", "shallow_pass_ms.p90", None),
    ("new .top to .use p50 (ms)", "latency_ms.p50", None),
    ("new .top to .use p99 (ms)", "latency_ms.p99", None),
    ("peak RSS (MiB)", "peak_rss_kib", "python.peak_rss_kib"),
    ("RSS with no credentials (MiB)", "empty_rss_kib", "python.empty_rss_kib"),
    ("start-up to CREDMON_COMPLETE, median (ms)", "startup_ms", "python.startup_ms"),
    ("system calls per token", "syscalls_per_token.total", None),
]


def cell(values, mib):
    values = [v / 1024 if mib else v for v in values if v is not None]
    if not values:
        return "-"
    median = statistics.median(values)
    text = "%.1f" % median
    if len(values) > 1:
        text += " [%.1f-%.1f]" % (min(values), max(values))
    return text


def main(argv):
    if argv[:1] == ["--combine"]:
        with open(argv[1], "w") as f:
            json.dump({"series": load(argv[2:])}, f, indent=1, sort_keys=True)
            f.write("\n")
        return
    documents = load(argv)
    counts = sorted({run["users"] for document in documents for run in document["runs"]})
    print("%d run(s); load at the start of each: %s" % (len(documents), ", ".join(d["runs"][0]["load_before"] for d in documents if d["runs"])))
    header = "%-44s" % "figure" + "".join("%24s %24s" % ("Credmon %d" % n, "Python %d" % n) for n in counts)
    print(header)
    for label, ours, theirs in FIGURES:
        mib = "kib" in (ours or theirs or "")
        row = "%-44s" % label
        for n in counts:
            runs = [run for document in documents for run in document["runs"] if run["users"] == n]
            row += "%24s %24s" % (cell([get(r, ours) for r in runs], mib) if ours else "-",
                                  cell([get(r, theirs) for r in runs], mib) if theirs else "-")
        print(row)
    for n in counts:
        runs = [run for document in documents for run in document["runs"] if run["users"] == n]
        calls = {}
        for run in runs:
            for call in (get(run, "syscalls_per_token.per_call") or []):
                calls.setdefault(call["name"], []).append(call["per_token"])
        top = sorted(calls.items(), key=lambda item: -statistics.median(item[1]))[:12]
        print("system calls per token at %d users (median): %s" % (n, ", ".join("%s %.2f" % (name, statistics.median(v)) for name, v in top)))


if __name__ == "__main__":
    main(sys.argv[1:])
