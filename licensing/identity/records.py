"""The identity record the matcher works on, and its prepared form.

A PreparedRecord holds every normalised form the comparisons need, built once per record, so scoring
a pair does no text processing of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from licensing.identity.names import NamePart, name_part
from licensing.values import (
    is_valid_ni_number,
    is_well_formed_gb_driving_licence_number,
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
)

_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    record_id: int
    surname: str
    forenames: str
    date_of_birth: date | None
    driving_licence_number: str | None
    ni_number: str | None
    postcode: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    record_id: int
    surname: NamePart
    forenames: NamePart
    date_of_birth: date | None
    dob_digits: str  # YYYYMMDD, '' when unknown
    dln: str | None
    dln_well_formed: bool
    ni: str | None
    ni_valid: bool
    postcode: str | None  # normalised 'SW1A 1AA'; sector and district are its prefixes
    address: str  # upper case, punctuation removed; '' when unknown


def prepare(record: IdentityRecord) -> PreparedRecord:
    dln = normalise_driving_licence_number(record.driving_licence_number)
    ni = normalise_ni_number(record.ni_number)
    postcode = normalise_postcode(record.postcode)
    dob = record.date_of_birth
    return PreparedRecord(
        record_id=record.record_id,
        surname=name_part(record.surname),
        forenames=name_part(record.forenames),
        date_of_birth=dob,
        dob_digits=f"{dob.year:04d}{dob.month:02d}{dob.day:02d}" if dob else "",  # strftime drops leading zeros of years < 1000
        dln=dln,
        dln_well_formed=bool(dln) and is_well_formed_gb_driving_licence_number(dln),
        ni=ni,
        ni_valid=bool(ni) and is_valid_ni_number(ni),
        postcode=postcode,
        address=_address_text(record.address),
    )


@lru_cache(maxsize=8_192)
def prepare_cached(record: IdentityRecord) -> PreparedRecord:
    """For callers that score the same records again and again (search, the incremental path)."""
    return prepare(record)


def _address_text(address: str | None) -> str:
    if not address:
        return ""
    return " ".join(_NOT_ALNUM.sub(" ", address.upper()).split())
