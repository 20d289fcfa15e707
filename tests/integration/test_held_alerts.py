"""An alert with nowhere to go is held, not dropped: an authority with no team email address keeps
its alerts as undelivered, the operator and the authority see them, and they go out as soon as an
address is set."""

from __future__ import annotations

from sqlalchemy import select

from licensing.actors import Actor
from licensing.services import digest, operations, pipeline
from licensing.services.authorities import update_authority_settings
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.feeds import feed
from tests.integration.test_findings_and_alerts import (
    MANCHESTER, TARIQ_MANCHESTER_REVOKED, TARIQ_WOLVERHAMPTON, WOLVERHAMPTON,
)


def emails_to(crosscheck, address: str) -> list[OutboxMessage]:
    with crosscheck.unit_of_work(write=False) as uow:
        return list(uow.session.execute(select(OutboxMessage).where(OutboxMessage.to_address == address)).scalars())


def post(web, key, row) -> dict:
    response = web.post("/api/v1/feeds/licences", data=feed(row), headers={**bearer(key), "Content-Type": "text/csv"})
    assert response.status_code == 202
    return response.json


def test_alerts_for_an_authority_without_an_address_are_held_shown_and_sent_once_one_is_set(crosscheck, web, api_key):
    with crosscheck.unit_of_work() as uow:
        update_authority_settings(uow, Actor.service(), WOLVERHAMPTON, {"enforcement_email": "enforcement@wolverhampton.example"})
    wolverhampton, manchester, operator = api_key(WOLVERHAMPTON), api_key(MANCHESTER), api_key(None)
    assert post(web, wolverhampton, TARIQ_WOLVERHAMPTON)["warnings"] == []
    pipeline.process_feeds(crosscheck)
    answer = post(web, manchester, TARIQ_MANCHESTER_REVOKED)
    # Manchester is told at once that it will not hear of its findings.
    assert "No team email address is set for Manchester" in answer["warnings"][0]
    pipeline.process_feeds(crosscheck)

    # Wolverhampton is alerted; Manchester (the driver's home) has nowhere to be told, so it waits.
    assert len(emails_to(crosscheck, "enforcement@wolverhampton.example")) == 1
    status = web.get("/api/v1/status", headers=bearer(operator)).json
    held, = status["undelivered_alerts"]
    assert (held["authority_code"], held["count"]) == (MANCHESTER, 1) and held["since"]
    settings = web.get(f"/api/v1/authorities/{MANCHESTER}/settings", headers=bearer(manchester)).json
    assert settings["undelivered_alerts"]["count"] == 1 and settings["warnings"]
    assert any("Undelivered: 1 alerts for Manchester" in line for line in operations.status_summary(
        operations.service_status(crosscheck)))

    # Its admin sets an address: the held alert is sent at once, and only once.
    changed = web.patch(f"/api/v1/authorities/{MANCHESTER}/settings", json={"licensing_email": "licensing@manchester.example"},
                        headers=bearer(manchester))
    assert changed.status_code == 200 and changed.json["undelivered_alerts"]["count"] == 0
    assert changed.json["warnings"] == []
    sent, = emails_to(crosscheck, "licensing@manchester.example")
    assert "held" in sent.subject and "/findings/" in sent.body and "MAHMOOD" in sent.body.upper()
    assert web.get("/api/v1/status", headers=bearer(operator)).json["undelivered_alerts"] == []
    web.patch(f"/api/v1/authorities/{MANCHESTER}/settings", json={"enforcement_email": "enforcement@manchester.example"},
              headers=bearer(manchester))
    assert len(emails_to(crosscheck, "licensing@manchester.example")) == 1
    assert emails_to(crosscheck, "enforcement@manchester.example") == []


def test_a_daily_digest_for_an_authority_without_an_address_is_held_not_marked_sent(crosscheck, web, api_key):
    post(web, api_key(WOLVERHAMPTON), TARIQ_WOLVERHAMPTON)  # out of area: Manchester's daily digest
    pipeline.process_feeds(crosscheck)
    assert digest.send_digests(crosscheck) == 0
    held, = operations.service_status(crosscheck)["undelivered_alerts"]
    assert (held["authority_code"], held["count"]) == (MANCHESTER, 1)
    with crosscheck.unit_of_work() as uow:
        update_authority_settings(uow, Actor.service(), MANCHESTER, {"enforcement_email": "enforcement@manchester.example"})
    sent, = emails_to(crosscheck, "enforcement@manchester.example")
    assert "Driver licensed elsewhere who lives in your area" in sent.body
