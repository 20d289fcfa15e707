"""What is at stake in a finding, so that the few that matter come before the thousands that do
not. One authority may have tens of thousands of drivers licensed elsewhere living in its area;
the one its own licensing committee revoked must not sit among them unseen.

A finding's stake is a small number made of the person's circumstances, weighed in this order:
  - an adverse decision (refusal, suspension, revocation) or a concern about them anywhere;
  - refused, suspended or revoked by the authority where they live (the loophole itself);
  - licensed by more than one authority at once.
Findings are ranked by stake, then newest first (a driver newly arrived comes before one who has
been there for years), then by id. The pages (as an SQL ordering) and the daily digest use this
one ranking; the stake is worked out when the findings are refreshed and stored with the finding.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from licensing.findings.facts import FindingFact, LicenceFact
from licensing.findings.rules.adverse_elsewhere import (
    AdverseDecision, AdverseElsewhereRule, decisions_from_licence_records,
)
from licensing.findings.rules.concern_shared import ConcernSharedRule, SharedConcern

ADVERSE, REFUSED_AT_HOME, SEVERAL_AUTHORITIES = 4, 2, 1
# How each part of a stake reads, highest first.
STAKE_WORDS = (
    (ADVERSE, "Adverse decision or concern"),
    (REFUSED_AT_HOME, "Refused or revoked where they live"),
    (SEVERAL_AUTHORITIES, "Licensed by several authorities"),
)


@dataclass(frozen=True, slots=True)
class Circumstances:
    """What the register knows of one person that raises the stake of any finding about them."""

    adverse: bool = False
    refused_at_home: bool = False
    licensing_authorities: int = 0

    @property
    def stake(self) -> int:
        return ((ADVERSE if self.adverse or self.refused_at_home else 0)
                | (REFUSED_AT_HOME if self.refused_at_home else 0)
                | (SEVERAL_AUTHORITIES if self.licensing_authorities > 1 else 0))


def circumstances_of_people(licences: Sequence[LicenceFact], *, decisions: Iterable[AdverseDecision] = (),
                            concerns: Iterable[SharedConcern] = (), today: date,
                            retention_years: int = 11) -> dict[int, Circumstances]:
    """Each resolved person's circumstances, from every record of theirs in the scope and the
    decisions (still retained) and concerns the register holds about them."""
    homes: dict[int, set[str]] = defaultdict(set)
    licensing: dict[int, set[str]] = defaultdict(set)
    for licence in licences:
        if licence.driver_id is None:
            continue
        if licence.placed_home_authority:
            homes[licence.driver_id].add(licence.placed_home_authority)
        if licence.is_active_driver_licence(today):
            licensing[licence.driver_id].add(licence.authority_code)
    deciders: dict[int, set[str]] = defaultdict(set)
    for decision in (*decisions, *decisions_from_licence_records(licences)):
        if decision.is_retained(today, retention_years):
            deciders[decision.driver_id].add(decision.authority_code)
    concerned = {concern.driver_id for concern in concerns}
    people = {licence.driver_id for licence in licences if licence.driver_id is not None}
    return {
        person: Circumstances(adverse=bool(deciders.get(person)) or person in concerned,
                              refused_at_home=bool(deciders.get(person, set()) & homes.get(person, set())),
                              licensing_authorities=len(licensing.get(person, ())))
        for person in people
    }


def circumstances_from_rules(licences: Sequence[LicenceFact], rules, *, today: date) -> dict[int, Circumstances]:
    """The same, reading the decisions and concerns the rules were given for this scope."""
    decisions, concerns, retention_years = [], [], 11
    for rule in rules:
        if isinstance(rule, AdverseElsewhereRule):
            decisions, retention_years = list(rule.decisions), rule.retention_years
        elif isinstance(rule, ConcernSharedRule):
            concerns = list(rule.concerns)
    return circumstances_of_people(licences, decisions=decisions, concerns=concerns, today=today,
                                   retention_years=retention_years)


def stake_of(finding: FindingFact, people: dict[int, Circumstances]) -> int:
    """The highest stake of the people a finding is about; a finding that is itself about an
    adverse decision or a concern is adverse whatever else is known."""
    stake = 0
    for person in finding.driver_ids:
        stake = max(stake, people.get(person, Circumstances()).stake)
    if finding.type in (AdverseElsewhereRule.type, ConcernSharedRule.type):
        stake |= ADVERSE
    return stake


def stake_words(stake: int) -> list[str]:
    """Why a finding ranks where it does, in the officer's words; empty for the plain ones."""
    return [words for bit, words in STAKE_WORDS if stake & bit]


# The ranking: by each of these, highest first. The store orders its queries by the same names
# (licensing/store/findings.py: in_rank_order), so a page and the digest rank alike.
RANKED_BY = ("stake", "opened_at", "id")


def rank_key(finding) -> tuple:
    """Sort ascending by this to rank anything with a stake, an opening time and an id."""
    return tuple(_descending(getattr(finding, name)) for name in RANKED_BY)


def _descending(value) -> float:
    return -value.timestamp() if isinstance(value, datetime) else -value
