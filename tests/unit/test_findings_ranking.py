"""What is at stake in a finding, and the ranking pages and digests share."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from licensing.findings import RULES, evaluate_findings, rules_with_register
from licensing.findings.ranking import (
    ADVERSE, REFUSED_AT_HOME, SEVERAL_AUTHORITIES, Circumstances, circumstances_from_rules, circumstances_of_people,
    rank_key, stake_of, stake_words,
)
from licensing.findings.rules.adverse_elsewhere import AdverseDecision
from licensing.findings.rules.concern_shared import SharedConcern
from tests.unit.test_findings_rules import LEEDS, MANCHESTER, TODAY, WOLVERHAMPTON, licence

# Lives in Manchester, licensed by Wolverhampton.
OUT_OF_AREA = dict(licence_id=1, driver_id=1, authority=WOLVERHAMPTON, home=MANCHESTER)


def findings_with_stakes(*licences, decisions=(), concerns=()):
    rules = rules_with_register(decisions=decisions, concerns=concerns, rules=RULES)
    people = circumstances_from_rules(licences, rules, today=TODAY)
    return {f.type: stake_of(f, people) for f in evaluate_findings(licences, today=TODAY, rules=rules)}


def decision(*, authority, driver_id=1, decided_on=date(2024, 3, 1)) -> AdverseDecision:
    return AdverseDecision(source_key=f"decision:{authority[0]}", driver_id=driver_id, authority_code=authority[0],
                           authority_name=authority[1], decision="refused", licence_type="private_hire_driver",
                           licence_number="X1", decided_on=decided_on, retained_from=decided_on, licence_ids=(9,))


def test_a_driver_licensed_out_of_area_with_nothing_against_them_has_nothing_at_stake():
    assert findings_with_stakes(licence(**OUT_OF_AREA)) == {"out_of_area": 0}


def test_revoked_where_they_live_raises_every_finding_about_them():
    revoked_at_home = licence(licence_id=2, driver_id=1, authority=MANCHESTER, number="M1", status="revoked",
                              home=MANCHESTER)
    stakes = findings_with_stakes(licence(**OUT_OF_AREA), revoked_at_home)
    assert stakes == {"out_of_area": ADVERSE | REFUSED_AT_HOME, "adverse_elsewhere": ADVERSE | REFUSED_AT_HOME}
    assert stake_words(stakes["out_of_area"]) == ["Adverse decision or concern", "Refused or revoked where they live"]


def test_a_refusal_elsewhere_is_adverse_but_not_at_home():
    stakes = findings_with_stakes(licence(**OUT_OF_AREA), decisions=[decision(authority=LEEDS)])
    assert stakes["out_of_area"] == ADVERSE


def test_a_refusal_past_retention_raises_nothing():
    old = decision(authority=MANCHESTER, decided_on=date(2010, 1, 1))
    assert findings_with_stakes(licence(**OUT_OF_AREA), decisions=[old]) == {"out_of_area": 0}


def test_a_concern_about_the_driver_is_adverse():
    concern = SharedConcern(concern_id=1, driver_id=1, from_authority_code=LEEDS[0], from_authority_name=LEEDS[1],
                            category="safeguarding", sent_on=date(2025, 5, 1), outcome_due_on=None)
    people = circumstances_of_people([licence(**OUT_OF_AREA)], concerns=[concern], today=TODAY)
    assert people[1].stake == ADVERSE


def test_licensed_by_several_authorities_counts_only_working_licences():
    second = licence(licence_id=2, driver_id=1, authority=LEEDS, number="L1", home=MANCHESTER)
    stakes = findings_with_stakes(licence(**OUT_OF_AREA), second)
    assert stakes["out_of_area"] == SEVERAL_AUTHORITIES and stakes["multiple_licences"] == SEVERAL_AUTHORITIES
    expired = licence(licence_id=2, driver_id=1, authority=LEEDS, number="L1", home=MANCHESTER,
                      expires_on=TODAY - timedelta(days=1))
    assert circumstances_of_people([licence(**OUT_OF_AREA), expired], today=TODAY)[1].licensing_authorities == 1


def test_a_finding_about_an_adverse_decision_is_adverse_whatever_is_known_of_the_person():
    people = {1: Circumstances()}
    (finding,) = evaluate_findings([licence(**OUT_OF_AREA)], today=TODAY, rules=RULES)
    assert stake_of(finding, people) == 0
    assert stake_of(replace(finding, type="concern_shared"), people) == ADVERSE


@dataclass
class Listed:
    id: int
    stake: int
    opened_at: datetime


def test_the_ranking_puts_stake_first_then_the_newest_then_the_highest_id():
    monday = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    old_but_at_stake = Listed(1, ADVERSE | REFUSED_AT_HOME, monday - timedelta(days=300))
    newly_arrived = Listed(2, 0, monday)
    several = Listed(3, SEVERAL_AUTHORITIES, monday - timedelta(days=10))
    same_time = Listed(4, 0, monday)
    adverse = Listed(5, ADVERSE, monday - timedelta(days=1))
    ranked = sorted([newly_arrived, several, old_but_at_stake, same_time, adverse], key=rank_key)
    assert [item.id for item in ranked] == [1, 5, 3, 4, 2]
