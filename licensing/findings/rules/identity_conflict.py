"""Driving licence numbers that say two things at once (DOMAIN.md, "Identity in practice"): one
number recorded with different dates of birth or surnames, possibly on different people, or a
number that does not fit the holder it is recorded with. Either is a typing error or a sign of
someone using another's number; the authorities holding the records must look.

What counts as a conflict is decided by licensing.identity.conflicts, which already forgives
spelling variants and forenames and surname entered the wrong way round.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Iterator, Sequence

from licensing.findings.facts import FindingFact, LicenceFact, recorded_by, sorted_unique
from licensing.identity import DlnGrade, IdentityRecord, identity_conflicts
from licensing.values import normalise_driving_licence_number

_SHARED_NUMBER_PROBLEMS = {
    "licence_number_with_different_dates_of_birth": "dates of birth",
    "licence_number_with_different_surnames": "surnames",
}
_DOES_NOT_FIT = "licence_number_does_not_fit_holder"

_GRADE_PROBLEMS = {
    DlnGrade.INCONSISTENT: "date of birth",
    DlnGrade.SURNAME_DIFFERS: "surname",
}


@dataclass(frozen=True, slots=True)
class IdentityConflictRule:
    type: ClassVar[str] = "identity_conflict"

    def evaluate(self, licences: Sequence[LicenceFact], *, today: date) -> Iterator[FindingFact]:
        by_id = {
            licence.licence_id: licence
            for licence in licences
            if licence.is_driver_licence and normalise_driving_licence_number(licence.driving_licence_number)
        }
        conflicts = identity_conflicts([_identity_record(licence) for licence in by_id.values()])

        problems_by_group: dict[tuple[int, ...], set[str]] = defaultdict(set)
        for conflict in conflicts:
            if conflict.kind in _SHARED_NUMBER_PROBLEMS:
                problems_by_group[conflict.record_ids].add(_SHARED_NUMBER_PROBLEMS[conflict.kind])
        for record_ids, problems in sorted(problems_by_group.items()):
            yield self._shared_number_finding([by_id[i] for i in record_ids], problems)

        unfit_by_matcher = {c.record_ids[0] for c in conflicts if c.kind == _DOES_NOT_FIT}
        for licence in sorted(by_id.values(), key=lambda licence: licence.licence_id):
            if _does_not_fit_holder(licence, unfit_by_matcher):
                yield self._unfit_number_finding(licence)

    def _shared_number_finding(self, records: list[LicenceFact], problems: set[str]) -> FindingFact:
        number = normalise_driving_licence_number(records[0].driving_licence_number)
        differing = " and ".join(sorted(problems))
        authorities = sorted_unique(record.authority_code for record in records)
        return FindingFact(
            type=self.type,
            # A hash, because the key is stored and shown where the number itself must not be.
            fact_key=f"{self.type}:number:{hashlib.sha256(number.encode()).hexdigest()[:16]}",
            licence_ids=tuple(record.licence_id for record in records),
            driver_ids=sorted_unique(record.driver_id for record in records if record.driver_id is not None),
            for_authorities=authorities,
            visible_to=authorities,
            summary=f"One driving licence number is recorded with different {differing}",
            evidence=(
                *(recorded_by(record) for record in records),
                f"These records share a driving licence number but their {differing} differ",
            ),
            severity="immediate",
        )

    def _unfit_number_finding(self, licence: LicenceFact) -> FindingFact:
        problem = _GRADE_PROBLEMS[DlnGrade(licence.dln_grade)]
        return FindingFact(
            type=self.type,
            fact_key=f"{self.type}:licence:{licence.licence_id}",
            licence_ids=(licence.licence_id,),
            driver_ids=(licence.driver_id,) if licence.driver_id is not None else (),
            for_authorities=(licence.authority_code,),
            visible_to=(licence.authority_code,),
            summary=f"The driving licence number does not match the holder's {problem}",
            evidence=(
                recorded_by(licence),
                f"The driving licence number on this record does not encode the {problem} recorded with it",
            ),
            severity="immediate",
        )


def _does_not_fit_holder(licence: LicenceFact, unfit_by_matcher: set[int]) -> bool:
    """Judged on the grade the register stored. Ended records are left out: no one can act on
    them. A surname mismatch the matcher explains by swapped name fields is a slip, not a conflict."""
    if not licence.in_register:
        return False
    if licence.dln_grade == DlnGrade.INCONSISTENT:
        return True
    return licence.dln_grade == DlnGrade.SURNAME_DIFFERS and licence.licence_id in unfit_by_matcher


def _identity_record(licence: LicenceFact) -> IdentityRecord:
    return IdentityRecord(
        record_id=licence.licence_id,
        surname=licence.surname,
        forenames=licence.forenames,
        date_of_birth=licence.date_of_birth,
        driving_licence_number=licence.driving_licence_number,
        ni_number=None,
        postcode=None,
        address=None,
    )
