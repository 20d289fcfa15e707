"""Licence feeds through the API, applied as the jobs worker applies them, on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from licensing.services import feeds
from licensing.store.models import Licence, LicenceEvent
from tests.conftest import bearer
from tests.feeds import HEADER, feed

WOLVERHAMPTON = "E08000031"
MANCHESTER = "E08000003"


def row(number: int, *, surname="KHAN", forenames="Imran", status="active", postcode="M14 5AA",
        address="1 High Street") -> str:
    return (f"PH{number:05d},private_hire_driver,{status},2024-01-01,2027-01-01,{surname},{forenames},"
            f"1980-05-04,,,{address},{postcode}")




def register(n: int, **overrides) -> bytes:
    return feed(*(row(i, **overrides) for i in range(1, n + 1)))


def post(web, key, body: bytes, content_type="text/csv"):
    return web.post("/api/v1/feeds/licences", data=body, headers={**bearer(key), "Content-Type": content_type})


def post_and_apply(crosscheck, web, key, body: bytes, content_type="text/csv") -> dict:
    response = post(web, key, body, content_type)
    assert response.status_code == 202, response.json
    feeds.apply_pending_feeds(crosscheck)
    return web.get(response.headers["Location"], headers=bearer(key)).json


def live_licences(crosscheck, authority=WOLVERHAMPTON) -> dict[str, Licence]:
    with crosscheck.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(Licence).where(Licence.authority_code == authority)).scalars()
        return {licence.licence_number: licence for licence in rows if licence.ended_at is None}


def test_a_pushed_feed_is_received_at_once_then_applied(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    response = post(web, key, register(3))
    assert response.status_code == 202
    assert response.json["status"] == "received"
    status = web.get(response.headers["Location"], headers=bearer(key)).json
    assert status["status"] == "received"

    feeds.apply_pending_feeds(crosscheck)
    status = web.get(response.headers["Location"], headers=bearer(key)).json
    assert status["status"] == "applied"
    assert status["counts"] == {"added": 3, "changed": 0, "unchanged": 0, "ended": 0, "rejected": 0}
    listed = web.get("/api/v1/licences", headers=bearer(key)).json
    assert listed["total"] == 3
    first = listed["licences"][0]
    assert first["licence_number"] == "PH00001"
    assert first["home"] == {"authority_code": MANCHESTER, "precision": "exact", "share": 1.0}


def test_the_same_feed_twice_changes_nothing(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(20))
    before = {n: (l.updated_at, l.content_hash) for n, l in live_licences(crosscheck).items()}
    again = post_and_apply(crosscheck, web, key, register(20))
    assert again["counts"] == {"added": 0, "changed": 0, "unchanged": 20, "ended": 0, "rejected": 0}
    after = {n: (l.updated_at, l.content_hash) for n, l in live_licences(crosscheck).items()}
    assert after == before


def test_a_repeat_of_the_applied_feed_is_recognised_without_reading_it_again(crosscheck, web, api_key, monkeypatch):
    key = api_key(WOLVERHAMPTON)
    body = feed(*(row(i) for i in range(1, 21)), "PH00099,private_hire_driver,active,2024-01-01,2027-01-01,,,,,,,")
    first = post_and_apply(crosscheck, web, key, body)
    assert first["counts"] == {"added": 20, "changed": 0, "unchanged": 0, "ended": 0, "rejected": 1}

    def unread(*args, **kwargs):
        raise AssertionError("a repeat must not be read again")

    monkeypatch.setattr(feeds, "parse_feed", unread)
    again = post_and_apply(crosscheck, web, key, body)
    assert again["status"] == "applied"
    assert again["message"] == f"The same file as feed {first['id']}, read the same way: nothing has changed."
    assert again["counts"] == {"added": 0, "changed": 0, "unchanged": 20, "ended": 0, "rejected": 1}
    assert again["problems"] == first["problems"]


def test_changes_are_applied_with_their_history_and_missing_licences_are_ended_not_deleted(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(20))
    rows = [row(i) for i in range(1, 20)]  # PH00020 is gone
    rows[0] = row(1, status="suspended", address="9 New Road")
    result = post_and_apply(crosscheck, web, key, feed(*rows))
    assert result["status"] == "applied"
    assert result["counts"] == {"added": 0, "changed": 1, "unchanged": 18, "ended": 1, "rejected": 0}

    live = live_licences(crosscheck)
    assert "PH00020" not in live and live["PH00001"].status == "suspended"
    with crosscheck.unit_of_work(write=False) as uow:
        events = {e.kind: e for e in uow.session.execute(select(LicenceEvent)).scalars()}
    assert events["changed"].changes == {"status": ["active", "suspended"], "address": ["1 High Street", "9 New Road"]}
    assert "ended" in events
    everything = web.get("/api/v1/licences?include_ended=true", headers=bearer(key)).json
    ended = [l for l in everything["licences"] if l["licence_number"] == "PH00020"]
    assert ended and ended[0]["in_register"] is False and ended[0]["ended_at"]

    # The licence comes back in a later feed: reinstated, counted as added.
    back = post_and_apply(crosscheck, web, key, register(20))
    assert back["counts"]["added"] == 1 and "PH00020" in live_licences(crosscheck)


def test_a_truncated_export_is_held_and_changes_nothing_until_confirmed(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(100))
    held = post_and_apply(crosscheck, web, key, register(60))
    assert held["status"] == "needs_confirmation"
    assert "would end 40 of the 100 live licences" in held["message"]
    assert held["counts"]["ended"] == 40
    assert len(live_licences(crosscheck)) == 100

    confirmed = web.post(f"/api/v1/feeds/{held['id']}/confirm", headers=bearer(key))
    assert confirmed.status_code == 202
    feeds.apply_pending_feeds(crosscheck)
    status = web.get(f"/api/v1/feeds/{held['id']}", headers=bearer(key)).json
    assert status["status"] == "applied"
    assert len(live_licences(crosscheck)) == 60


def test_a_feed_mostly_of_invalid_rows_is_held(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(10))
    rows = [row(i) for i in range(1, 11)]
    rows[:3] = [r.replace("2024-01-01", "31/02/2024") for r in rows[:3]]
    held = post_and_apply(crosscheck, web, key, feed(*rows))
    assert held["status"] == "needs_confirmation"
    assert "3 of its 10 rows are invalid" in held["message"]


def test_a_later_feed_supersedes_a_held_one(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(50))
    held = post_and_apply(crosscheck, web, key, register(10))
    post_and_apply(crosscheck, web, key, register(50))
    status = web.get(f"/api/v1/feeds/{held['id']}", headers=bearer(key)).json
    assert status["status"] == "superseded"
    refused = web.post(f"/api/v1/feeds/{held['id']}/confirm", headers=bearer(key))
    assert refused.status_code == 409
    assert len(live_licences(crosscheck)) == 50


def test_feeds_from_one_authority_apply_in_the_order_received(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    first = post(web, key, register(20, address="first"))
    second = post(web, key, register(20, address="second"))
    with pytest.raises(Exception, match="must be applied first"):
        feeds.apply_feed(crosscheck, second.json["id"])
    outcomes = feeds.apply_pending_feeds(crosscheck)
    assert [o.feed_id for o in outcomes] == [first.json["id"], second.json["id"]]
    assert {l.address for l in live_licences(crosscheck).values()} == {"second"}


def test_a_crash_mid_apply_leaves_the_register_as_before(crosscheck, web, api_key, monkeypatch):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(20))
    before = {n: (l.status, l.address) for n, l in live_licences(crosscheck).items()}

    rows = [row(i, address="moved") for i in range(1, 21)] + [row(i) for i in range(21, 23)]
    response = post(web, key, feed(*rows))

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    # New licences are inserted before old values are read for the history: crash in between.
    monkeypatch.setattr(feeds, "_licence_snapshots", crash)
    with pytest.raises(RuntimeError):
        feeds.apply_pending_feeds(crosscheck)
    after = {n: (l.status, l.address) for n, l in live_licences(crosscheck).items()}
    assert after == before
    assert web.get(response.headers["Location"], headers=bearer(key)).json["status"] == "received"

    monkeypatch.undo()
    feeds.apply_pending_feeds(crosscheck)
    assert len(live_licences(crosscheck)) == 22


def test_a_feed_missing_required_columns_is_rejected_whole_and_ends_nothing(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(5))
    body = b"licence_number,surname\nPH00001,KHAN\n"
    result = post_and_apply(crosscheck, web, key, body)
    assert result["status"] == "rejected"
    for column in ("licence_type", "status", "expires_on", "date_of_birth", "postcode"):
        assert column in result["message"]
    assert len(live_licences(crosscheck)) == 5


def test_invalid_rows_are_reported_and_valid_rows_kept(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    rows = [row(i) for i in range(1, 21)]
    rows[4] = row(5).replace("private_hire_driver", "bus_driver")
    rows[7] = row(8, postcode="NOT A POSTCODE")
    result = post_and_apply(crosscheck, web, key, feed(*rows))
    assert result["status"] == "applied"
    assert result["counts"]["added"] == 19 and result["counts"]["rejected"] == 1
    errors = [p for p in result["problems"] if p["severity"] == "error"]
    assert errors[0]["row"] == 5 and errors[0]["field"] == "licence_type"
    warnings = [p for p in result["problems"] if p["severity"] == "warning" and p["field"] == "postcode"]
    assert warnings and warnings[0]["row"] == 8
    assert live_licences(crosscheck)["PH00008"].home_precision == "unknown"


def test_a_rejected_row_does_not_end_its_licence(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(20))
    rows = [row(i) for i in range(1, 21)]
    rows[2] = row(3).replace("1980-05-04", "1980-13-45")
    result = post_and_apply(crosscheck, web, key, feed(*rows))
    assert result["counts"]["ended"] == 0 and result["counts"]["rejected"] == 1
    assert "PH00003" in live_licences(crosscheck)


def test_windows_1252_and_json_feeds(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    body = feed(row(1, forenames="Zoë", address="£5 Lane")).decode().encode("cp1252")
    result = post_and_apply(crosscheck, web, key, body)
    assert result["counts"]["added"] == 1
    licence = live_licences(crosscheck)["PH00001"]
    assert (licence.forenames, licence.address) == ("Zoë", "£5 Lane")

    record = dict(zip(HEADER.split(","), row(1, forenames="Zoë", address="£5 Lane").split(",")))
    record["ni_number"] = None
    result = post_and_apply(crosscheck, web, key, json.dumps([record]).encode(), "application/json")
    assert result["status"] == "applied" and result["counts"]["unchanged"] == 1


def test_formula_looking_values_are_stored_as_text(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, feed(row(1, address="=HYPERLINK(\"http://x\")")))
    assert live_licences(crosscheck)["PH00001"].address == '=HYPERLINK("http://x")'


@pytest.mark.parametrize("headers, body, status, error", [
    ({}, b"x", 401, "unauthorised"),
    ({"Authorization": "Bearer cc_0000_nothing"}, b"x", 401, "unauthorised"),
    ({"Authorization": "KEY", "Content-Type": "text/csv"}, b"x", 401, "unauthorised"),
])
def test_feeds_need_a_valid_key(web, headers, body, status, error):
    response = web.post("/api/v1/feeds/licences", data=body, headers=headers)
    assert response.status_code == status
    assert response.json == {"status_code": status, "errors": [{"error": error, "message": response.json["errors"][0]["message"]}]}


def test_bad_requests_get_specific_answers(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    wrong_type = post(web, key, register(1), "application/vnd.ms-excel")
    assert wrong_type.status_code == 415 and "text/csv or application/json" in wrong_type.json["errors"][0]["message"]
    empty = post(web, key, b"")
    assert empty.status_code == 400 and "empty" in empty.json["errors"][0]["message"]
    operator = post(web, api_key(None), register(1))
    assert operator.status_code == 403


def test_an_oversize_feed_gets_413_and_stores_nothing(settings, postcode_directory, api_key):
    from dataclasses import replace

    from api.app import create_app
    from licensing.bootstrap import Crosscheck
    from licensing.store.models import Feed

    small = Crosscheck(replace(settings, feed_max_bytes=1000), postcodes=postcode_directory)
    web = create_app(small).test_client()
    response = post(web, api_key(WOLVERHAMPTON), register(50))
    assert response.status_code == 413
    assert "1000 bytes" in response.json["errors"][0]["message"]
    with small.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(func.count()).select_from(Feed)).scalar() == 0
    small.engine.dispose()


def test_an_authority_sees_only_its_own_feeds_and_licences(crosscheck, web, api_key):
    mine, theirs = api_key(WOLVERHAMPTON), api_key(MANCHESTER)
    feed = post_and_apply(crosscheck, web, mine, register(3))
    assert web.get(f"/api/v1/feeds/{feed['id']}", headers=bearer(theirs)).status_code == 404
    assert web.get("/api/v1/licences", headers=bearer(theirs)).json["total"] == 0


def test_licences_are_paged(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    post_and_apply(crosscheck, web, key, register(25))
    page = web.get("/api/v1/licences?page=3&page_size=10", headers=bearer(key)).json
    assert (page["total"], page["pages"], len(page["licences"])) == (25, 3, 5)
    assert web.get("/api/v1/licences?page=0", headers=bearer(key)).status_code == 400


def test_a_feed_that_trips_a_fault_is_set_aside_and_holds_up_no_other(crosscheck, web, api_key, monkeypatch, caplog):
    key, other = api_key(WOLVERHAMPTON), api_key(MANCHESTER)
    first = post(web, key, register(3, surname="FAULTY"))
    second = post(web, other, register(2))
    real_parse = feeds.parse_feed

    def parse_with_a_fault(body, content_type, mapping):
        if b"FAULTY" in body:
            raise ValueError("unexpected value 'FAULTY'")
        return real_parse(body, content_type, mapping)

    monkeypatch.setattr(feeds, "parse_feed", parse_with_a_fault)
    outcomes = feeds.apply_pending_feeds(crosscheck)
    assert [o.status for o in outcomes] == ["rejected", "applied"]
    status = web.get(first.headers["Location"], headers=bearer(key)).json
    assert status["message"] == feeds.UNREADABLE
    assert web.get(second.headers["Location"], headers=bearer(other)).json["status"] == "applied"
    assert "FAULTY" not in caplog.text
    status = web.get("/api/v1/status", headers=bearer(api_key(None))).json
    assert [f["id"] for f in status["unreadable_feeds"]] == [first.json["id"]]
