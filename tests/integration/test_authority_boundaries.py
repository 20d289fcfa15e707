"""No authority sees or changes what it should not: handling is each authority's own, identity
decisions stay within the caller's standing and are recorded in every affected finding's history,
and ids of what is not the caller's answer as ids that do not exist."""

from __future__ import annotations

from sqlalchemy import select

from licensing.store.models import AuditEvent, Driver
from tests.conftest import bearer
from tests.feeds import feed
from tests.integration.boundaries import MANCHESTER, NAMESAKE_AT_BOLTON, WOLVERHAMPTON, build_register, post_feed


def test_one_authoritys_handling_never_changes_anothers(crosscheck, web, api_key):
    register = build_register(crosscheck, web, api_key)
    url = f"/api/v1/findings/{register.ids['finding']}"
    wolverhampton, manchester = bearer(register.keys["own"]), bearer(register.keys["sharing"])
    actioned = web.post(f"{url}/action", headers=wolverhampton, json={"reason": "Suspended pending the hearing"})
    assert actioned.json["status"] == "actioned" and actioned.json["state"] == "open"

    seen = web.get(url, headers=manchester).json
    assert seen["status"] == "open" and seen["handling"]["status"] == "open"
    assert seen["others_handling"] == [{"authority_code": WOLVERHAMPTON, "status": "actioned"}]
    # Manchester learns that Wolverhampton acted, not its working notes.
    assert "Suspended pending the hearing" not in str(seen)
    assert [e["kind"] for e in seen["history"]][-1] == "actioned" and seen["history"][-1]["reason"] is None
    assert register.ids["finding"] in [f["id"] for f in web.get(
        "/api/v1/findings", headers=manchester, query_string={"status": "open"}).json["findings"]]
    assert register.ids["finding"] not in [f["id"] for f in web.get(
        "/api/v1/findings", headers=wolverhampton, query_string={"status": "open"}).json["findings"]]

    web.post(f"{url}/acknowledge", headers=manchester)
    again = web.get(url, headers=wolverhampton).json
    assert again["status"] == "actioned" and again["handling"]["reason"] == "Suspended pending the hearing"
    assert {"authority_code": MANCHESTER, "status": "acknowledged"} in again["others_handling"]


def test_decisions_are_recorded_in_the_history_of_every_finding_they_change(crosscheck, web, api_key):
    register = build_register(crosscheck, web, api_key)
    wolverhampton, manchester = bearer(register.keys["own"]), bearer(register.keys["sharing"])
    pair = {"licence_a": register.ids["own_licence"], "licence_b": register.ids["sharing_licence"]}
    split = web.post("/api/v1/identity/decisions", headers=wolverhampton, json={
        **pair, "verdict": "different", "reason": "DBS certificates show two different men"})
    assert split.status_code == 201

    finding = web.get(f"/api/v1/findings/{register.ids['finding']}", headers=manchester).json
    assert finding["state"] == "closed"
    closed = finding["history"][-1]
    assert closed["kind"] == "closed" and closed["identity_decision_id"] == split.json["id"]
    assert closed["authority_code"] == WOLVERHAMPTON and closed["reason"] == "DBS certificates show two different men"

    # Undone by the other holder: the pair was ruled on. The id left behind points to where the
    # records went, only for those who may see them, and every look at it is audited.
    rejoined = web.post("/api/v1/identity/decisions", headers=manchester, json={
        **pair, "verdict": "same", "reason": "Checked again with Wolverhampton: the same man"})
    assert rejoined.status_code == 201
    assert web.get(f"/api/v1/findings/{register.ids['finding']}", headers=wolverhampton).json["state"] == "open"
    with crosscheck.unit_of_work(write=False) as uow:
        merged = uow.session.execute(select(Driver).where(Driver.merged_into_id.is_not(None))).scalars().first()
    assert merged is not None
    view = web.get(f"/api/v1/drivers/{merged.id}", headers=manchester)
    assert view.status_code == 200 and view.json["merged_into"] == merged.merged_into_id
    hidden = web.get(f"/api/v1/drivers/{merged.id}", headers=bearer(register.keys["other"]))
    missing = web.get("/api/v1/drivers/987654", headers=bearer(register.keys["other"]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json["errors"][0]["message"].replace(str(merged.id), "#") == \
        missing.json["errors"][0]["message"].replace("987654", "#")
    with crosscheck.unit_of_work(write=False) as uow:
        views = uow.session.execute(select(AuditEvent).where(AuditEvent.kind == "driver_view")).scalars().all()
    assert [(v.query["driver_id"], v.actor_authority_code, v.shown[0]["merged_into"]) for v in views] == \
        [(merged.id, MANCHESTER, merged.merged_into_id)]


def test_linking_ones_record_to_another_authoritys_unproposed_record_answers_as_not_there(crosscheck, web, api_key):
    register = build_register(crosscheck, web, api_key)
    bolton = register.keys["other"]
    post_feed(crosscheck, web, bolton, feed(
        NAMESAKE_AT_BOLTON, "B301,private_hire_driver,active,2024-03-01,2027-03-01,SMITH,John,1990-12-24,,,1 Bradshawgate,BL1 1AA"))
    licences = {l["licence_number"]: l["id"] for l in web.get("/api/v1/licences", headers=bearer(bolton)).json["licences"]}
    attempt = {"licence_a": licences["B301"], "licence_b": register.ids["own_licence"], "verdict": "same",
               "reason": "He told us he holds a Wolverhampton licence"}
    refused = web.post("/api/v1/identity/decisions", headers=bearer(bolton), json=attempt)
    missing = web.post("/api/v1/identity/decisions", headers=bearer(bolton), json={**attempt, "licence_b": 987654})
    assert refused.status_code == missing.status_code == 404
    assert refused.json["errors"][0]["message"].replace(str(register.ids["own_licence"]), "#") == \
        missing.json["errors"][0]["message"].replace("987654", "#")
    driver = web.get(f"/api/v1/drivers/{register.ids['driver']}", headers=bearer(register.keys["own"])).json
    assert [l["authority_code"] for l in driver["licences"]] == [MANCHESTER, WOLVERHAMPTON]
