"""A feed's status tells the whole way: received, applied, people resolved, findings raised and
alerts queued, each with its time; or where it stopped and why."""

from __future__ import annotations

from licensing.actors import Actor
from licensing.services import feeds, pipeline
from licensing.services.authorities import update_authority_settings
from tests.conftest import bearer
from tests.feeds import feed
from tests.integration.test_findings_and_alerts import (
    MANCHESTER, TARIQ_MANCHESTER_REVOKED, TARIQ_WOLVERHAMPTON, WOLVERHAMPTON,
)


def stages(web, key, feed_id) -> dict[str, dict]:
    response = web.get(f"/api/v1/feeds/{feed_id}", headers=bearer(key))
    assert response.status_code == 200
    return {stage["stage"]: stage for stage in response.json["stages"]}, response.json


def post(web, key, body) -> int:
    return web.post("/api/v1/feeds/licences", data=body, headers={**bearer(key), "Content-Type": "text/csv"}).json["id"]


def test_a_feed_shows_each_stage_with_its_time_until_its_alerts_are_queued(crosscheck, web, api_key):
    with crosscheck.unit_of_work() as uow:
        update_authority_settings(uow, Actor.service(), WOLVERHAMPTON, {"enforcement_email": "enforcement@wolverhampton.example"})
    wolverhampton, manchester = api_key(WOLVERHAMPTON), api_key(MANCHESTER)
    post(web, wolverhampton, feed(TARIQ_WOLVERHAMPTON))
    pipeline.process_feeds(crosscheck)
    feed_id = post(web, manchester, feed(TARIQ_MANCHESTER_REVOKED))

    waiting, _ = stages(web, manchester, feed_id)
    assert [s["state"] for s in waiting.values()] == ["done", "waiting", "not_reached", "not_reached"]
    # No jobs worker has ever beaten: the feed says why it waits instead of sitting at 'received'.
    assert "the jobs worker is not running" in waiting["applied"]["detail"]

    feeds.apply_pending_feeds(crosscheck)  # the worker's first step, before resolution
    applied, body = stages(web, manchester, feed_id)
    assert body["status"] == "applied" and applied["applied"]["at"]
    assert applied["people_resolved"]["state"] == "waiting" and body["findings"] is None

    pipeline.process_feeds(crosscheck)
    done, body = stages(web, manchester, feed_id)
    assert [s["state"] for s in done.values()] == ["done"] * 4
    assert done["received"]["at"] <= done["applied"]["at"] <= done["people_resolved"]["at"] <= done["findings_raised"]["at"]
    # The revocation raised a finding; Wolverhampton's alert is queued, Manchester's held (no address).
    assert body["findings"]["opened"] >= 1
    assert (body["findings"]["alerts_queued"], body["findings"]["alerts_held"]) == (1, 1)
    assert "1 alerts held for authorities with no team email address" in done["findings_raised"]["detail"]
    assert body["warnings"]


def test_a_held_feed_says_where_it_stopped_and_what_to_do(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post(web, key, feed(*[TARIQ_WOLVERHAMPTON.replace("W1,", f"W{n},", 1) for n in range(1, 12)]))
    pipeline.process_feeds(crosscheck)
    held_id = post(web, key, feed(TARIQ_WOLVERHAMPTON))  # would end 10 of 11 licences
    pipeline.process_feeds(crosscheck)
    held, body = stages(web, key, held_id)
    assert body["status"] == "needs_confirmation"
    assert held["applied"]["state"] == "stopped" and f"/api/v1/feeds/{held_id}/confirm" in held["applied"]["detail"]
    assert held["people_resolved"]["state"] == held["findings_raised"]["state"] == "not_reached"
