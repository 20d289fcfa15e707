"""Every output, rendered for one authority, checked against the one rule of what it may see of
another authority's record (licensing/disclosure.py, docs/privacy.md)."""

from __future__ import annotations

from sqlalchemy import select

from licensing import disclosure
from licensing.services import digest
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.integration.boundaries import build_register, held_back_from


def _summaries_of(data, licence_id: int) -> list[dict]:
    """Every licence summary of this record anywhere in a JSON answer."""
    if isinstance(data, dict):
        found = [data] if data.get("licence_id") == licence_id and "authority_code" in data else []
        return found + [s for value in data.values() for s in _summaries_of(value, licence_id)]
    if isinstance(data, list):
        return [s for item in data for s in _summaries_of(item, licence_id)]
    return []


def test_every_output_shows_another_authoritys_record_only_as_the_rule_allows(crosscheck, web, api_key):
    register = build_register(crosscheck, web, api_key)
    manchester, w100 = bearer(register.keys["sharing"]), register.ids["own_licence"]
    digest.send_digests(crosscheck)

    search = web.post("/api/v1/searches", headers=manchester, json={
        "surname": "Hussain", "forenames": "Muhammad Imran", "date_of_birth": "1984-07-09", "reason": "enforcement"})
    outputs = {
        "search results": search.json,
        "driver view": web.get(f"/api/v1/drivers/{register.ids['driver']}", headers=manchester).json,
        "finding list": web.get("/api/v1/findings", headers=manchester).json,
        "finding detail": web.get(f"/api/v1/findings/{register.ids['finding']}", headers=manchester).json,
    }
    with crosscheck.unit_of_work(write=False) as uow:
        emails = [f"{m.subject}\n{m.body}" for m in uow.session.execute(
            select(OutboxMessage).where(OutboxMessage.authority_code == "E08000003")).scalars()]
    kinds = {m.split("\n")[0].split(":")[0] for m in emails}
    assert len(emails) >= 2 and {"Crosscheck", "Crosscheck daily digest"} <= kinds  # alerts and a digest

    held_back = held_back_from(web, register, "sharing")
    assert "W100" in held_back and "Mohammed Imran" in held_back
    for name, output in outputs.items():
        text = str(output)
        assert [value for value in held_back if value in text] == [], name
        summaries = _summaries_of(output, w100)
        assert summaries, f"{name} does not show Wolverhampton's record at all"
        for summary in summaries:
            shown = {field for field, value in summary.items() if value is not None}
            assert shown <= set(disclosure.SHOWN_TO_ALL) | {"own"}, f"{name} shows {shown}"
            assert summary["own"] is False and summary["authority_name"] == "City of Wolverhampton Council"
            assert summary["ask"] == "licensing@wolverhampton.example"
    for email in emails:
        assert [value for value in held_back if value in email] == []
        if "Wolverhampton" in email:
            assert f"record {w100}" in email and "ask licensing@wolverhampton.example" in email
    # Wolverhampton's own answer shows its record in full: the rule hides from others only.
    own = web.get(f"/api/v1/findings/{register.ids['finding']}", headers=bearer(register.keys["own"])).json
    assert _summaries_of(own, w100)[0]["licence_number"] == "W100"
