"""Regenerating the packaged default model from a labelled synthetic register.

    python -m licensing.identity.calibrate [--licences 50000] [--seed 7]

estimates the parameters from the records alone (no labels), then uses the labels only to report
precision and recall at the packaged band thresholds, and writes data/default_model.json.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from licensing.identity.estimate import estimate_model
from licensing.identity.records import IdentityRecord
from licensing.values import InvalidDate, parse_calendar_date

DEFAULT_MODEL_PATH = Path(__file__).parent / "data" / "default_model.json"
# The packaged model's prior is stated for the national register (DOMAIN.md: ~500,000 licences).
NATIONAL_POPULATION = 500_000


@dataclass(frozen=True)
class LabelledRecords:
    records: list[IdentityRecord]
    person_of: dict[int, int]
    corruptions: dict[int, tuple[str, ...]]
    namesake_groups: list[tuple[int, ...]]


def labelled_records(register) -> LabelledRecords:
    """IdentityRecords from a licensing.synthetic SyntheticRegister, record id = position + 1."""
    records: list[IdentityRecord] = []
    person_of: dict[int, int] = {}
    corruptions: dict[int, tuple[str, ...]] = {}
    for position, licence in enumerate(register.licences, start=1):
        records.append(identity_record_from_row(position, licence.row))
        person_of[position] = licence.person_id
        corruptions[position] = tuple(licence.corruptions)
    return LabelledRecords(records, person_of, corruptions, [tuple(g) for g in register.namesake_groups])


def identity_record_from_row(record_id: int, row: dict[str, str]) -> IdentityRecord:
    def text(column: str) -> str | None:
        value = (row.get(column) or "").strip()
        return value or None

    born = None
    if text("date_of_birth"):
        try:
            born = parse_calendar_date(row["date_of_birth"])
        except InvalidDate:
            born = None
    return IdentityRecord(
        record_id=record_id,
        surname=text("surname") or "",
        forenames=text("forenames") or "",
        date_of_birth=born,
        driving_licence_number=text("driving_licence_number"),
        ni_number=text("ni_number"),
        postcode=text("postcode"),
        address=text("address"),
    )


def authority_codes(count: int) -> Sequence[str]:
    from licensing.reference.authorities import load_authorities

    return [a.code for a in load_authorities()][:count]


def main(argv: Sequence[str] | None = None) -> None:
    from licensing.identity.quality import evaluate
    from licensing.identity.resolve import resolve
    from licensing.synthetic import generate_register

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)

    register = generate_register(seed=args.seed, authority_codes=authority_codes(318), licences=args.licences)
    labelled = labelled_records(register)
    model = estimate_model(labelled.records, seed=args.seed, population=NATIONAL_POPULATION)
    report = evaluate(
        labelled.person_of,
        resolve(labelled.records, model.for_population(len(labelled.records))),
        corruptions=labelled.corruptions,
        namesake_groups=labelled.namesake_groups,
    )
    args.output.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"precision {report.precision:.5f} recall {report.recall:.5f} namesakes merged {report.namesake_groups_merged}")


if __name__ == "__main__":
    main()
