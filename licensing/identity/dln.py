"""Checking a GB driving licence number against the name and date of birth it is recorded with.

The DVLA number encodes surname, date of birth and initials (docs/matching.md, DOMAIN.md), so a
number that does not fit its holder is either mistyped or belongs to someone else.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from licensing.identity.names import name_tokens
from licensing.values import (
    is_northern_ireland_driving_licence_number,
    is_well_formed_gb_driving_licence_number,
    normalise_driving_licence_number,
)


class DlnGrade(StrEnum):
    CONSISTENT = "consistent"
    INITIALS_DIFFER = "initials_differ"
    SURNAME_DIFFERS = "surname_differs"
    INCONSISTENT = "inconsistent"
    MALFORMED = "malformed"
    # An 8-digit DVA (Northern Ireland) number encodes nothing about its holder.
    NORTHERN_IRELAND = "northern_ireland"


def expected_surname_field(surname: str) -> str:
    letters = "".join(name_tokens(surname))
    if letters.startswith("MAC"):
        letters = "MC" + letters[3:]
    return (letters[:5]).ljust(5, "9")


def expected_initials_field(forenames: str) -> str:
    return "".join(token[0] for token in name_tokens(forenames)[:2]).ljust(2, "9")


def _date_fits(number: str, date_of_birth: date) -> bool:
    year = f"{date_of_birth.year:04d}"
    month = int(number[6:8])
    if month > 50:  # the sex of the holder is unknown, so either encoding is accepted
        month -= 50
    return (
        number[5] == year[2]
        and month == date_of_birth.month
        and number[8:10] == f"{date_of_birth.day:02d}"
        and number[10] == year[3]
    )


def grade_driving_licence_number(
    number: str | None, *, surname: str, forenames: str, date_of_birth: date | None
) -> DlnGrade | None:
    """How well a number fits its holder; None when there is no number. With no date of birth only
    the name fields are checked."""
    normalised = normalise_driving_licence_number(number)
    if not normalised:
        return None
    if is_northern_ireland_driving_licence_number(normalised):
        return DlnGrade.NORTHERN_IRELAND
    if not is_well_formed_gb_driving_licence_number(normalised):
        return DlnGrade.MALFORMED
    if date_of_birth is not None and not _date_fits(normalised, date_of_birth):
        return DlnGrade.INCONSISTENT
    if surname and normalised[:5] != expected_surname_field(surname):
        return DlnGrade.SURNAME_DIFFERS
    if forenames and normalised[11:13] != expected_initials_field(forenames):
        return DlnGrade.INITIALS_DIFFER
    return DlnGrade.CONSISTENT
