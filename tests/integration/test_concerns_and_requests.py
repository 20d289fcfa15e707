"""Concerns (s.5/s.6), requests for detail (s.3) and the duties' clock, through the API on both
databases: who is told, by when, and what each authority may read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from licensing.clock import london_today
from licensing.services import pipeline, statutory_duties
from licensing.services.concerns import send_by
from licensing.store.concerns import ConcernRecipient
from licensing.store.detail_requests import DetailRequest
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.feeds import feed
from tests.statutory import concern_body, decision_body, keys_with_teams

WOLVERHAMPTON, MANCHESTER, BOLTON, GLASGOW = "E08000031", "E08000003", "E08000001", "S12000049"
TARIQ_WOLVERHAMPTON = ("W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,"
                       "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
WHAT_HAPPENED = "Passenger reported unwanted sexual comments during a journey"


@pytest.fixture
def keys(crosscheck, api_key, web):
    made = keys_with_teams(crosscheck, api_key, (WOLVERHAMPTON, MANCHESTER, BOLTON, GLASGOW))
    assert web.post("/api/v1/feeds/licences", data=feed(TARIQ_WOLVERHAMPTON),
                    headers={**bearer(made[WOLVERHAMPTON]), "Content-Type": "text/csv"}).status_code == 202
    pipeline.process_feeds(crosscheck)
    return made


def tariq_licence_id(web, keys) -> int:
    return web.get("/api/v1/licences", headers=bearer(keys[WOLVERHAMPTON])).json["licences"][0]["id"]


def emails(crosscheck) -> list[OutboxMessage]:
    with crosscheck.unit_of_work(write=False) as uow:
        return list(uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def notices(web, key) -> list[dict]:
    return web.get("/api/v1/notices", headers=bearer(key)).json["notices"]


def test_a_concern_reaches_the_licensing_authority_at_once_and_its_answer_goes_back(crosscheck, web, keys):
    aware = london_today() - timedelta(days=1)
    sent = web.post("/api/v1/concerns", headers=bearer(keys[MANCHESTER]),
                    json=concern_body(licence_id=tariq_licence_id(web, keys), became_aware_on=aware))
    assert sent.status_code == 201, sent.json
    concern = sent.json
    assert concern["send_by"] > aware.isoformat() and concern["sent_late"] is False
    assert [r["authority_code"] for r in concern["recipients"]] == [WOLVERHAMPTON]

    pipeline.process_feeds(crosscheck)  # the jobs worker's next pass
    finding, = web.get("/api/v1/findings", headers=bearer(keys[WOLVERHAMPTON]),
                       query_string={"type": "concern_shared"}).json["findings"]
    assert finding["severity"] == "immediate" and "Manchester City Council" in finding["summary"]
    assert WHAT_HAPPENED not in str(finding)
    alerts = [m for m in emails(crosscheck) if m.kind == "alert" and "wolverhampton" in m.to_address]
    assert alerts and all(WHAT_HAPPENED not in m.body for m in alerts)

    # The receiving authority reads the whole concern; an unconcerned one cannot.
    url = f"/api/v1/concerns/{concern['id']}"
    assert web.get(url, headers=bearer(keys[WOLVERHAMPTON])).json["what_happened"] == WHAT_HAPPENED
    assert web.get(url, headers=bearer(keys[BOLTON])).status_code == 404
    received = web.get("/api/v1/concerns", headers=bearer(keys[WOLVERHAMPTON])).json
    assert [c["id"] for c in received["concerns"]] == [concern["id"]]

    assert web.post(f"{url}/outcome", headers=bearer(keys[MANCHESTER]),
                    json={"outcome": "no_action", "consideration": "x"}).status_code == 403
    answered = web.post(f"{url}/outcome", headers=bearer(keys[WOLVERHAMPTON]),
                        json={"outcome": "suspended", "consideration": "Interviewed the driver; suspended pending review"})
    assert answered.status_code == 200 and answered.json["recipients"][0]["outcome"] == "suspended"
    told, = notices(web, keys[MANCHESTER])
    assert told["kind"] == "concern_outcome" and "suspended" in told["text"]
    assert "Interviewed" not in told["text"]
    assert web.post(f"{url}/outcome", headers=bearer(keys[WOLVERHAMPTON]),
                    json={"outcome": "warning", "consideration": "again"}).status_code == 409


def test_a_concern_sent_after_its_ten_working_days_is_shown_late_and_scotland_counts_its_own_holidays(crosscheck, web, keys):
    late = web.post("/api/v1/concerns", headers=bearer(keys[MANCHESTER]),
                    json=concern_body(licence_id=tariq_licence_id(web, keys),
                                      became_aware_on=london_today() - timedelta(days=30))).json
    assert late["sent_late"] is True
    listed = web.get("/api/v1/concerns", headers=bearer(keys[MANCHESTER]),
                     query_string={"direction": "sent", "overdue": "true"}).json["concerns"]
    assert [c["id"] for c in listed] == [late["id"]]

    # A Scottish sender counts Scotland's bank holidays (2 January is one there, not in England).
    assert send_by(date(2026, 12, 21), "Scotland") > send_by(date(2026, 12, 21), "England")
    scottish = web.post("/api/v1/concerns", headers=bearer(keys[GLASGOW]),
                        json=concern_body(licence_id=tariq_licence_id(web, keys))).json
    assert scottish["send_by"] == send_by(london_today(), "Scotland").isoformat()


def test_a_concern_about_no_one_licensed_elsewhere_is_refused_and_nothing_is_stored(web, keys):
    nobody = web.post("/api/v1/concerns", headers=bearer(keys[MANCHESTER]),
                      json=concern_body(surname="Nobody", forenames="Anne", date_of_birth="1990-01-01"))
    assert nobody.status_code == 400 and "nothing was stored" in nobody.json["errors"][0]["message"]
    own = web.post("/api/v1/concerns", headers=bearer(keys[WOLVERHAMPTON]),
                   json=concern_body(licence_id=tariq_licence_id(web, keys)))
    assert own.status_code == 400  # its own driver: nobody else to send it to
    assert web.get("/api/v1/concerns", headers=bearer(keys[MANCHESTER]),
                   query_string={"direction": "sent"}).json["total"] == 0


def test_a_request_for_detail_is_answered_in_the_service_and_the_requester_told(crosscheck, web, keys):
    decision = web.post("/api/v1/decisions", headers=bearer(keys[MANCHESTER]), json=decision_body()).json
    pipeline.process_feeds(crosscheck)  # Wolverhampton is shown it in its finding
    made = web.post("/api/v1/detail-requests", headers=bearer(keys[WOLVERHAMPTON]),
                    json={"decision_id": decision["id"], "question": "What led to the refusal?",
                          "application_reference": "APP-2026-17"})
    assert made.status_code == 201, made.json
    request = made.json
    assert request["to_authority_code"] == MANCHESTER and request["due_on"] > request["received_on"]
    assert notices(web, keys[MANCHESTER])[0]["kind"] == "detail_requested"
    assert web.get(f"/api/v1/detail-requests/{request['id']}", headers=bearer(keys[BOLTON])).status_code == 404
    # Bolton was never shown the decision: it cannot ask about it either.
    assert web.post("/api/v1/detail-requests", headers=bearer(keys[BOLTON]),
                    json={"decision_id": decision["id"], "question": "?"}).status_code == 404

    url = f"/api/v1/detail-requests/{request['id']}/answer"
    assert web.post(url, headers=bearer(keys[WOLVERHAMPTON]), json={"answer": "x"}).status_code == 403
    answered = web.post(url, headers=bearer(keys[MANCHESTER]),
                        json={"answer": "Conviction for harassment; see our file", "document_reference": "LIC/123/9"})
    assert answered.status_code == 200 and answered.json["document_reference"] == "LIC/123/9"
    assert [n["kind"] for n in notices(web, keys[WOLVERHAMPTON])] == ["detail_answered"]
    assert web.post(url, headers=bearer(keys[MANCHESTER]), json={"answer": "again"}).status_code == 409

    # A later change to the entry reaches the requester too.
    web.patch(f"/api/v1/decisions/{decision['id']}", headers=bearer(keys[MANCHESTER]),
              json={"note": "Appeal allowed", "appeal_outcome": "allowed"})
    assert notices(web, keys[WOLVERHAMPTON])[0]["kind"] == "decision_corrected"


def test_reminders_before_and_escalation_after_a_duty_falls_due(crosscheck, web, keys):
    decision = web.post("/api/v1/decisions", headers=bearer(keys[MANCHESTER]), json=decision_body()).json
    pipeline.process_feeds(crosscheck)
    request = web.post("/api/v1/detail-requests", headers=bearer(keys[WOLVERHAMPTON]),
                       json={"decision_id": decision["id"], "question": "Why?"}).json
    concern = web.post("/api/v1/concerns", headers=bearer(keys[MANCHESTER]),
                       json=concern_body(licence_id=tariq_licence_id(web, keys))).json
    assert statutory_duties.run_duties(crosscheck).reminders == 0  # nothing close to due yet

    today = london_today()
    with crosscheck.unit_of_work() as uow:
        uow.session.execute(update(DetailRequest).values(due_on=today + timedelta(days=1)))
        uow.session.execute(update(ConcernRecipient).values(outcome_due_on=today - timedelta(days=1)))
        uow.commit()
    report = statutory_duties.run_duties(crosscheck)
    assert (report.reminders, report.escalations) == (1, 1)
    assert statutory_duties.run_duties(crosscheck) == statutory_duties.DutiesReport(0, 0, 0)  # told once
    reminder, = [n for n in notices(web, keys[MANCHESTER]) if n["kind"] == "duty_reminder"]
    assert str(request["id"]) in reminder["text"]
    overdue, = [n for n in notices(web, keys[WOLVERHAMPTON]) if n["kind"] == "duty_overdue"]
    assert overdue["audience_role"] == "authority_admin" and str(concern["id"]) in overdue["text"]
    late = web.get("/api/v1/concerns", headers=bearer(keys[WOLVERHAMPTON]), query_string={"overdue": "true"}).json
    assert late["concerns"][0]["recipients"][0]["overdue"] is True
