"""A safeguarding or road-safety concern another authority sent about a driver you license (s.5 of
the 2022 Act). It cannot wait: the receiving authority must consider suspending or revoking, and
report back (s.6). The finding says who sent it and when, never what happened: that is read in the
concern itself, by the authorities it was sent to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Iterator, Sequence

from licensing.findings.facts import FindingFact, LicenceFact, licensed_by, sorted_unique


@dataclass(frozen=True, slots=True)
class SharedConcern:
    concern_id: int
    driver_id: int
    from_authority_code: str
    from_authority_name: str
    category: str  # safeguarding | road_safety
    sent_on: date
    outcome_due_on: date | None


@dataclass(frozen=True, slots=True)
class ConcernSharedRule:
    type: ClassVar[str] = "concern_shared"
    concerns: tuple[SharedConcern, ...] = ()

    def evaluate(self, licences: Sequence[LicenceFact], *, today: date) -> Iterator[FindingFact]:
        for concern in self.concerns:
            held = [licence for licence in licences
                    if licence.driver_id == concern.driver_id and licence.is_active_driver_licence(today)
                    and licence.authority_code != concern.from_authority_code]
            if not held:
                continue
            acting = sorted_unique(licence.authority_code for licence in held)
            category = concern.category.replace("_", " ")
            due = f"; report your decision back by {concern.outcome_due_on.isoformat()}" if concern.outcome_due_on else ""
            yield FindingFact(
                type=self.type,
                fact_key=f"{self.type}:concern:{concern.concern_id}",
                licence_ids=sorted_unique(licence.licence_id for licence in held),
                driver_ids=(concern.driver_id,),
                for_authorities=acting,
                visible_to=sorted_unique((*acting, concern.from_authority_code)),
                summary=f"A {category} concern from {concern.from_authority_name} about a driver you license",
                evidence=(*(licensed_by(licence) for licence in held),
                          f"Concern {concern.concern_id} sent by {concern.from_authority_name} on "
                          f"{concern.sent_on.isoformat()}{due}"),
                severity="immediate",
            )


def concern_of(fact_key: str) -> int | None:
    """The concern a concern_shared finding is about, read back from the fact key made above."""
    prefix = f"{ConcernSharedRule.type}:concern:"
    number = fact_key.removeprefix(prefix)
    return int(number) if fact_key.startswith(prefix) and number.isdigit() else None
