"""The statutory register's journeys in a real browser, each page checked for accessibility:
recording a decision, a concern raised by one authority and answered by another, a request for
detail and its answer, and the overdue list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from licensing.clock import london_today
from licensing.services import concerns, detail_requests
from licensing.store.concerns import ConcernRecipient
from licensing.store.detail_requests import DetailRequest
from licensing.store.models import Licence
from tests.browser.steps import search_for_tariq
from tests.integration.pages.register import MANCHESTER, PASSWORD, WOLVERHAMPTON, add_user, email_of
from tests.integration.pages.statutory import officer_of


@pytest.fixture(scope="module", autouse=True)
def manchester_officer(served):
    """Manchester, where Tariq lives and was licensed before, sees his page and raises concerns."""
    return add_user(served.crosscheck, "licensing_officer", MANCHESTER)


def fill_date(page, name: str, day) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def open_tariq(trip):
    """Search for Tariq and open his page, as an officer would before raising anything."""
    trip.go("/search", "search")
    page = search_for_tariq(trip)
    page.click("text=Open this person")
    return trip.check("person")


def test_a_licensing_officer_records_a_decision_and_reads_what_others_see(journey):
    trip = journey("decision")
    trip.sign_in(email_of("licensing_officer", WOLVERHAMPTON), PASSWORD)
    page = trip.go("/decisions", "decisions-empty")
    page.click("text=Record a decision")
    trip.check("the-decision")
    page.click("button:has-text('Continue')")
    trip.check("the-decision-errors")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Select the decision your authority made" in summary and "Enter the date of the decision" in summary
    page.check("input[name=decision][value=revoked]")
    page.check("input[name=licence_type][value=private_hire_driver]")
    decided = london_today() - timedelta(days=7)
    fill_date(page, "decided_on", decided)
    fill_date(page, "effective_from", decided)
    page.check("input[name=grounds][value=safeguarding]")
    page.click("button:has-text('Continue')")
    trip.check("the-person")
    page.fill("#surname", "Mahmood")
    page.fill("#forenames", "Tariq")
    fill_date(page, "date_of_birth", decided.replace(year=1979, month=3, day=15))
    page.fill("#licence_number", "W1")
    page.click("button:has-text('Continue')")
    trip.check("the-reason")
    page.click("button:has-text('Continue')")
    trip.check("the-reason-missing")
    assert "Enter the reason" in page.locator(".govuk-error-summary").inner_text()
    page.fill("#reason", "Harassment of a passenger, reported by West Midlands Police")
    page.click("button:has-text('Continue')")
    trip.check("check")
    assert "What other authorities will see" in page.content() and "Harassment of a passenger" in page.content()
    page.click("button:has-text('Record the decision')")
    trip.check("recorded")
    assert "The decision is recorded" in page.content()
    assert "What other authorities see" in page.content() and "Only your authority sees" in page.content()
    page.click("text=Record an appeal's outcome")
    trip.check("appeal-form")
    page.check("input[value=pending]")
    page.fill("#note", "Appeal lodged at the magistrates' court")
    page.click("button:has-text('Record the outcome')")
    trip.check("appeal-recorded")
    assert "waiting to be heard" in page.locator(".govuk-summary-list").first.inner_text()
    trip.go("/decisions", "decisions")
    assert "Revoked" in page.locator("table").inner_text()


def test_a_concern_raised_by_one_authority_is_answered_by_the_licensing_authority(journey):
    sender = journey("concern")
    sender.sign_in(email_of("licensing_officer", MANCHESTER), PASSWORD)
    page = open_tariq(sender)
    page.click("text=Raise a safeguarding or road-safety concern")
    sender.check("concern-form")
    page.click("button:has-text('Send the concern')")
    sender.check("concern-errors")
    assert "Say what happened" in page.locator(".govuk-error-summary").inner_text()
    page.check("input[name=category][value=safeguarding]")
    page.fill("#what_happened", "A passenger reported unwanted sexual comments during a journey")
    page.fill("#where", "Piccadilly Gardens, Manchester")
    page.check("input[name=how_known][value=complaint]")
    fill_date(page, "became_aware_on", london_today() - timedelta(days=1))
    page.click("button:has-text('Send the concern')")
    sender.check("concern-sent")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "City of Wolverhampton Council" in banner and "within the 10 working days" in banner
    assert "To send by" in page.content()
    concern_path = page.url.removeprefix(sender.base_url).split("?")[0]

    receiver = journey("concern-answer")
    receiver.sign_in(email_of("licensing_officer", WOLVERHAMPTON), PASSWORD)
    page = receiver.go("/concerns", "concerns-received")
    page.click(f"a[href='{concern_path}']")
    receiver.check("concern")
    page.click("button:has-text('Record the decision')")
    receiver.check("outcome-errors")
    page.check("input[name=outcome][value=warning]")
    page.fill("#consideration", "Interviewed the driver with the passenger's account; final written warning")
    page.click("button:has-text('Record the decision')")
    receiver.check("outcome-recorded")
    assert "sent back to Manchester City Council" in page.content()

    page = sender.go(concern_path, "outcome-read")
    assert "final written warning" in page.locator("table").inner_text()


def test_a_request_for_detail_is_answered_and_the_requester_reads_the_answer(journey):
    asker = journey("request")
    asker.sign_in(email_of("licensing_officer", MANCHESTER), PASSWORD)
    page = open_tariq(asker)
    page.click("text=Ask City of Wolverhampton Council for the detail")
    asker.check("request-form")
    page.click("button:has-text('Send the request')")
    asker.check("request-errors")
    page.fill("#question", "What checks were made before the licence was granted?")
    page.fill("#application_reference", "MAN/2026/0142")
    page.click("button:has-text('Send the request')")
    asker.check("request-sent")
    assert "It is due by" in page.content()
    request_path = page.url.removeprefix(asker.base_url).split("?")[0]

    recorder = journey("request-answer")
    recorder.sign_in(email_of("licensing_officer", WOLVERHAMPTON), PASSWORD)
    page = recorder.go("/requests", "requests-received")
    page.click(f"a[href='{request_path}']")
    recorder.check("request")
    page.fill("#answer", "Enhanced DBS check and a medical; no previous licence elsewhere was declared")
    page.fill("#document_reference", "Licensing file W1, pages 3-9")
    page.click("button:has-text('Send the answer')")
    recorder.check("answered")

    # The answer is in the asker's notices; opening it goes to the request and marks it read.
    page = asker.go("/notices", "notices")
    assert "Your request was answered" in page.content()
    page.click("button:has-text('Open')")
    asker.check("answer-read")
    assert page.url.removeprefix(asker.base_url) == request_path
    assert "no previous licence elsewhere was declared" in page.content()


def test_the_overdue_list_shows_what_the_authority_owes(journey, served):
    crosscheck = served.crosscheck
    manchester = officer_of(MANCHESTER, "licensing_officer")
    with crosscheck.unit_of_work() as uow:
        w1 = uow.session.execute(select(Licence.id).where(Licence.licence_number == "W1")).scalar_one()
    with crosscheck.unit_of_work() as uow:
        concern = concerns.raise_concern(uow, manchester, concerns.ConcernInput(
            category="road_safety", what_happened="Ran a red light with passengers", where="Oxford Road",
            how_known="police", became_aware_on=london_today(), licence_id=w1)).id
    with crosscheck.unit_of_work() as uow:
        asked = detail_requests.request_detail(uow, manchester, question="Any earlier complaints?", licence_id=w1).id
    past = london_today() - timedelta(days=2)
    with crosscheck.unit_of_work() as uow:
        uow.session.execute(update(ConcernRecipient).where(ConcernRecipient.concern_id == concern)
                            .values(outcome_due_on=past))
        uow.session.execute(update(DetailRequest).where(DetailRequest.id == asked).values(due_on=past))
        uow.commit()

    trip = journey("overdue", phone=True)
    trip.sign_in(email_of("authority_admin", WOLVERHAMPTON), PASSWORD)
    page = trip.go("/overdue", "overdue")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert f"Concern {concern}" in page.content() and f"Request {asked}" in page.content()
    page.click(f"text=Concern {concern}")
    trip.check("overdue-concern")
    assert "Overdue" in page.locator("table").inner_text()
