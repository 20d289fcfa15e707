"""A driver licensed by one authority who lives in another's area: the home authority's
enforcement team cannot otherwise see them (DOMAIN.md, "Why the product exists")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Iterator, Sequence

from licensing.findings.facts import FindingFact, LicenceFact, licensed_by, sorted_unique


@dataclass(frozen=True, slots=True)
class OutOfAreaRule:
    type: ClassVar[str] = "out_of_area"

    def evaluate(self, licences: Sequence[LicenceFact], *, today: date) -> Iterator[FindingFact]:
        for licence in licences:
            home = licence.placed_home_authority
            if home is None or home == licence.authority_code or not licence.is_active_driver_licence(today):
                continue
            lives = "Probably lives" if licence.home_precision == "probable" else "Lives"
            yield FindingFact(
                type=self.type,
                # The home authority is part of the fact: after a move, the new home authority's team
                # gets a finding of its own and the old one's closes.
                fact_key=f"{self.type}:licence:{licence.licence_id}:home:{home}",
                licence_ids=(licence.licence_id,),
                driver_ids=(licence.driver_id,) if licence.driver_id is not None else (),
                for_authorities=(home,),
                visible_to=sorted_unique((home, licence.authority_code)),
                summary=f"{lives} in {licence.home_name}'s area; licensed by {licence.authority_name}",
                evidence=(licensed_by(licence), _home_evidence(licence)),
                severity="digest",
            )


def _home_evidence(licence: LicenceFact) -> str:
    if licence.home_precision == "exact":
        return f"Home postcode lies in {licence.home_name}'s area (exact)"
    # A postcode missing from the full list is placed by its sector or outward code, and the share
    # says how much of that area lies in the district it was given.
    share = "share unknown" if licence.home_share is None else f"{licence.home_share:.0%} of the postcode's area"
    return f"Home postcode probably lies in {licence.home_name}'s area (probable: {share})"
