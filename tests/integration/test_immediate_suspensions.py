"""Cross-border immediate suspension (English Devolution and Community Empowerment Act 2026, as
reported) through the API on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from licensing.clock import utc_now
from licensing.services import pipeline, statutory_duties
from licensing.store.outbox import OutboxMessage
from licensing.store.suspensions import ImmediateSuspension
from tests.conftest import bearer
from tests.feeds import feed
from tests.statutory import decision_body, keys_with_teams

WOLVERHAMPTON, MANCHESTER, BOLTON, GLASGOW = "E08000031", "E08000003", "E08000001", "S12000049"
TARIQ_WOLVERHAMPTON = ("W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,"
                       "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
WHY = "Driver seen assaulting a passenger at the rank; police called"


@pytest.fixture
def keys(crosscheck, api_key, web):
    made = keys_with_teams(crosscheck, api_key, (WOLVERHAMPTON, MANCHESTER))
    made.update({code: api_key(code) for code in (BOLTON, GLASGOW)})
    assert web.post("/api/v1/feeds/licences", data=feed(TARIQ_WOLVERHAMPTON),
                    headers={**bearer(made[WOLVERHAMPTON]), "Content-Type": "text/csv"}).status_code == 202
    pipeline.process_feeds(crosscheck)
    return made


def licence(web, keys) -> dict:
    return web.get("/api/v1/licences", headers=bearer(keys[WOLVERHAMPTON])).json["licences"][0]


def searched(web, key) -> dict:
    hit, = web.post("/api/v1/searches", headers=bearer(key),
                    json={"driving_licence_number": "MAHMO703159T99AB", "reason": "enforcement"}).json["results"]
    return hit


def suspend(web, key, licence_id, **more):
    return web.post("/api/v1/immediate-suspensions", headers=bearer(key),
                    json={"licence_id": licence_id, "grounds": "safeguarding", "reason": WHY,
                          "officer_name": "J. Patel, authorised officer", **more})


def test_an_immediate_suspension_reaches_the_issuer_at_once_and_shows_wherever_the_licence_does(crosscheck, web, keys):
    made = suspend(web, keys[MANCHESTER], licence(web, keys)["id"])
    assert made.status_code == 201, made.json
    suspension = made.json
    assert suspension["state"] == "in_force" and suspension["issuing_authority_code"] == WOLVERHAMPTON
    period = datetime.fromisoformat(suspension["ends_at"]) - datetime.fromisoformat(suspension["starts_at"])
    assert period == timedelta(hours=48)  # CROSSCHECK_IMMEDIATE_SUSPENSION_HOURS's default
    # The issuer is told in the same transaction: the email is already in the outbox.
    with crosscheck.unit_of_work(write=False) as uow:
        told = uow.session.execute(select(OutboxMessage).where(OutboxMessage.kind == "notice")).scalars().all()
    assert [m.to_address for m in told] == ["licensing@wolverhampton.example"]
    assert WHY not in told[0].body and "Mahmood" not in told[0].body.title()

    shown = licence(web, keys)["suspended_by"]
    assert shown["authority_code"] == MANCHESTER and shown["authority_name"] == "Manchester City Council"
    hit = searched(web, keys[BOLTON])
    assert hit["licences"][0]["suspended_by"]["authority_code"] == MANCHESTER
    viewed = web.get(f"/api/v1/drivers/{hit['driver_id']}", headers=bearer(keys[WOLVERHAMPTON])).json
    assert viewed["licences"][0]["suspended_by"]["authority_name"] == "Manchester City Council"
    pipeline.process_feeds(crosscheck)
    finding, = web.get("/api/v1/findings", headers=bearer(keys[WOLVERHAMPTON]),
                       query_string={"type": "adverse_elsewhere"}).json["findings"]
    assert "immediately suspended by Manchester City Council" in finding["summary"]
    assert WHY not in str(finding)

    url = f"/api/v1/immediate-suspensions/{suspension['id']}"
    assert web.get(url, headers=bearer(keys[WOLVERHAMPTON])).json["reason"] == WHY
    assert web.get(url, headers=bearer(keys[BOLTON])).status_code == 404
    assert web.post(f"{url}/response", headers=bearer(keys[MANCHESTER]), json={"action": "lift"}).status_code == 403
    confirmed = web.post(f"{url}/response", headers=bearer(keys[WOLVERHAMPTON]), json={"action": "confirm"})
    assert confirmed.json["state"] == "confirmed"
    lifted = web.post(f"{url}/response", headers=bearer(keys[WOLVERHAMPTON]),
                      json={"action": "lift", "note": "Police took no further action"})
    assert lifted.json["state"] == "lifted"
    assert licence(web, keys)["suspended_by"] is None
    assert searched(web, keys[BOLTON])["licences"][0]["suspended_by"] is None
    assert pipeline.process_feeds(crosscheck).findings.closed == 1
    assert {n["kind"] for n in web.get("/api/v1/notices", headers=bearer(keys[MANCHESTER])).json["notices"]} == {
        "suspension_answered"}


def test_the_issuer_replaces_it_with_its_own_decision(crosscheck, web, keys):
    held = licence(web, keys)
    suspension = suspend(web, keys[MANCHESTER], held["id"]).json
    url = f"/api/v1/immediate-suspensions/{suspension['id']}/response"
    assert web.post(url, headers=bearer(keys[WOLVERHAMPTON]), json={"action": "replace"}).status_code == 400
    own = web.post("/api/v1/decisions", headers=bearer(keys[WOLVERHAMPTON]),
                   json=decision_body(decision="suspended", licence_number=held["licence_number"])).json
    replaced = web.post(url, headers=bearer(keys[WOLVERHAMPTON]), json={"action": "replace", "decision_id": own["id"]})
    assert replaced.json["state"] == "replaced" and replaced.json["replaced_by_decision_id"] == own["id"]
    assert licence(web, keys)["suspended_by"] is None


def test_only_english_authorities_may_suspend_and_an_unanswered_suspension_lapses(crosscheck, web, keys):
    held = licence(web, keys)
    assert suspend(web, keys[GLASGOW], held["id"]).status_code == 403
    assert suspend(web, keys[WOLVERHAMPTON], held["id"]).status_code == 400
    assert suspend(web, keys[MANCHESTER], held["id"], grounds="other").status_code == 400
    suspension = suspend(web, keys[MANCHESTER], held["id"])
    assert suspension.status_code == 201
    assert suspend(web, keys[BOLTON], held["id"]).status_code == 409  # already suspended

    with crosscheck.unit_of_work() as uow:
        uow.session.execute(update(ImmediateSuspension).values(ends_at=utc_now() - timedelta(minutes=1)))
        uow.commit()
    assert licence(web, keys)["suspended_by"] is None
    assert searched(web, keys[BOLTON])["licences"][0]["suspended_by"] is None  # its period is over
    assert statutory_duties.run_duties(crosscheck).lapsed == 1
    assert web.get(f"/api/v1/immediate-suspensions/{suspension.json['id']}",
                   headers=bearer(keys[WOLVERHAMPTON])).json["state"] == "lapsed"
