"""The findings rules. A new type of finding is a new rule added to RULES; the others stay as
they are."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Iterable, Sequence

from licensing.findings.facts import FindingFact, FindingRule, LicenceFact
from licensing.findings.rules.adverse_elsewhere import AdverseDecision, AdverseElsewhereRule
from licensing.findings.rules.concern_shared import ConcernSharedRule, SharedConcern
from licensing.findings.rules.identity_conflict import IdentityConflictRule
from licensing.findings.rules.multiple_licences import MultipleLicencesRule
from licensing.findings.rules.out_of_area import OutOfAreaRule

RULES: tuple[FindingRule, ...] = (
    OutOfAreaRule(),
    AdverseElsewhereRule(retention_years=11),
    MultipleLicencesRule(),
    IdentityConflictRule(),
    ConcernSharedRule(),
)
# The finding types, defined once by the rules that raise them.
FINDING_TYPES: tuple[str, ...] = tuple(rule.type for rule in RULES)


def rules_with_register(*, decisions: Iterable[AdverseDecision] = (), concerns: Iterable[SharedConcern] = (),
                        retention_years: int = 11, rules: Sequence[FindingRule] = RULES) -> tuple[FindingRule, ...]:
    """The rules given what the statutory register holds about the people in scope: its recorded
    decisions and the concerns sent about them."""
    given = []
    for rule in rules:
        if isinstance(rule, AdverseElsewhereRule):
            rule = replace(rule, decisions=tuple(decisions), retention_years=retention_years)
        elif isinstance(rule, ConcernSharedRule):
            rule = replace(rule, concerns=tuple(concerns))
        given.append(rule)
    return tuple(given)


def evaluate_findings(
    licences: Sequence[LicenceFact], *, today: date, rules: Sequence[FindingRule] = RULES
) -> list[FindingFact]:
    """Every finding the scope gives rise to, in a fixed order.

    Rules that look at a person (adverse_elsewhere, multiple_licences) assume the scope holds every
    record of each driver in it; a driver with records missing from the scope could lose findings.
    """
    findings = [finding for rule in rules for finding in rule.evaluate(licences, today=today)]
    return sorted(findings, key=lambda finding: (finding.type, finding.licence_ids, finding.fact_key))
