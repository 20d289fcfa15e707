"""Runs every benchmark in its own process and prints one table."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# (label, module, arguments, [(figure, target, unit, lower_is_better)])
BENCHMARKS = [
    ("Feed of 125,000 rows, SQLite", "benchmarks.feed_apply", ["--db", "sqlite"],
     [("first_load_s", 15, "s", True), ("unchanged_repost_s", 5, "s", True), ("peak_rss_mb", 500, "MB", True)]),
    ("Feed of 125,000 rows, PostgreSQL", "benchmarks.feed_apply", ["--db", "postgresql"],
     [("first_load_s", 15, "s", True), ("unchanged_repost_s", 5, "s", True), ("peak_rss_mb", 500, "MB", True)]),
]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory_gb:.0f} GiB, Python {platform.python_version()}"


def main() -> int:
    only = sys.argv[1:]
    print(f"Machine: {machine()}\n")
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
            met = value <= target if lower_is_better else value >= target
            bound = "≤" if lower_is_better else "≥"
            print(f"| {label} | {name} | {value} {unit} | {bound} {target} {unit} | {'ok' if met else 'MISSED'} |")
            sys.stdout.flush()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
