"""Findings: what needs action about a driver, decided from the register's facts. Pure functions;
persisting findings and sending alerts belong to the services."""

from licensing.findings.facts import FindingFact, FindingRule, LicenceFact
from licensing.findings.rules import FINDING_TYPES, RULES, evaluate_findings, rules_with_register
from licensing.findings.rules.concern_shared import ConcernSharedRule, SharedConcern
from licensing.findings.rules.adverse_elsewhere import AdverseDecision, AdverseElsewhereRule
from licensing.findings.rules.identity_conflict import IdentityConflictRule
from licensing.findings.rules.multiple_licences import MultipleLicencesRule
from licensing.findings.rules.out_of_area import OutOfAreaRule

__all__ = [
    "FINDING_TYPES",
    "RULES",
    "AdverseDecision",
    "AdverseElsewhereRule",
    "ConcernSharedRule",
    "FindingFact",
    "FindingRule",
    "IdentityConflictRule",
    "LicenceFact",
    "MultipleLicencesRule",
    "OutOfAreaRule",
    "SharedConcern",
    "evaluate_findings",
    "rules_with_register",
]
