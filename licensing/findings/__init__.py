"""Findings: what needs action about a driver, decided from the register's facts. Pure functions;
persisting findings and sending alerts belong to the services."""

from licensing.findings.facts import FindingFact, FindingRule, LicenceFact
from licensing.findings.rules import RULES, evaluate_findings
from licensing.findings.rules.adverse_elsewhere import AdverseDecision, AdverseElsewhereRule
from licensing.findings.rules.identity_conflict import IdentityConflictRule
from licensing.findings.rules.multiple_licences import MultipleLicencesRule
from licensing.findings.rules.out_of_area import OutOfAreaRule

__all__ = [
    "RULES",
    "AdverseDecision",
    "AdverseElsewhereRule",
    "FindingFact",
    "FindingRule",
    "IdentityConflictRule",
    "LicenceFact",
    "MultipleLicencesRule",
    "OutOfAreaRule",
    "evaluate_findings",
]
