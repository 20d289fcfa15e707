"""Bounded requests and headers fit for safeguarding data: what a client (or an attacker) sending
odd requests sees, and what the operator's logs keep of them."""

from __future__ import annotations

import json
import logging

import pytest

from api.app import create_app
from api.bounds import DEFAULT_BODY_LIMIT, MAX_JSON_DEPTH
from licensing.logs import JsonFormatter
from tests.conftest import bearer

WOLVERHAMPTON = "E08000031"
SEARCH = {"surname": "Mahmood", "date_of_birth": "1979-03-15", "reason": "enforcement"}


@pytest.fixture
def key(api_key):
    return api_key(WOLVERHAMPTON)


@pytest.fixture
def raw(crosscheck):
    """A client for requests off the contract (unknown paths and methods), which `web` refuses."""
    return create_app(crosscheck).test_client()


def test_a_search_larger_than_its_limit_is_refused_unread_with_the_limit_named(web, key):
    body = json.dumps({**SEARCH, "forenames": "x" * DEFAULT_BODY_LIMIT})
    response = web.post("/api/v1/searches", data=body, headers={**bearer(key), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["errors"][0]["error"] == "too_large"
    assert f"limit of {DEFAULT_BODY_LIMIT} bytes" in response.json["errors"][0]["message"]
    assert "CROSSCHECK_FEED_MAX_BYTES" not in response.json["errors"][0]["message"]


def test_a_feed_may_be_far_larger_than_a_search(web, key):
    rows = "\n".join(f"PH{n},private_hire_driver,active,2024-01-01,2027-01-01,SMITH,John,1980-05-04,WV1 1AA"
                     for n in range(2000))
    body = ("licence_number,licence_type,status,issued_on,expires_on,surname,forenames,date_of_birth,postcode\n"
            + rows).encode()
    assert len(body) > 10 * DEFAULT_BODY_LIMIT
    response = web.post("/api/v1/feeds/licences", data=body, headers={**bearer(key), "Content-Type": "text/csv"})
    assert response.status_code == 202


def test_deeply_nested_json_is_a_bad_request_not_a_crash(web, key):
    for depth in (MAX_JSON_DEPTH + 1, 5000):
        body = "[" * depth + "]" * depth
        response = web.post("/api/v1/searches", data=body,
                            headers={**bearer(key), "Content-Type": "application/json"})
        assert response.status_code == 400, depth
        assert "nested more than" in response.json["errors"][0]["message"]


def test_a_body_that_is_not_json_is_refused_where_json_is_required(web, crosscheck, key):
    headers = bearer(key)
    assert web.post("/api/v1/searches", data="surname=Smith", headers={**headers, "Content-Type":
                    "application/x-www-form-urlencoded"}).status_code == 415
    broken = web.post("/api/v1/findings/1/acknowledge", data=b"\x04\x9f",
                      headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 400 and "not valid JSON" in broken.json["errors"][0]["message"]


def test_ids_and_pages_too_large_for_the_database_are_not_found_or_refused(web, key):
    for path in ("/api/v1/drivers/99999999999999999999", "/api/v1/feeds/2147483648", "/api/v1/findings/0"):
        assert web.get(path, headers=bearer(key)).status_code == 404, path
    assert web.get("/api/v1/licences", query_string={"page": 10**18}, headers=bearer(key)).status_code == 400
    decision = web.post("/api/v1/identity/decisions", headers=bearer(key), json={
        "licence_a": 10**20, "licence_b": 1, "verdict": "same", "reason": "checked"})
    assert decision.status_code == 400


def test_a_method_the_route_does_not_have_is_answered_with_what_it_has(raw):
    response = raw.open("/api/v1/status", method="TRACE")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}


def test_every_response_carries_the_headers_for_safeguarding_data(raw, key):
    for response in (raw.get("/api/v1/licences", headers=bearer(key)), raw.get("/api/v1/licences"),
                     raw.get("/no/such/page"), raw.get("/"), raw.get("/healthz")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
        policy = headers["Content-Security-Policy"]
        if response.request.path == "/":  # a page: its own strict policy, no inline script or style
            assert policy.startswith("default-src 'none'; script-src 'self'") and "unsafe" not in policy
            assert policy.endswith("frame-ancestors 'none'")
        else:
            assert policy == "default-src 'none'; frame-ancestors 'none'"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_once_the_service_sits_behind_tls(crosscheck, settings, postcode_directory):
    from dataclasses import replace

    from licensing.bootstrap import Crosscheck
    from licensing.config import Settings

    assert Settings.from_env({"CROSSCHECK_BASE_URL": "https://crosscheck.example"}).behind_tls
    behind_tls = Crosscheck(replace(settings, behind_tls=True), engine=crosscheck.engine, postcodes=postcode_directory)
    response = create_app(behind_tls).test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_access_logs_keep_the_route_never_the_path_a_client_filled_in(raw, key, caplog):
    with caplog.at_level(logging.INFO, logger="api.access"):
        raw.get("/api/v1/searches/Smith/1971-03-09/AB123456C", headers=bearer(key))
        raw.get("/api/v1/drivers/4242", headers=bearer(key))
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records if record.name == "api.access"]
    assert [(line["route"], line["status"]) for line in lines] == [(None, 404), ("/api/v1/drivers/<driver_id>", 404)]
    everything = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    for personal in ("Smith", "1971-03-09", "AB123456C", "4242"):
        assert personal not in everything


def test_a_client_request_id_is_kept_only_if_it_is_a_short_safe_token(web):
    assert web.get("/healthz", headers={"X-Request-Id": "trace-123.a_B"}).headers["X-Request-Id"] == "trace-123.a_B"
    for unsafe in ("Smith 1971-03-09", "x" * 65, "a\u202eb", "<script>"):
        echoed = web.get("/healthz", headers={"X-Request-Id": unsafe}).headers["X-Request-Id"]
        assert echoed != unsafe and len(echoed) == 32
