"""One person licensed to drive by more than one authority at once. Each authority sees only its
own register, so none of them knows; a hackney and a private hire licence from one authority are
that authority's own business and do not count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Iterator, Sequence

from licensing.findings.facts import FindingFact, LicenceFact, licensed_by, sorted_unique


@dataclass(frozen=True, slots=True)
class MultipleLicencesRule:
    type: ClassVar[str] = "multiple_licences"

    def evaluate(self, licences: Sequence[LicenceFact], *, today: date) -> Iterator[FindingFact]:
        active_by_driver: dict[int, list[LicenceFact]] = defaultdict(list)
        for licence in licences:
            if licence.driver_id is not None and licence.is_active_driver_licence(today):
                active_by_driver[licence.driver_id].append(licence)
        for driver_id in sorted(active_by_driver):
            held = sorted(active_by_driver[driver_id], key=lambda licence: licence.licence_id)
            authorities = sorted_unique(licence.authority_code for licence in held)
            if len(authorities) < 2:
                continue
            names = sorted({licence.authority_name for licence in held})
            yield FindingFact(
                type=self.type,
                # Keyed on the longest-known licence of the set (the lowest id), not the driver id:
                # driver ids change when people are re-resolved, and the key survives licences
                # joining or leaving the set as long as that first licence stays active.
                fact_key=f"{self.type}:licence:{held[0].licence_id}",
                licence_ids=tuple(licence.licence_id for licence in held),
                driver_ids=(driver_id,),
                for_authorities=authorities,
                visible_to=authorities,
                summary=f"Holds active driver licences with {len(authorities)} authorities: {', '.join(names)}",
                evidence=tuple(licensed_by(licence) for licence in held),
                severity="digest",
            )
