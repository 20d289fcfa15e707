"""A driver working on a licence from one authority after another authority revoked or suspended
theirs: the loophole the register exists to close (DOMAIN.md). NR3S tells no one when a decision is
recorded; this finding tells the authority that licenses the driver, and the home authority.

Two sources: decisions recorded in the decisions register (refusals, suspensions, revocations,
surrenders under investigation, and immediate suspensions by another English authority), given to
the rule as AdverseDecision values; and, where the register holds no decision, a licence record whose
status is revoked or suspended, which stands for one. A recorded decision about a licence record
takes that record's place under the same key, so the fact is raised once whichever arrived first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Iterator, Sequence

from licensing.findings.facts import FindingFact, LicenceFact, licence_type_words, licensed_by, sorted_unique

ADVERSE_STATUSES = frozenset(("revoked", "suspended"))


@dataclass(frozen=True, slots=True)
class AdverseDecision:
    source_key: str  # stable and free of personal data, e.g. 'licence:123'
    driver_id: int
    authority_code: str
    authority_name: str
    decision: str  # how it reads: 'revoked', 'refused renewal', 'immediately suspended'
    licence_type: str
    licence_number: str
    decided_on: date | None  # when the decision took effect, if recorded
    # The date retention runs from: the decision date, else the best stand-in the record offers.
    retained_from: date | None
    licence_ids: tuple[int, ...]
    # Set for decisions from the register: the evidence line as others may read it (no reasons).
    described: str | None = None

    def is_retained(self, today: date, years: int) -> bool:
        # A decision whose age cannot be shown is kept: dropping a real revocation does more harm
        # than keeping an old one.
        return self.retained_from is None or today < _years_after(self.retained_from, years)

    @property
    def evidence(self) -> str:
        if self.described:
            return self.described
        when = f"since {self.decided_on.isoformat()}" if self.decided_on else "date of decision not recorded"
        kind = licence_type_words(self.licence_type)
        # No licence number: every authority the finding concerns reads this (licensing/disclosure.py).
        records = ", ".join(f"record {licence_id}" for licence_id in self.licence_ids)
        return f"{self.decision.capitalize()} by {self.authority_name} ({kind} licence, {records}, {when})"


def decisions_from_licence_records(licences: Sequence[LicenceFact]) -> list[AdverseDecision]:
    """Revoked and suspended driver licence records of resolved people, whether or not the feed still
    lists them. With no decision date, the record's expiry (else issue) date stands in: a revocation
    falls inside the licence's term, so the expiry date is the latest it can have been and keeps
    the decision for at least the full retention period."""
    return [
        AdverseDecision(
            source_key=f"licence:{licence.licence_id}",
            driver_id=licence.driver_id,
            authority_code=licence.authority_code,
            authority_name=licence.authority_name,
            decision=licence.status,
            licence_type=licence.licence_type,
            licence_number=licence.licence_number,
            decided_on=licence.status_since,
            retained_from=licence.status_since or licence.expires_on or licence.issued_on,
            licence_ids=(licence.licence_id,),
        )
        for licence in licences
        if licence.is_driver_licence and licence.status in ADVERSE_STATUSES and licence.driver_id is not None
    ]


@dataclass(frozen=True, slots=True)
class AdverseElsewhereRule:
    type: ClassVar[str] = "adverse_elsewhere"
    retention_years: int = 11  # NR3S keeps entries for 11 years from the decision (DOMAIN.md)
    # Decisions from the register about the people in scope (licensing.services.statutory_findings).
    decisions: tuple[AdverseDecision, ...] = ()

    def evaluate(self, licences: Sequence[LicenceFact], *, today: date) -> Iterator[FindingFact]:
        decisions_by_driver: dict[int, list[AdverseDecision]] = defaultdict(list)
        for decision in _one_per_source(self.decisions, decisions_from_licence_records(licences)):
            if decision.is_retained(today, self.retention_years):
                decisions_by_driver[decision.driver_id].append(decision)
        for active in licences:
            if active.driver_id is None or not active.is_active_driver_licence(today):
                continue
            for decision in decisions_by_driver.get(active.driver_id, ()):
                if decision.authority_code != active.authority_code:
                    yield self._finding(active, decision)

    def _finding(self, active: LicenceFact, decision: AdverseDecision) -> FindingFact:
        acting = {active.authority_code}
        if active.placed_home_authority is not None:
            acting.add(active.placed_home_authority)
        return FindingFact(
            type=self.type,
            fact_key=f"{self.type}:licence:{active.licence_id}:{decision.source_key}",
            licence_ids=sorted_unique((active.licence_id, *decision.licence_ids)),
            driver_ids=(active.driver_id,),
            for_authorities=sorted_unique(acting),
            visible_to=sorted_unique((*acting, decision.authority_code)),
            summary=f"Licensed by {active.authority_name}; {decision.decision} by {decision.authority_name}",
            evidence=(licensed_by(active), decision.evidence),
            severity="immediate",
        )


def _one_per_source(recorded: Sequence[AdverseDecision], proxies: Sequence[AdverseDecision]) -> list[AdverseDecision]:
    """One decision per source key: a recorded decision replaces the licence status standing for it,
    and of two recorded about one licence (suspended, then revoked) the later one speaks."""
    chosen: dict[str, AdverseDecision] = {decision.source_key: decision for decision in proxies}
    latest: dict[str, AdverseDecision] = {}
    for decision in recorded:
        held = latest.get(decision.source_key)
        if held is None or (decision.decided_on or date.min) >= (held.decided_on or date.min):
            latest[decision.source_key] = decision
    chosen.update(latest)
    return [chosen[key] for key in sorted(chosen)]


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year: the period runs to 1 March
        return date(day.year + years, 3, 1)


def source_of(fact_key: str) -> tuple[str, int] | None:
    """What an adverse_elsewhere finding rests on, read back from the fact key made above
    (`...:licence:{held}:{source_key}`): ('licence', id), ('decision', id) or ('suspension', id)."""
    parts = fact_key.split(":")
    if len(parts) != 5 or parts[0] != AdverseElsewhereRule.type or not parts[4].isdigit():
        return None
    return parts[3], int(parts[4])
