"""What the findings rules read and what they return.

A LicenceFact is one licence record as the register holds it; a FindingFact is one thing an
authority must act on. The rules are pure: the caller persists findings, keyed by fact_key, and uses
the fingerprint to tell an unchanged finding from one that needs updating.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Protocol, Sequence

from licensing.feeds.parse import DRIVER_LICENCE_TYPES


# Where a home postcode was placed well enough to act on; 'unknown' is never enough.
PLACED_HOME_PRECISIONS = frozenset(("exact", "probable"))


@dataclass(frozen=True, slots=True)
class LicenceFact:
    licence_id: int
    driver_id: int | None  # the resolved person
    authority_code: str  # the licensing authority: ONS code or 'TFL'
    authority_name: str
    licence_number: str
    licence_type: str  # hackney_carriage_driver | private_hire_driver | dual_driver | private_hire_operator
    status: str  # active | suspended | expired | revoked | surrendered
    in_register: bool  # False once the authority's feed ended the record
    issued_on: date | None
    expires_on: date | None
    surname: str
    forenames: str
    date_of_birth: date | None
    driving_licence_number: str | None
    dln_grade: str | None  # a DlnGrade value
    home_authority_code: str | None
    home_authority_name: str | None
    home_precision: str  # exact | probable | unknown
    home_share: float | None  # share of the postcode's area in the home district (1.0 when exact)
    status_since: date | None  # when the status took effect, if the authority said

    @property
    def is_driver_licence(self) -> bool:
        return self.licence_type in DRIVER_LICENCE_TYPES

    def is_active_driver_licence(self, today: date) -> bool:
        """A driver licence the holder may work on today. A record still marked active after its
        expiry date is not: the authority's next feed will say expired."""
        return (
            self.is_driver_licence
            and self.status == "active"
            and self.in_register
            and (self.expires_on is None or self.expires_on >= today)
        )

    @property
    def placed_home_authority(self) -> str | None:
        """The authority whose area the holder lives in, when the postcode placed it."""
        if self.home_precision not in PLACED_HOME_PRECISIONS:
            return None
        return self.home_authority_code

    @property
    def home_name(self) -> str:
        return self.home_authority_name or self.home_authority_code or "an unknown authority"


def licence_type_words(licence_type: str) -> str:
    return licence_type.replace("_", " ")


# Evidence is read by every authority a finding concerns, so it says only what any of them may see
# of another's record (licensing/disclosure.py): authority, licence type, status and dates, and the
# record's reference. Licence numbers and names are shown beside it, to their holder only.

def licensed_by(licence: LicenceFact) -> str:
    """Evidence line for a licence held: 'Licensed by Wolverhampton City Council (private hire
    driver licence, record 123, active since 2024-01-02)'."""
    return f"Licensed by {licence.authority_name} ({_kind_reference_and_status(licence)})"


def recorded_by(licence: LicenceFact) -> str:
    """Evidence line for a record whatever its status: 'Recorded by Leeds City Council (private
    hire driver licence, record 9, revoked since 2020-05-01)'."""
    return f"Recorded by {licence.authority_name} ({_kind_reference_and_status(licence)})"


def _kind_reference_and_status(licence: LicenceFact) -> str:
    if licence.status_since:
        status = f"{licence.status} since {licence.status_since.isoformat()}"
    elif licence.issued_on:
        status = f"{licence.status}, issued {licence.issued_on.isoformat()}"
    else:
        status = licence.status
    if not licence.in_register:
        status += ", no longer in the authority's register"
    return f"{licence_type_words(licence.licence_type)} licence, record {licence.licence_id}, {status}"


def sorted_unique(values: Iterable) -> tuple:
    return tuple(sorted(set(values)))


@dataclass(frozen=True, slots=True)
class FindingFact:
    type: str  # out_of_area | adverse_elsewhere | multiple_licences | identity_conflict | concern_shared
    fact_key: str  # same fact, same key across runs; never raw personal data
    licence_ids: tuple[int, ...]  # ascending
    driver_ids: tuple[int, ...]  # ascending, may be empty
    for_authorities: tuple[str, ...]  # whose teams must act; alerts go to them
    visible_to: tuple[str, ...]  # for_authorities plus any other authority that may see it
    summary: str
    evidence: tuple[str, ...]
    severity: str  # immediate | digest

    def fingerprint(self) -> str:
        """Changes exactly when what an officer would read or who must act changes. Driver ids are
        left out: re-resolving people renumbers them without changing the fact."""
        material = [
            self.type,
            self.fact_key,
            list(self.licence_ids),
            list(self.for_authorities),
            list(self.visible_to),
            self.summary,
            list(self.evidence),
            self.severity,
        ]
        return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()[:16]


class FindingRule(Protocol):
    """One type of finding. `licences` is a scope: every record of some drivers and every record
    sharing a driving licence number with them."""

    type: str

    def evaluate(self, licences: Sequence[LicenceFact], *, today: date) -> Iterable[FindingFact]: ...
