"""The statutory register's pages on both databases: recording and correcting a decision, a concern
and its answer, a request for detail and its answer, an immediate suspension and the issuer's
answer, and the overdue lists; each through the same services as the API."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from licensing.clock import london_today
from licensing.services import pipeline
from licensing.store.concerns import ConcernRecipient
from licensing.store.decisions import Decision
from licensing.store.detail_requests import DetailRequest
from licensing.store.findings import Finding
from licensing.store.models import Licence
from licensing.store.outbox import OutboxMessage
from tests.integration.pages.register import BOLTON, WOLVERHAMPTON, csrf_token, email_of, load_register, sign_in


@pytest.fixture
def register(crosscheck):
    loaded = load_register(crosscheck)
    with crosscheck.unit_of_work(write=False) as uow:
        loaded["licence"] = uow.session.execute(select(Licence.id).where(Licence.licence_number == "W1")).scalar_one()
    return loaded


def as_officer(web, role: str, code: str, page: str = "/account/two-factor") -> str:
    web.post("/sign-out", data={"csrf_token": csrf_token(web)})
    assert sign_in(web, email_of(role, code)).status_code == 302
    return csrf_token(web, page)


def decision_form(token: str, **more) -> dict:
    decided = london_today() - timedelta(days=10)
    form = {"csrf_token": token, "decision": "revoked", "licence_type": "private_hire_driver", "grounds": "safeguarding",
            "decided_on-day": decided.day, "decided_on-month": decided.month, "decided_on-year": decided.year,
            "effective_from-day": decided.day, "effective_from-month": decided.month,
            "effective_from-year": decided.year, "surname": "Mahmood", "forenames": "Tariq",
            "date_of_birth-day": "15", "date_of_birth-month": "3", "date_of_birth-year": "1979",
            "licence_number": "W1", "reason": "Harassment of a passenger, reported by the police"}
    return form | more


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_licensing_officer_records_a_decision_then_amends_records_an_appeal_and_withdraws_it(crosscheck, web,
                                                                                              register):
    token = as_officer(web, "licensing_officer", WOLVERHAMPTON, "/decisions/new")
    # A page at a time: the decision's own questions first, each problem in the summary in page order.
    empty = web.post("/decisions/new", data={"csrf_token": token, "step": "decision"})
    assert empty.status_code == 400
    for message in ("There is a problem", "Select the decision your authority made", 'href="#decided_on-day"'):
        assert message in text(empty)
    assert "Enter the person's surname" not in text(empty)  # asked on the next page
    assert text(empty).index('href="#decision"') < text(empty).index('href="#decided_on-day"')
    first = decision_form(token, step="decision", surname="", reason="")
    person = web.post("/decisions/new", data=first)
    assert person.status_code == 200 and "The person, as your records name them" in text(person)
    assert 'type="hidden" name="decision" value="revoked"' in text(person)  # earlier answers travel in the form
    assert "Enter the person" not in text(person)
    missing = web.post("/decisions/new", data=first | {"step": "person"})
    assert missing.status_code == 400 and "Enter the person's surname" in text(missing)
    check = web.post("/decisions/new", data=decision_form(token, step="reason"))
    assert "Check the decision before you record it" in text(check) and "What other authorities will see" in text(check)
    back = web.post("/decisions/new", data=decision_form(token, step="check", go="person"))
    assert 'value="Mahmood"' in text(back) and "The person, as your records name them" in text(back)
    future = london_today() + timedelta(days=5)
    refused = web.post("/decisions/new", data=decision_form(token, step="check", **{
        "decided_on-day": future.day, "decided_on-month": future.month, "decided_on-year": future.year}))
    assert refused.status_code == 400 and "in the future" in text(refused) and "The decision" in text(refused)
    too_long = web.post("/decisions/new", data=decision_form(token, step="check", postcode="M14 5AA" * 3))
    assert too_long.status_code == 400 and "10 characters or fewer" in text(too_long)

    recorded = web.post("/decisions/new", data=decision_form(token, step="check"))
    assert recorded.status_code == 302
    path = recorded.headers["Location"].split("?")[0]
    page = text(web.get(recorded.headers["Location"]))
    assert "The decision is recorded" in page and "What other authorities see" in page
    assert "Only your authority sees" in page and "Harassment of a passenger" in page
    listed = text(web.get("/decisions"))
    assert path.rsplit("/", 1)[1] in listed and "Revoked" in listed

    amend = web.get(f"{path}/amend")
    assert 'value="Mahmood"' in text(amend)
    no_note = web.post(f"{path}/amend", data=decision_form(token, grounds="road_safety"))
    assert no_note.status_code == 400 and "Say why the entry is being amended" in text(no_note)
    amended = web.post(f"{path}/amend", data=decision_form(token, grounds="road_safety", note="Wrong grounds"))
    assert amended.status_code == 302 and "The amendment is saved" in text(web.get(amended.headers["Location"]))
    appeal = web.post(f"{path}/appeal", data={"csrf_token": token, "appeal_outcome": "allowed", "note": "Magistrates",
                                              "appeal_decided_on-day": london_today().day,
                                              "appeal_decided_on-month": london_today().month,
                                              "appeal_decided_on-year": london_today().year})
    assert appeal.status_code == 302 and "Overturned on appeal" in text(web.get(path))
    assert web.post(f"{path}/withdraw", data={"csrf_token": token}).status_code == 400
    assert web.post(f"{path}/withdraw", data={"csrf_token": token, "note": "Recorded in error"}).status_code == 302
    page = text(web.get(path))
    assert "Withdrawn" in page and "Recorded in error" in page and f"{path}/amend" not in page
    with crosscheck.unit_of_work(write=False) as uow:
        decision = uow.session.get(Decision, int(path.rsplit("/", 1)[1]))
        assert (decision.grounds, decision.appeal_outcome, decision.state) == ("road_safety", "allowed", "withdrawn")

    # Another authority's officer can neither read it unshown nor change it.
    token = as_officer(web, "enforcement_officer", WOLVERHAMPTON)
    assert web.post("/decisions/new", data=decision_form(token, step="check")).status_code == 403
    assert web.post(f"{path}/withdraw", data={"csrf_token": token, "note": "not my role"}).status_code == 403
    token = as_officer(web, "licensing_officer", BOLTON, "/decisions/new")
    assert web.get(path).status_code == 404
    assert web.post(f"{path}/withdraw", data={"csrf_token": token, "note": "not ours"}).status_code == 404


def test_a_concern_raised_from_the_person_page_is_answered_by_the_licensing_authority(crosscheck, web, register):
    token = as_officer(web, "licensing_officer", WOLVERHAMPTON)
    # Wolverhampton's officer sees what it may do about Manchester's licence; its own needs no concern.
    person = text(web.get(f"/people/{register['driver']}"))
    assert "Ask Manchester City Council for the detail" in person

    token = as_officer(web, "enforcement_officer", BOLTON, "/concerns")
    form = f"/concerns/new?licence={register['licence']}"
    empty = web.post(form, data={"csrf_token": token})
    assert empty.status_code == 400 and "Select what the concern is about" in text(empty)
    aware = london_today() - timedelta(days=1)
    sent = web.post(form, data={"csrf_token": token, "category": "road_safety", "what_happened": "Ran a red light",
                                "where": "Deansgate", "how_known": "enforcement", "became_aware_on-day": aware.day,
                                "became_aware_on-month": aware.month, "became_aware_on-year": aware.year})
    assert sent.status_code == 302
    concern = sent.headers["Location"].split("?")[0]
    page = text(web.get(sent.headers["Location"]))
    assert "The concern is sent to City of Wolverhampton Council" in page and "Sent in time" in page
    assert "To send by" in page and "Record your authority" not in page

    pipeline.process_feeds(crosscheck)  # the jobs worker's next pass raises the concern_shared finding
    with crosscheck.unit_of_work(write=False) as uow:
        finding = uow.session.execute(select(Finding.id).where(Finding.type == "concern_shared")).scalar_one()
    token = as_officer(web, "enforcement_officer", WOLVERHAMPTON, "/findings")
    assert "Read the concern and record" in text(web.get(f"/findings/{finding}"))
    assert web.get(f"/findings/{finding}/concern").headers["Location"] == concern
    assert web.get(f"/findings/{register['finding']}/concern").status_code == 404  # not a concern
    missing = web.post(f"{concern}/outcome", data={"csrf_token": token, "outcome": "warning"})
    assert missing.status_code == 400 and "Say what your authority considered" in text(missing)
    answered = web.post(f"{concern}/outcome", data={"csrf_token": token, "outcome": "warning",
                                                    "consideration": "Interviewed the driver; final warning"})
    assert answered.status_code == 302
    assert web.post(f"{concern}/outcome", data={"csrf_token": token, "outcome": "warning",
                                                "consideration": "again"}).status_code == 409
    token = as_officer(web, "enforcement_officer", BOLTON, "/concerns")
    # The sender cannot answer its own concern; an authority it was not sent to cannot see it.
    assert web.post(f"{concern}/outcome", data={"csrf_token": token, "outcome": "no_action",
                                                "consideration": "ours"}).status_code == 403

    with crosscheck.unit_of_work(write=False) as uow:
        told = uow.session.execute(select(OutboxMessage).where(OutboxMessage.subject.like("%decision on a concern%"))
                                   ).scalar_one()
    assert f"{concern}\n" in told.body and "/api/v1/" not in told.body  # the email links to the page

    as_officer(web, "licensing_officer", BOLTON)
    page = text(web.get(concern))
    assert "A warning" in page and "Interviewed the driver; final warning" in page
    assert "A warning" not in text(web.get("/concerns")) and "1 of 1 answered" in text(web.get("/concerns?direction=sent"))


def test_a_request_for_detail_is_answered_and_the_requester_reads_the_answer(crosscheck, web, register):
    token = as_officer(web, "licensing_officer", BOLTON, "/requests")
    form = f"/requests/new?licence={register['licence']}"
    assert "Ask for the detail" in text(web.get(form))
    sent = web.post(form, data={"csrf_token": token, "question": "Why was the licence granted?",
                                "application_reference": "BOL/2026/77"})
    assert sent.status_code == 302
    asked = sent.headers["Location"].split("?")[0]
    assert "It is due by" in text(web.get(sent.headers["Location"]))

    token = as_officer(web, "licensing_officer", WOLVERHAMPTON, "/requests")
    assert "Request " + asked.rsplit("/", 1)[1] in text(web.get("/requests"))
    assert web.post(f"{asked}/answer", data={"csrf_token": token}).status_code == 400
    assert web.post(f"{asked}/answer", data={"csrf_token": token, "answer": "Granted after a DBS check",
                                             "document_reference": "Committee minutes 4/2025"}).status_code == 302

    # From a finding: Wolverhampton asks Manchester about the revoked licence the finding rests on.
    asked_from_finding = web.post(f"/requests/new?finding={register['finding']}",
                                  data={"csrf_token": token, "question": "What were the grounds for revocation?"})
    assert asked_from_finding.status_code == 302
    with crosscheck.unit_of_work(write=False) as uow:
        made = uow.session.execute(select(DetailRequest).where(DetailRequest.finding_id == register["finding"])).scalar_one()
        assert made.to_authority_code == "E08000003" and made.licence_id is not None

    as_officer(web, "licensing_officer", BOLTON)
    page = text(web.get(asked))
    assert "Granted after a DBS check" in page and "Committee minutes 4/2025" in page and "Send the answer" not in page


def test_a_notice_in_the_service_leads_to_what_it_is_about_and_is_then_read(crosscheck, web, register):
    token = as_officer(web, "licensing_officer", BOLTON, "/requests")
    asked = web.post(f"/requests/new?licence={register['licence']}",
                     data={"csrf_token": token, "question": "Why was the licence granted?"}).headers["Location"]
    asked = asked.split("?")[0]
    token = as_officer(web, "licensing_officer", WOLVERHAMPTON, "/notices")
    received = text(web.get("/notices"))
    assert "Request for detail received" in received and "New" in received
    token = as_officer(web, "licensing_officer", WOLVERHAMPTON, f"{asked}")
    web.post(f"{asked}/answer", data={"csrf_token": token, "answer": "Granted after a DBS check"})

    token = as_officer(web, "enforcement_officer", BOLTON, "/notices")
    listed = text(web.get("/notices"))
    assert "Your request was answered" in listed and "Granted after" not in listed  # the answer is on its page
    with crosscheck.unit_of_work(write=False) as uow:
        from licensing.store.notices import Notice

        notice = uow.session.execute(select(Notice).where(Notice.authority_code == BOLTON)).scalar_one()
    # Another authority's notice is not there to open.
    other = as_officer(web, "licensing_officer", WOLVERHAMPTON, "/notices")
    assert web.post(f"/notices/{notice.id}/open", data={"csrf_token": other}).status_code == 404
    token = as_officer(web, "enforcement_officer", BOLTON, "/notices")
    opened = web.post(f"/notices/{notice.id}/open", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["Location"].endswith(asked)
    assert "Granted after a DBS check" in text(web.get(opened.headers["Location"]))
    assert "Read" in text(web.get("/notices"))


def test_an_enforcement_officer_suspends_a_licence_issued_elsewhere_and_the_issuer_confirms(crosscheck, web,
                                                                                           register):
    token = as_officer(web, "licensing_officer", BOLTON)
    assert web.get(f"/suspensions/new?licence={register['licence']}").status_code == 403
    token = as_officer(web, "enforcement_officer", BOLTON, f"/suspensions/new?licence={register['licence']}")
    form = f"/suspensions/new?licence={register['licence']}"
    assert web.post(form, data={"csrf_token": token, "officer_name": "J Officer"}).status_code == 400
    done = web.post(form, data={"csrf_token": token, "grounds": "safeguarding", "reason": "Driving while unfit",
                                "officer_name": "J Officer"})
    assert done.status_code == 302
    suspension = done.headers["Location"].split("?")[0]
    assert "The licence is suspended until" in text(web.get(done.headers["Location"]))
    again = web.post(form, data={"csrf_token": token, "grounds": "safeguarding", "reason": "Again",
                                 "officer_name": "J Officer"})
    assert again.status_code == 400 and "already immediately suspended" in text(again)

    token = as_officer(web, "licensing_officer", WOLVERHAMPTON, "/suspensions")
    assert "Your licence, by Bolton" in text(web.get("/suspensions"))
    no_decision = web.post(f"{suspension}/response", data={"csrf_token": token, "action": "replace"})
    assert no_decision.status_code == 400 and "Enter the number of the decision" in text(no_decision)
    assert web.post(f"{suspension}/response", data={"csrf_token": token, "action": "confirm",
                                                     "note": "Kept while we investigate"}).status_code == 302
    as_officer(web, "enforcement_officer", BOLTON)
    assert "Confirmed by the issuing authority" in text(web.get(suspension))
    # The licence shows as suspended wherever it is shown: here, the issuer's own person page.
    as_officer(web, "licensing_officer", WOLVERHAMPTON)
    assert "immediately suspended by Bolton Metropolitan Borough Council" in text(web.get(f"/people/{register['driver']}"))


def test_the_overdue_lists_show_what_is_late_for_the_authority_only(crosscheck, web, register):
    from tests.integration.pages.statutory import load_statutory

    made = load_statutory(crosscheck)
    as_officer(web, "authority_admin", WOLVERHAMPTON)
    assert "Concerns to answer (0)" in text(web.get("/overdue"))
    past = london_today() - timedelta(days=3)
    with crosscheck.unit_of_work() as uow:
        uow.session.execute(update(ConcernRecipient).values(outcome_due_on=past))
        uow.session.execute(update(DetailRequest).values(due_on=past))
        uow.commit()
    page = text(web.get("/overdue"))
    assert "Concerns to answer (1)" in page and f"Concern {made['concern']}" in page
    assert "Requests for detail to answer (1)" in page and f"Request {made['request']}" in page
    as_officer(web, "licensing_officer", BOLTON)
    page = text(web.get("/overdue"))
    assert "Concerns to answer (0)" in page and f"Concern {made['concern']}" not in page
