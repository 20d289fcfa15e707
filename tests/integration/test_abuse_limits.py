"""Abuse limits: per API key and per client address, counters shared by every worker, 429 with
Retry-After in the error shape. The limits are set low here (the same settings an operator uses)
so that a few requests reach them."""

from __future__ import annotations

import multiprocessing
import stat
import uuid
from dataclasses import replace

import pytest
import redis

from api.app import create_app
from api.limit_counters import SCHEME, FileCounters
from licensing.bootstrap import Crosscheck
from licensing.config import Settings
from tests.conftest import bearer
from tests.contract import ContractClient

BOLTON, SHEFFIELD = "E08000001", "E08000019"
REDIS = "redis://127.0.0.1:6379/0"
OFFICE, ELSEWHERE = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "198.51.100.7"}
LOW = {
    "CROSSCHECK_RATE_LIMIT_SEARCHES_PER_KEY": "2 per hour",
    "CROSSCHECK_RATE_LIMIT_SEARCHES_PER_ADDRESS": "3 per hour",
    "CROSSCHECK_RATE_LIMIT_DRIVER_VIEWS_PER_KEY": "2 per day",
    "CROSSCHECK_RATE_LIMIT_IDENTITY_DECISIONS_PER_KEY": "1 per hour",
    "CROSSCHECK_RATE_LIMIT_FAILED_AUTHENTICATION_PER_ADDRESS": "3 per minute",
}


def web_client(crosscheck: Crosscheck, **env: str):
    settings = crosscheck.settings
    settings = replace(settings, env={**settings.env, **LOW, **env},
                       rate_limit_storage=env.get("CROSSCHECK_RATE_LIMIT_STORAGE"),
                       rate_limit_prefix=env.get("CROSSCHECK_RATE_LIMIT_PREFIX", "crosscheck"),
                       rate_limits_enabled=env.get("CROSSCHECK_RATE_LIMITS") != "off")
    app = create_app(Crosscheck(settings, engine=crosscheck.engine, postcodes=crosscheck.postcodes))
    app.testing = True
    app.test_client_class = ContractClient
    return app.test_client()


def search(client, key: str, address=OFFICE):
    return client.post("/api/v1/searches", headers=bearer(key), environ_base=address,
                       json={"surname": "Khan", "forenames": "Amir", "date_of_birth": "1980-02-03",
                             "reason": "enforcement"})


def assert_too_many(response, source: str, window_seconds: int) -> None:
    assert response.status_code == 429
    assert response.json["errors"][0]["error"] == "too_many_requests"
    assert f"from {source}" in response.json["errors"][0]["message"]
    assert 0 < int(response.headers["Retry-After"]) <= window_seconds + 1  # the window rounded up


def test_searches_are_limited_per_key_and_per_address(crosscheck, api_key):
    client = web_client(crosscheck)
    bolton, bolton_second_system = api_key(BOLTON), api_key(BOLTON)

    assert [search(client, bolton).status_code for _ in range(2)] == [200, 200]
    assert_too_many(search(client, bolton), "this API key", 3600)
    assert search(client, bolton_second_system).status_code == 200  # its own count, but the office's third
    assert_too_many(search(client, bolton_second_system), "this address", 3600)
    assert search(client, api_key(BOLTON), address=ELSEWHERE).status_code == 200  # another office


def test_driver_views_are_limited_even_for_ids_that_do_not_exist(crosscheck, api_key):
    """Walking the ids is how a register is harvested: misses count too."""
    client = web_client(crosscheck)
    key = api_key(SHEFFIELD)
    for driver_id in (101, 102):
        assert client.get(f"/api/v1/drivers/{driver_id}", headers=bearer(key)).status_code == 404
    assert_too_many(client.get("/api/v1/drivers/103", headers=bearer(key)), "this API key", 86400)


def test_identity_decisions_are_limited(crosscheck, api_key):
    client = web_client(crosscheck)
    key = api_key(SHEFFIELD)
    decision = {"licence_a": 1, "licence_b": 2, "verdict": "same", "reason": "checked with the DBS certificate"}
    assert client.post("/api/v1/identity/decisions", headers=bearer(key), json=decision).status_code == 404
    assert_too_many(client.post("/api/v1/identity/decisions", headers=bearer(key), json=decision),
                    "this API key", 3600)


def test_failed_authentication_locks_the_address_out_before_any_key_is_checked(crosscheck, api_key):
    client = web_client(crosscheck)
    good = api_key(BOLTON)
    for guess in ("cc_0123456789ab_guess1", "cc_0123456789ab_guess2", "not-a-key"):
        assert client.get("/api/v1/licences", headers=bearer(guess), environ_base=OFFICE).status_code == 401
    # From now on even the right key gets nothing from that address, so guessing cannot go on.
    assert_too_many(client.get("/api/v1/licences", headers=bearer(good), environ_base=OFFICE), "this address", 60)
    assert client.get("/healthz", environ_base=OFFICE).status_code == 200
    assert client.get("/api/v1/licences", headers=bearer(good), environ_base=ELSEWHERE).status_code == 200


def test_two_workers_share_one_count(crosscheck, api_key):
    """Two app instances, each with its own limiter and connection, as two gunicorn workers have."""
    first, second = web_client(crosscheck), web_client(crosscheck)
    key = api_key(BOLTON)
    assert search(first, key).status_code == 200
    assert search(second, key).status_code == 200
    assert_too_many(search(first, key), "this API key", 3600)


def test_counters_in_redis_when_configured(crosscheck, api_key):
    prefix = f"crosscheck-test-{uuid.uuid4().hex}"
    client = web_client(crosscheck, CROSSCHECK_RATE_LIMIT_STORAGE=REDIS, CROSSCHECK_RATE_LIMIT_PREFIX=prefix)
    key = api_key(BOLTON)
    server = redis.Redis.from_url(REDIS)
    try:
        assert [search(client, key).status_code for _ in range(2)] == [200, 200]
        assert_too_many(search(client, key), "this API key", 3600)
        assert server.keys(f"*{prefix}*"), "the counts were not kept in Redis"
    finally:
        for name in server.scan_iter(f"*{prefix}*"):
            server.delete(name)
        server.close()


def test_limits_switched_off_never_answer_429(crosscheck, api_key):
    client = web_client(crosscheck, CROSSCHECK_RATE_LIMITS="off")
    key = api_key(BOLTON)
    assert {search(client, key).status_code for _ in range(4)} == {200}


def _count_in_another_process(path: str, times: int) -> None:
    counters = FileCounters(f"{SCHEME}://{path}")
    for _ in range(times):
        counters.incr("searches/api_key:1", 3600)


def test_the_file_counters_add_up_across_processes(tmp_path):
    path = tmp_path / "var" / "rate_limits.db"
    workers = [multiprocessing.get_context("fork").Process(target=_count_in_another_process, args=(str(path), 100))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert FileCounters(f"{SCHEME}://{path}").get("searches/api_key:1") == 200
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_limits_are_on_unless_switched_off_and_memory_counters_are_refused():
    assert Settings.from_env({}).rate_limits_enabled
    with pytest.raises(ValueError, match="each gunicorn worker its own counters"):
        Settings.from_env({"CROSSCHECK_RATE_LIMIT_STORAGE": "memory://"})


def test_the_register_and_local_state_are_readable_by_the_service_alone(tmp_path):
    var = tmp_path / "var"
    app = Crosscheck(Settings.from_env({"CROSSCHECK_VAR_DIR": str(var)}))
    with app.engine.connect() as connection:  # open, so the write-ahead log files exist too
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.commit()
        modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in var.iterdir()}
    app.engine.dispose()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert modes == {"crosscheck.db": 0o600, "crosscheck.db-wal": 0o600, "crosscheck.db-shm": 0o600}


def test_a_var_directory_made_before_is_tightened(tmp_path):
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    Crosscheck(Settings.from_env({"CROSSCHECK_VAR_DIR": str(var)})).engine.dispose()
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
