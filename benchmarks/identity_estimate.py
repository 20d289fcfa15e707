"""Estimating a match model from the labelled national register, no database: every driver record of
national_register(seed=1, licences=500_000) given to estimate_with_diagnostics, as `crosscheck
identity estimate` gives it the register's records (300,000 random pairs, three EM sessions, the
prior over every blocked pair, name frequencies). The labels are not used; the estimate's own
diagnostics are printed with the time."""

from __future__ import annotations

import argparse
import time

from benchmarks.common import emit
from benchmarks.national import NATIONAL_ROWS, SEED
from licensing.identity.calibrate import labelled_records
from licensing.identity.estimate import estimate_with_diagnostics
from licensing.synthetic import national_register


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql", "none"), default="none",
                        help="accepted for a uniform command line; no database is used")
    parser.add_argument("--rows", type=int, default=NATIONAL_ROWS)
    args = parser.parse_args()

    labelled = labelled_records(national_register(seed=SEED, licences=args.rows))
    # Operators' licences name businesses and are never resolved into drivers (services.identity).
    drivers = [record for record in labelled.records if labelled.person_of[record.record_id] > 0]
    started, cpu_started = time.perf_counter(), time.process_time()
    estimate = estimate_with_diagnostics(drivers, seed=0, population=len(labelled.records))
    estimate_s, estimate_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    diagnostics = estimate.diagnostics
    emit({"rows": args.rows, "driver_records": len(drivers), "estimate_s": round(estimate_s, 1),
          # CPU time as well: on a machine shared with other work the wall time says more about them.
          "estimate_cpu_s": round(estimate_cpu_s, 1),
          "blocked_pairs": diagnostics["blocked_pairs"], "sessions": diagnostics["sessions"],
          "matches_per_record": round(diagnostics["matches_per_record"], 4)})


if __name__ == "__main__":
    main()
