"""Runs every benchmark in its own process and prints one table."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# (label, module, arguments, [(figure, target, unit, lower_is_better)]); a target of None shows the
# figure beside the others without holding it to one.
BENCHMARKS = [
    ("Feed of 125,000 rows, SQLite", "benchmarks.feed_apply", ["--db", "sqlite"],
     [("first_load_s", 15, "s", True), ("unchanged_repost_s", 5, "s", True), ("peak_rss_mb", 500, "MB", True)]),
    ("Feed of 125,000 rows, PostgreSQL", "benchmarks.feed_apply", ["--db", "postgresql"],
     [("first_load_s", 15, "s", True), ("unchanged_repost_s", 5, "s", True), ("peak_rss_mb", 500, "MB", True)]),
    ("Feed of 125,000 rows as an .xlsx workbook through a feed mapping, SQLite", "benchmarks.feed_formats",
     ["--case", "xlsx"],
     [("first_load_s", 30, "s", True), ("unchanged_repost_s", 5, "s", True), ("peak_rss_mb", 500, "MB", True)]),
    ("The same workbook with its text written in each cell (as some reporting tools save it), SQLite",
     "benchmarks.feed_formats", ["--case", "xlsx-inline"],
     [("first_load_s", 30, "s", True), ("unchanged_repost_s", 5, "s", True), ("peak_rss_mb", 500, "MB", True)]),
    ("Dry run of the 125,000-row CSV feed, SQLite", "benchmarks.feed_formats", ["--case", "dry-run"],
     [("dry_run_s", 10, "s", True)]),
    ("Memory applying a 50 MB JSON feed, SQLite", "benchmarks.feed_formats", ["--case", "json-50mb"],
     [("peak_rss_mb", 500, "MB", True)]),
    ("Memory applying a 50 MB CSV feed, SQLite", "benchmarks.feed_formats", ["--case", "csv-50mb"],
     [("peak_rss_mb", 500, "MB", True)]),
    ("Memory applying a 50 MB JSON feed, PostgreSQL", "benchmarks.feed_formats",
     ["--case", "json-50mb", "--db", "postgresql"], [("peak_rss_mb", 500, "MB", True)]),
    ("Memory applying a 50 MB CSV feed, PostgreSQL", "benchmarks.feed_formats",
     ["--case", "csv-50mb", "--db", "postgresql"], [("peak_rss_mb", 500, "MB", True)]),
    ("Feed posted to alert emails accepted (1,000 findings), SQLite", "benchmarks.alert_latency", ["--db", "sqlite"],
     [("all_alerts_s", 60, "s", True)]),
    ("Feed posted to alert emails accepted (1,000 findings), PostgreSQL", "benchmarks.alert_latency",
     ["--db", "postgresql"], [("all_alerts_s", 60, "s", True)]),
    ("Decisions feed posted to alert emails accepted (1,000 decisions), SQLite", "benchmarks.decision_alert_latency",
     ["--db", "sqlite"], [("all_alerts_s", 60, "s", True)]),
    ("Decisions feed posted to alert emails accepted (1,000 decisions), PostgreSQL",
     "benchmarks.decision_alert_latency", ["--db", "postgresql"], [("all_alerts_s", 60, "s", True)]),
    ("Daily digest for an authority with 10,000 open findings, SQLite", "benchmarks.digest_national",
     ["--db", "sqlite"], [("digest_s", 5, "s", True), ("email_kb", 100, "KB", True)]),
    ("Daily digest for an authority with 10,000 open findings, PostgreSQL", "benchmarks.digest_national",
     ["--db", "postgresql"], [("digest_s", 5, "s", True), ("email_kb", 100, "KB", True)]),
]
# The national register (500,000 licences, 318 authorities): built once per database by
# benchmarks.national (in its own process, cached under var/bench), then copied for each benchmark.
for _db, _name in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
    BENCHMARKS += [
        (f"Full re-resolution of 500,000 licences, {_name}", "benchmarks.national_resolve", ["--db", _db],
         [("resolve_everyone_s", 90, "s", True), ("peak_rss_mb", 1536, "MB", True)]),
        (f"Feed changing 5,000 rows into the national register, {_name}", "benchmarks.national_feed_change",
         ["--db", _db], [("pipeline_s", 10, "s", True)]),
        (f"Search, in-process, 500,000 licences, {_name}", "benchmarks.national_search", ["--db", _db],
         [("p95_ms", 10, "ms", True), ("true_ranked_first_share", 0.99, "", False), ("true_first_share", None, "", False),
          ("true_in_top10_share", 0.998, "", False)]),
        (f"Search over HTTP, 2 workers, 8 clients, 500,000 licences, {_name}", "benchmarks.national_search_http",
         ["--db", _db], [("searches_per_s", 150, "/s", False), ("p95_ms", 50, "ms", True)]),
        (f"Nightly findings over 500,000 licences, {_name}", "benchmarks.national_findings", ["--db", _db],
         [("nightly_findings_s", 60, "s", True)]),
    ]
BENCHMARKS.append(
    ("Identity quality, labelled 500,000-licence register (no database)", "benchmarks.identity_quality", [],
     [("precision", 0.999, "", False), ("recall", 0.995, "", False), ("namesakes_merged", 0, "", True),
      ("unlinked_in_review_share", 0.9, "", False)]))
BENCHMARKS.append(
    ("Estimating a match model from the 500,000-licence register (no database)", "benchmarks.identity_estimate", [],
     [("estimate_s", 300, "s", True)]))
BENCHMARKS.append(
    ("Identity on FEBRL4 as two authorities' feeds, model estimated from them (no database)", "benchmarks.febrl4", [],
     [("f1", 0.995, "", False), ("precision", 0.999, "", False), ("unlinked_in_review_share", 0.9, "", False)]))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB, Python {platform.python_version()}"


def cpu_reference_s() -> float:
    """The host's speed at the kind of work the register does in Python (text, dictionaries,
    sorting): the best of three runs of a fixed task that no change to the product alters. Hosts
    of the same name differ, and one host varies with its neighbours; two runs of make bench compare
    only as far as this figure does."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        names = [f"{number * 7919 % 1_000_003:07d}-{number:07d}" for number in range(600_000)]
        index = {name: number for number, name in enumerate(names)}
        names.sort()
        sum(index[name] for name in names[::3])
        best = min(best, time.perf_counter() - started)
    return round(best, 2)


def main() -> int:
    only = sys.argv[1:]
    print(f"Machine: {machine()}; CPU reference {cpu_reference_s()} s (benchmarks/__main__.py, cpu_reference_s)\n")
    print("| benchmark | figure | measured | target | |")
    print("|---|---|---|---|---|")
    failures = 0
    for label, module, arguments, figures in BENCHMARKS:
        if only and not any(word.lower() in label.lower() for word in only):
            continue
        run = subprocess.run([sys.executable, "-m", module, *arguments], cwd=REPO, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"| {label} | (failed) | | | {run.stderr.strip().splitlines()[-1] if run.stderr else ''} |")
            failures += 1
            continue
        result = json.loads(run.stdout.strip().splitlines()[-1])
        for name, target, unit, lower_is_better in figures:
            value = result[name]
            if target is None:
                print(f"| {label} | {name} | {value} {unit} | (shown, no target) | |")
                continue
            met = value <= target if lower_is_better else value >= target
            bound = "≤" if lower_is_better else "≥"
            print(f"| {label} | {name} | {value} {unit} | {bound} {target} {unit} | {'ok' if met else 'MISSED'} |")
            sys.stdout.flush()
    print(f"\nCPU reference at the end: {cpu_reference_s()} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
