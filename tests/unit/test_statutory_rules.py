"""The statutory periods and the findings rules that decisions and concerns feed: pure, no database."""

from __future__ import annotations

from datetime import date

import pytest

from licensing.findings import AdverseDecision, LicenceFact, SharedConcern, evaluate_findings, rules_with_register
from licensing.statutory.settings import StatutorySettings
from licensing.statutory.working_days import (
    UnknownNation, is_working_day, last_day_of_period, working_days_after, working_days_between,
)

TODAY = date(2026, 12, 1)


def test_ten_working_days_begin_with_the_day_of_awareness():
    # Monday 2 March 2026 is day 1; no bank holidays: day 10 is Friday 13 March.
    assert last_day_of_period(date(2026, 3, 2), 10, "England") == date(2026, 3, 13)
    # Aware on a Saturday: the period begins with the next working day.
    assert last_day_of_period(date(2026, 2, 28), 10, "England") == date(2026, 3, 13)


def test_christmas_counts_each_nations_own_bank_holidays():
    # 25 and 28 December and 1 January everywhere; Scotland also keeps 2 January (moved to Monday 4th in 2027).
    assert last_day_of_period(date(2026, 12, 21), 10, "England") == date(2027, 1, 6)
    assert last_day_of_period(date(2026, 12, 21), 10, "Wales") == date(2027, 1, 6)
    assert last_day_of_period(date(2026, 12, 21), 10, "Scotland") == date(2027, 1, 7)
    # Easter Monday is a bank holiday in England and Wales, not in Scotland.
    assert not is_working_day(date(2026, 4, 6), "England") and is_working_day(date(2026, 4, 6), "Scotland")


def test_a_reply_due_in_twenty_working_days_and_the_days_left():
    due = working_days_after(date(2026, 12, 21), 20, "England")
    assert due == date(2027, 1, 21)
    assert working_days_between(date(2026, 12, 21), due, "England") == 20
    with pytest.raises(UnknownNation):
        is_working_day(TODAY, "Northern Ireland")


def test_settings_refuse_nonsense():
    assert StatutorySettings.from_env({}).immediate_suspension_hours == 48
    assert StatutorySettings.from_env({"CROSSCHECK_DECISION_RETENTION_YEARS": "25"}).decision_retention_years == 25
    with pytest.raises(ValueError, match="CROSSCHECK_IMMEDIATE_SUSPENSION_HOURS"):
        StatutorySettings.from_env({"CROSSCHECK_IMMEDIATE_SUSPENSION_HOURS": "0"})


def licence(*, licence_id: int, authority: str, status: str = "active", driver_id: int = 1) -> LicenceFact:
    return LicenceFact(
        licence_id=licence_id, driver_id=driver_id, authority_code=authority, authority_name=f"{authority} Council",
        licence_number=f"L{licence_id}", licence_type="private_hire_driver", status=status, in_register=True,
        issued_on=date(2025, 1, 1), expires_on=date(2028, 1, 1), surname="MAHMOOD", forenames="Tariq",
        date_of_birth=date(1979, 3, 15), driving_licence_number=None, dln_grade=None, home_authority_code=None,
        home_authority_name=None, home_precision="unknown", home_share=None, status_since=None)


def decision(*, source_key: str, authority: str = "B", decided_on: date = date(2026, 6, 1),
             licence_ids=(), words: str = "refused") -> AdverseDecision:
    return AdverseDecision(source_key=source_key, driver_id=1, authority_code=authority,
                           authority_name=f"{authority} Council", decision=words, licence_type="private_hire_driver",
                           licence_number="", decided_on=decided_on, retained_from=decided_on,
                           licence_ids=tuple(licence_ids), described=f"{words} by {authority} Council")


def test_a_recorded_decision_raises_adverse_elsewhere_within_retention_only():
    licences = [licence(licence_id=1, authority="A")]
    fresh = rules_with_register(decisions=[decision(source_key="decision:7")])
    found, = [f for f in evaluate_findings(licences, today=TODAY, rules=fresh) if f.type == "adverse_elsewhere"]
    assert found.fact_key == "adverse_elsewhere:licence:1:decision:7" and found.for_authorities == ("A",)
    assert found.visible_to == ("A", "B")
    old = rules_with_register(decisions=[decision(source_key="decision:7", decided_on=date(2014, 1, 1))])
    assert [f for f in evaluate_findings(licences, today=TODAY, rules=old) if f.type == "adverse_elsewhere"] == []
    longer = rules_with_register(decisions=[decision(source_key="decision:7", decided_on=date(2014, 1, 1))],
                                 retention_years=25)
    assert [f.type for f in evaluate_findings(licences, today=TODAY, rules=longer)] == ["adverse_elsewhere"]


def test_a_decision_about_a_revoked_record_replaces_it_and_the_latest_of_two_speaks():
    licences = [licence(licence_id=1, authority="A"), licence(licence_id=2, authority="B", status="revoked")]
    proxy, = [f for f in evaluate_findings(licences, today=TODAY) if f.type == "adverse_elsewhere"]
    recorded = rules_with_register(decisions=[
        decision(source_key="licence:2", licence_ids=(2,), words="suspended", decided_on=date(2026, 1, 1)),
        decision(source_key="licence:2", licence_ids=(2,), words="revoked", decided_on=date(2026, 3, 1))])
    found, = [f for f in evaluate_findings(licences, today=TODAY, rules=recorded) if f.type == "adverse_elsewhere"]
    assert found.fact_key == proxy.fact_key
    assert "revoked by B Council" in found.evidence


def test_a_shared_concern_is_for_every_authority_licensing_the_person_but_the_sender():
    licences = [licence(licence_id=1, authority="A"), licence(licence_id=2, authority="C"),
                licence(licence_id=3, authority="S")]
    concern = SharedConcern(concern_id=5, driver_id=1, from_authority_code="S", from_authority_name="S Council",
                            category="safeguarding", sent_on=TODAY, outcome_due_on=date(2026, 12, 29))
    found, = [f for f in evaluate_findings(licences, today=TODAY, rules=rules_with_register(concerns=[concern]))
              if f.type == "concern_shared"]
    assert found.for_authorities == ("A", "C") and found.visible_to == ("A", "C", "S")
    assert found.severity == "immediate" and found.licence_ids == (1, 2)
