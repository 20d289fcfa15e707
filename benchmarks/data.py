"""Synthetic feed files for the benchmarks, generated once into var/bench and reused, so that the
generator's own memory never counts against the process being measured."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.common import REPO

BENCH_DIR = REPO / "var" / "bench"


def tfl_feed(rows: int) -> Path:
    path = BENCH_DIR / f"tfl-{rows}.csv"
    if not path.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "benchmarks.data", str(rows), str(path)], cwd=REPO, check=True)
    return path


def _write_tfl_feed(rows: int, path: Path) -> None:
    from licensing.synthetic import feed_csv, generate_register

    register = generate_register(seed=11, authority_codes=["TFL"], licences=rows)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(feed_csv(register.feed_rows("TFL")))
    temporary.replace(path)


if __name__ == "__main__":
    _write_tfl_feed(int(sys.argv[1]), Path(sys.argv[2]))
