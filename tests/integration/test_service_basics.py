"""Routes are guarded, health checks tell the truth, and logs carry no personal data."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from api.app import create_app
from licensing.clock import utc_now
from licensing.logs import JsonFormatter
from licensing.store.migrate import head_revision
from tests.conftest import bearer


def test_every_route_is_guarded_or_deliberately_public(crosscheck):
    app = create_app(crosscheck)
    public_blueprints = {name for name, bp in app.blueprints.items() if getattr(bp, "unauthenticated", False)}
    assert public_blueprints == {"health", "sign_in", "api_contract"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.split(".")[0]
        if blueprint in public_blueprints:
            continue
        guards = {g.__name__ for g in app.before_request_funcs.get(blueprint, [])}
        assert guards & {"require_api_key", "require_officer"}, f"{rule} has no API key or sign-in guard"


def test_an_unguarded_api_route_refuses_without_a_key(web):
    for path in ("/api/v1/licences", "/api/v1/feeds/1", "/api/v1/authorities/TFL/settings"):
        response = web.get(path)
        assert response.status_code == 401, path
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def a_beating_scheduler(crosscheck) -> int:
    from licensing.services import scheduler_health

    with crosscheck.unit_of_work() as uow:
        worker = scheduler_health.worker_started(uow, host="jobs-1", pid=4242, schedule=[])
    with crosscheck.unit_of_work() as uow:
        scheduler_health.beat(uow, worker, state="running")
    return worker


def test_health_and_readiness(crosscheck, web):
    assert web.get("/healthz").json == {"status": "ok"}
    a_beating_scheduler(crosscheck)
    ready = web.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["migrations"] == {"current": head_revision(), "head": head_revision()}
    assert ready.json["scheduler"]["state"] == "running"


def test_not_ready_without_a_jobs_worker_or_when_its_heartbeat_stops(crosscheck, web):
    from sqlalchemy import update

    from licensing.store.scheduler import SchedulerHeartbeat

    absent = web.get("/readyz")
    assert absent.status_code == 503 and "no jobs worker has run" in absent.json["scheduler"]["reason"]
    worker = a_beating_scheduler(crosscheck)
    with crosscheck.engine.begin() as connection:
        connection.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == worker)
                           .values(last_beat_at=utc_now() - timedelta(minutes=3)))
    stale = web.get("/readyz")
    assert stale.status_code == 503 and stale.json["scheduler"]["state"] == "stale"
    assert re.search(r"no scheduler heartbeat for 18\d s \(limit 120 s\)", stale.json["scheduler"]["reason"])
    assert "jobs-1" not in str(stale.json)  # the host is for the operator's eyes only


def test_readiness_fails_when_the_database_is_unreachable(settings, postcode_directory):
    from dataclasses import replace

    from licensing.bootstrap import Crosscheck

    gone = Crosscheck(replace(settings, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"),
                      postcodes=postcode_directory)
    response = create_app(gone).test_client().get("/readyz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_readiness_fails_when_migrations_are_behind(crosscheck, web):
    from sqlalchemy import text

    with crosscheck.engine.begin() as connection:
        head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        connection.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    try:
        response = web.get("/readyz")
        assert response.status_code == 503 and response.json["migrations"]["current"] == "older"
    finally:
        # A PostgreSQL test database is emptied, not recreated, between tests: put the version back.
        with crosscheck.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})


def test_request_ids_are_echoed_and_logged_without_personal_data(crosscheck, web, api_key, caplog):
    key = api_key("E08000031")
    body = ("licence_number,licence_type,status,issued_on,expires_on,surname,forenames,date_of_birth,postcode\n"
            "PH1,private_hire_driver,active,2024-01-01,2027-01-01,ZEBEDEE,Quentin,1980-05-04,WV1 1AA\n").encode()
    with caplog.at_level(logging.DEBUG):
        response = web.post("/api/v1/feeds/licences", data=body,
                            headers={**bearer(key), "Content-Type": "text/csv", "X-Request-Id": "trace-123"})
        from licensing.services.feeds import apply_pending_feeds

        apply_pending_feeds(crosscheck)
        web.get("/api/v1/licences", headers=bearer(key))
    assert response.headers["X-Request-Id"] == "trace-123"
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert any(json.loads(line).get("request_id") == "trace-123" for line in lines)
    everything = "\n".join(lines)
    for personal in ("ZEBEDEE", "Quentin", "1980-05-04", "WV1 1AA", "PH1,"):
        assert personal not in everything
    assert key not in everything


def test_the_api_contract_is_served(web):
    response = web.get("/api/v1/openapi.yaml")
    assert response.status_code == 200 and b"openapi:" in response.data
