"""Identity conflicts for the findings engine: driving licence numbers that say two things at once.

One number on records with different dates of birth or different surnames is either a typing
error or two people using one number; a number that does not fit its own holder is the same warning
on a single record. Either way an officer should look before relying on the record.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal, Sequence

from licensing.identity.compare import SURNAME_DIFFERENT, surname_level
from licensing.identity.dln import DlnGrade, grade_driving_licence_number
from licensing.identity.records import IdentityRecord, prepare

ConflictKind = Literal[
    "licence_number_with_different_dates_of_birth",
    "licence_number_with_different_surnames",
    "licence_number_does_not_fit_holder",
]

_DESCRIPTIONS: dict[str, str] = {
    "licence_number_with_different_dates_of_birth": "The same driving licence number is recorded with different dates of birth.",
    "licence_number_with_different_surnames": (
        "The same driving licence number is recorded with different surnames (a change of name would explain it)."
    ),
}

_GRADE_DESCRIPTIONS = {
    DlnGrade.INCONSISTENT: "The driving licence number does not encode the holder's date of birth.",
    DlnGrade.SURNAME_DIFFERS: "The driving licence number does not begin with the holder's surname.",
}


@dataclass(frozen=True, slots=True)
class IdentityConflict:
    kind: ConflictKind
    record_ids: tuple[int, ...]  # ascending
    description: str


def identity_conflicts(records: Sequence[IdentityRecord]) -> list[IdentityConflict]:
    conflicts: list[IdentityConflict] = []
    prepared = [prepare(r) for r in records]
    by_number: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(prepared):
        if record.dln:
            by_number[record.dln].append(i)
    for members in by_number.values():
        if len(members) < 2:
            continue
        ids = tuple(sorted(prepared[i].record_id for i in members))
        dates = {prepared[i].date_of_birth for i in members if prepared[i].date_of_birth}
        if len(dates) > 1:
            kind: ConflictKind = "licence_number_with_different_dates_of_birth"
            conflicts.append(IdentityConflict(kind, ids, _DESCRIPTIONS[kind]))
        if _surnames_disagree([prepared[i] for i in members]):
            kind = "licence_number_with_different_surnames"
            conflicts.append(IdentityConflict(kind, ids, _DESCRIPTIONS[kind]))
    for record in records:
        grade = grade_driving_licence_number(
            record.driving_licence_number,
            surname=record.surname,
            forenames=record.forenames,
            date_of_birth=record.date_of_birth,
        )
        if grade == DlnGrade.SURNAME_DIFFERS and _fits_with_names_swapped(record):
            continue  # forenames and surname entered the wrong way round: a data-entry slip, not a conflict
        description = _GRADE_DESCRIPTIONS.get(grade) if grade else None
        if description:
            conflicts.append(IdentityConflict("licence_number_does_not_fit_holder", (record.record_id,), description))
    conflicts.sort(key=lambda c: (c.record_ids, c.kind))
    return conflicts


def _surnames_disagree(records) -> bool:
    first = records[0]
    for other in records[1:]:
        straight = surname_level(first.surname, other.surname)
        swapped = surname_level(first.surname, other.forenames)
        # Identical, a variant spelling, a shared part of a double-barrelled name or a slip of the
        # keyboard are the same surname; only a different name is a conflict.
        if min(straight, swapped or SURNAME_DIFFERENT) >= SURNAME_DIFFERENT:
            return True
    return False


def _fits_with_names_swapped(record: IdentityRecord) -> bool:
    return (
        grade_driving_licence_number(
            record.driving_licence_number,
            surname=record.forenames,
            forenames=record.surname,
            date_of_birth=record.date_of_birth,
        )
        in (DlnGrade.CONSISTENT, DlnGrade.INITIALS_DIFFER)
    )
