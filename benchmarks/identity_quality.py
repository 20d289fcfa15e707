"""Identity resolution quality on the labelled national register, no database: resolve() with the
packaged model (prior for the register's size) over every licence of
national_register(seed=1, licences=500_000), judged with licensing.identity.quality.evaluate against
the generator's truth, as licensing.identity.calibrate does. Prints per-corruption recall to stderr."""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.common import emit
from benchmarks.national import NATIONAL_ROWS, SEED
from licensing.identity.calibrate import labelled_records
from licensing.identity.model import MatchModel
from licensing.identity.quality import evaluate
from licensing.identity.resolve import resolve
from licensing.identity.review import keeping_review_band, review_band_from_env, review_coverage
from licensing.synthetic import national_register


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql", "none"), default="none",
                        help="accepted for a uniform command line; no database is used")
    parser.add_argument("--rows", type=int, default=NATIONAL_ROWS)
    parser.add_argument("--review-band", default="", help="probabilities, as CROSSCHECK_IDENTITY_REVIEW_BAND")
    args = parser.parse_args()
    band = review_band_from_env({"CROSSCHECK_IDENTITY_REVIEW_BAND": args.review_band})

    started = time.perf_counter()
    register = national_register(seed=SEED, licences=args.rows)
    # Operators' licences name businesses and are never resolved into drivers (services.identity).
    labelled = labelled_records(register)
    drivers = [record for record in labelled.records if labelled.person_of[record.record_id] > 0]
    person_of = {record.record_id: labelled.person_of[record.record_id] for record in drivers}
    generated_s = time.perf_counter() - started

    started = time.perf_counter()
    resolution = resolve(drivers, keeping_review_band(MatchModel.default().for_population(len(labelled.records)), band))
    resolve_s = time.perf_counter() - started
    report = evaluate(person_of, resolution, corruptions=labelled.corruptions,
                      namesake_groups=labelled.namesake_groups)

    coverage = review_coverage(person_of, resolution, band)
    by_corruption = {name: round(tally.recall, 5) for name, tally in report.recall_by_corruption.items()}
    print("| corruption | true pairs carrying it | linked | recall |\n|---|---|---|---|", file=sys.stderr)
    for name, tally in report.recall_by_corruption.items():
        print(f"| {name} | {tally.pairs} | {tally.linked} | {tally.recall:.4f} |", file=sys.stderr)
    emit({"rows": args.rows, "driver_records": len(drivers), "true_pairs": report.true_pairs,
          "linked_pairs": report.linked_pairs, "correct_pairs": report.correct_pairs,
          "precision": round(report.precision, 5), "recall": round(report.recall, 5),
          "namesake_groups": report.namesake_groups, "namesakes_merged": report.namesake_groups_merged,
          "skipped_keys": resolution.skipped_keys, "generate_s": round(generated_s, 1), "resolve_s": round(resolve_s, 1),
          "true_pairs_unlinked": coverage.true_pairs_unlinked, "unlinked_in_review": coverage.unlinked_in_queue,
          "unlinked_in_review_share": round(coverage.share_of_unlinked_in_queue, 4),
          "review_queue_per_10000": round(coverage.queue_per_10000_records, 1),
          "recall_by_corruption": by_corruption})


if __name__ == "__main__":
    main()
