"""Findings raised from real feeds, acted on through the API, and alerts delivered to a real SMTP
server — on both databases."""

from __future__ import annotations


import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from licensing.mail import SmtpBackend
from licensing.services import digest, outbox, pipeline
from licensing.actors import Actor
from licensing.services.authorities import update_authority_settings
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.feeds import feed
from tests.smtp import Relay, free_port

WOLVERHAMPTON, MANCHESTER, BOLTON = "E08000031", "E08000003", "E08000001"
# Lives in Manchester (M14), licensed by Wolverhampton; Manchester revoked him earlier.
TARIQ_WOLVERHAMPTON = "W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA"
TARIQ_MANCHESTER_REVOKED = "M1,private_hire_driver,revoked,2021-06-01,2024-06-01,Mahmood,Tariq,15/03/1979,MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA"
# Lives in Wolverhampton and is licensed there: nothing to find.
LOCAL_DRIVER = "W2,hackney_carriage_driver,active,2024-01-01,2027-01-01,EVANS,Gareth,1970-01-01,,,1 Queen Square,WV1 1AA"


@pytest.fixture
def keys(crosscheck, api_key):
    operator = Actor.service()
    with crosscheck.unit_of_work() as uow:
        for code, name in ((WOLVERHAMPTON, "wolverhampton"), (MANCHESTER, "manchester"), (BOLTON, "bolton")):
            update_authority_settings(uow, operator, code, {"enforcement_email": f"enforcement@{name}.example",
                                                            "licensing_email": f"licensing@{name}.example"})
    return {code: api_key(code) for code in (WOLVERHAMPTON, MANCHESTER, BOLTON)}


def send(crosscheck, web, key, body: bytes):
    assert web.post("/api/v1/feeds/licences", data=body,
                    headers={**bearer(key), "Content-Type": "text/csv"}).status_code == 202
    return pipeline.process_feeds(crosscheck)


def findings(web, key, **params) -> list[dict]:
    response = web.get("/api/v1/findings", headers=bearer(key), query_string=params)
    assert response.status_code == 200
    return response.json["findings"]


def outbox_messages(crosscheck) -> list[OutboxMessage]:
    with crosscheck.unit_of_work(write=False) as uow:
        return list(uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def test_a_driver_licensed_out_of_area_is_flagged_to_the_home_authority(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON, LOCAL_DRIVER))
    found = findings(web, keys[MANCHESTER], type="out_of_area")
    assert len(found) == 1
    assert "Manchester" in " ".join(found[0]["evidence"]) and "Wolverhampton" in " ".join(found[0]["evidence"])
    detail = web.get(f"/api/v1/findings/{found[0]['id']}", headers=bearer(keys[MANCHESTER])).json
    assert detail["for_authorities"] == [MANCHESTER]
    assert WOLVERHAMPTON in detail["visible_to"]
    # Visible to the licensing authority; nothing at all for an unconcerned one.
    assert [f["id"] for f in findings(web, keys[WOLVERHAMPTON], type="out_of_area")] == [found[0]["id"]]
    assert findings(web, keys[BOLTON]) == []
    assert web.get(f"/api/v1/findings/{found[0]['id']}", headers=bearer(keys[BOLTON])).status_code == 404


def test_out_of_area_goes_in_the_daily_digest_not_at_once(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON))
    assert outbox_messages(crosscheck) == []
    assert digest.send_digests(crosscheck) == 1
    sent, = outbox_messages(crosscheck)
    assert sent.to_address == "enforcement@manchester.example" and sent.kind == "digest"
    # Manchester is told who licenses the driver and whom to ask; the name and licence number as
    # Wolverhampton recorded them stay with Wolverhampton (docs/privacy.md).
    assert "Wolverhampton" in sent.body and "ask licensing@wolverhampton.example" in sent.body
    assert "MAHMOOD" not in sent.body.upper() and "W1" not in sent.body
    assert "/findings/" in sent.body and "/api/v1/" not in sent.body
    assert digest.send_digests(crosscheck) == 0  # nothing new since


def test_a_revocation_elsewhere_is_alerted_at_once_and_raised_only_once(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON))
    report = send(crosscheck, web, keys[MANCHESTER], feed(TARIQ_MANCHESTER_REVOKED))
    assert report.findings.opened >= 1
    adverse = findings(web, keys[WOLVERHAMPTON], type="adverse_elsewhere")
    assert len(adverse) == 1 and adverse[0]["severity"] == "immediate"
    recipients = sorted(m.to_address for m in outbox_messages(crosscheck) if m.kind == "alert")
    assert recipients == ["enforcement@manchester.example", "enforcement@wolverhampton.example",
                          "licensing@manchester.example", "licensing@wolverhampton.example"]

    again = send(crosscheck, web, keys[MANCHESTER], feed(TARIQ_MANCHESTER_REVOKED))
    again_w = send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON))
    assert (again.findings.opened, again_w.findings.opened, again_w.findings.updated) == (0, 0, 0)
    assert len(findings(web, keys[WOLVERHAMPTON], type="adverse_elsewhere")) == 1
    assert len([m for m in outbox_messages(crosscheck) if m.kind == "alert"]) == 4


def test_a_finding_closes_by_itself_when_the_fact_no_longer_holds(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON, LOCAL_DRIVER))
    finding, = findings(web, keys[MANCHESTER], type="out_of_area")
    moved = TARIQ_WOLVERHAMPTON.replace("7 Platt Lane,M14 5AA", "3 Lichfield Street,WV1 1DG")
    report = send(crosscheck, web, keys[WOLVERHAMPTON], feed(moved, LOCAL_DRIVER))
    assert report.findings.closed == 1
    closed = web.get(f"/api/v1/findings/{finding['id']}", headers=bearer(keys[MANCHESTER])).json
    assert closed["status"] == "closed" and closed["closed_at"]
    assert [event["kind"] for event in closed["history"]] == ["opened", "closed"]


def test_officers_move_a_finding_through_its_statuses(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON))
    finding, = findings(web, keys[MANCHESTER], type="out_of_area")
    url = f"/api/v1/findings/{finding['id']}"
    manchester = bearer(keys[MANCHESTER])
    assert web.post(f"{url}/dismiss", headers=manchester, json={}).status_code == 400
    acknowledged = web.post(f"{url}/acknowledge", headers=manchester)
    assert acknowledged.status_code == 200 and acknowledged.json["status"] == "acknowledged"
    actioned = web.post(f"{url}/action", headers=manchester, json={"reason": "Joint visit booked with Wolverhampton"})
    assert actioned.json["status"] == "actioned"
    assert actioned.json["handling"]["reason"] == "Joint visit booked with Wolverhampton"
    assert actioned.json["handling"]["authority_code"] == MANCHESTER
    assert actioned.json["state"] == "open"  # handled, but the fact still holds
    assert web.post(f"{url}/acknowledge", headers=manchester).status_code == 409
    assert [f["id"] for f in findings(web, keys[MANCHESTER], status="actioned")] == [finding["id"]]
    assert findings(web, keys[MANCHESTER], status="open") == []


def test_a_person_licensed_in_two_places_and_a_shared_licence_number(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON))
    send(crosscheck, web, keys[MANCHESTER], feed(TARIQ_MANCHESTER_REVOKED.replace("revoked", "active").replace("2024-06-01", "2027-06-01")))
    multiple = findings(web, keys[WOLVERHAMPTON], type="multiple_licences")
    assert len(multiple) == 1
    assert [f["id"] for f in findings(web, keys[MANCHESTER], type="multiple_licences")] == [multiple[0]["id"]]

    impostor = "B1,private_hire_driver,active,2025-02-01,2028-02-01,SMITH,John,1990-12-24,MAHMO703159T99AB,,1 Bradshawgate,BL1 1AA"
    send(crosscheck, web, keys[BOLTON], feed(impostor))
    conflicts = findings(web, keys[BOLTON], type="identity_conflict")
    assert conflicts and conflicts[0]["severity"] == "immediate"
    assert "MAHMO703159T99AB" not in str(conflicts)
    # The finding rests on two people; Bolton is shown only the driver it may open.
    bolton_driver = web.get("/api/v1/licences", headers=bearer(keys[BOLTON])).json["licences"][0]["driver_id"]
    assert conflicts[0]["driver_ids"] == [bolton_driver]


def test_an_unknown_filter_value_is_refused(web, keys):
    response = web.get("/api/v1/findings", headers=bearer(keys[BOLTON]), query_string={"type": "speeding"})
    assert response.status_code == 400


def test_an_alert_reaches_the_teams_smtp_server_once(crosscheck, web, keys):
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON))
        send(crosscheck, web, keys[MANCHESTER], feed(TARIQ_MANCHESTER_REVOKED))
        backend = SmtpBackend("127.0.0.1", controller.port, starttls=False, sender="alerts@crosscheck.example")
        first = outbox.send_due_emails(crosscheck, backend)
        second = outbox.send_due_emails(crosscheck, backend)
    finally:
        controller.stop()
    assert (first.sent, second.sent) == (4, 0)
    to_wolverhampton = [d["message"] for d in relay.delivered if d["rcpt_tos"] == ["enforcement@wolverhampton.example"]]
    assert len(to_wolverhampton) == 1
    text = to_wolverhampton[0].get_content()
    assert "W1" in text and "Wolverhampton" in text and "127.0.0.1:8000/findings/" in text
    assert "1979" not in text and "JX112233C" not in text  # no more personal data than needed


def test_findings_that_cannot_wait_reach_each_team_in_one_email(crosscheck, web, keys):
    second = ("W3,private_hire_driver,active,2025-01-10,2028-01-10,AKHTAR,Nadia,1988-08-18,AKHTA858188N99CD,,"
              "2 Wilmslow Road,M14 5AB")
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(TARIQ_WOLVERHAMPTON, second))
    revoked_second = second.replace("W3,", "M3,").replace("active", "revoked").replace("2028-01-10", "2025-06-01")
    send(crosscheck, web, keys[MANCHESTER], feed(TARIQ_MANCHESTER_REVOKED, revoked_second))
    assert len(findings(web, keys[WOLVERHAMPTON], type="adverse_elsewhere")) == 2
    to_wolverhampton = [m for m in outbox_messages(crosscheck) if m.to_address == "enforcement@wolverhampton.example"]
    assert len(to_wolverhampton) == 1
    assert to_wolverhampton[0].subject == "Crosscheck: 2 findings need your attention now"
    assert "W1" in to_wolverhampton[0].body and "W3" in to_wolverhampton[0].body
