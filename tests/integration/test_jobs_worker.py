"""The jobs worker as operators run it: `crosscheck jobs` in its own process. It stays up for as
long as it holds the scheduler lock, beats a heartbeat the operator can see, and only one scheduler
runs at a time: a second waits, and takes over only when the first dies."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from api.app import create_app
from licensing.actors import Actor
from licensing.services import feeds, operations
from licensing.services.authorities import update_authority_settings
from licensing.store.models import Feed, JobStatus
from tests.conftest import bearer
from tests.feeds import feed
from tests.smtp import free_port

REPO = Path(__file__).resolve().parents[2]
CSV = (b"licence_number,licence_type,status,issued_on,expires_on,surname,forenames,date_of_birth,postcode\n"
       b"W1,private_hire_driver,active,2024-01-01,2027-01-01,KAUR,Amrit,1990-01-02,WV1 1AA\n")
WOLVERHAMPTON, MANCHESTER = "E08000031", "E08000003"
# Licensed by Wolverhampton; Manchester revoked him: an alert that cannot wait.
TARIQ_WOLVERHAMPTON = ("W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,"
                       "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
TARIQ_MANCHESTER_REVOKED = ("M1,private_hire_driver,revoked,2021-06-01,2024-06-01,Mahmood,Tariq,15/03/1979,"
                            "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
# Short, so that a test outlives many lock checks and heartbeats in a few seconds.
LOCK_CHECK_SECONDS = 0.3
# Generous: the machines that run the suite may be busy, and a process may take long to start.
STARTUP_SECONDS = 60

pytestmark = pytest.mark.slow


def start_worker(settings) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "CROSSCHECK_VAR_DIR": str(settings.var_dir),
           "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference"),
           "CROSSCHECK_LOCK_CHECK_SECONDS": str(LOCK_CHECK_SECONDS)}
    return subprocess.Popen([sys.executable, "-m", "crosscheck", "jobs"], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def post_feed(crosscheck) -> int:
    with crosscheck.unit_of_work() as uow:
        return feeds.receive_feed(uow, authority_code="E08000031", body=CSV, content_type="text/csv", source="push")


def wait_for(condition, timeout: float = STARTUP_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def feed_status(crosscheck, feed_id: int) -> str | None:
    with crosscheck.unit_of_work(write=False) as uow:
        return uow.session.execute(select(Feed.status).where(Feed.id == feed_id)).scalar()


def wait_for_status(crosscheck, feed_id: int, status: str, timeout: float = STARTUP_SECONDS) -> bool:
    return wait_for(lambda: feed_status(crosscheck, feed_id) == status, timeout)


def scheduler(crosscheck) -> dict:
    return operations.service_status(crosscheck)["scheduler"]


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr.decode()


class ServedApp:
    """The web app on a real HTTP port, in this process."""

    def __init__(self, crosscheck):
        self.server = make_server("127.0.0.1", free_port(), create_app(crosscheck), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.thread.join()


def test_the_worker_stays_up_and_a_feed_posted_over_http_is_applied_and_alerted(crosscheck, api_key):
    with crosscheck.unit_of_work() as uow:
        for code, name in ((WOLVERHAMPTON, "wolverhampton"), (MANCHESTER, "manchester")):
            update_authority_settings(uow, Actor.service(), code, {"enforcement_email": f"enforcement@{name}.example"})
        feeds.receive_feed(uow, authority_code=WOLVERHAMPTON, body=feed(TARIQ_WOLVERHAMPTON), content_type="text/csv",
                           source="push")
    keys = {code: api_key(code) for code in (WOLVERHAMPTON, MANCHESTER)}
    worker = start_worker(crosscheck.settings)
    try:
        # Many lock checks later the worker is still there and still beating.
        assert wait_for(lambda: scheduler(crosscheck)["state"] == "running", timeout=STARTUP_SECONDS)
        time.sleep(10 * LOCK_CHECK_SECONDS)
        assert worker.poll() is None
        first_beat = scheduler(crosscheck)["last_heartbeat_at"]
        assert wait_for(lambda: scheduler(crosscheck)["last_heartbeat_at"] > first_beat, timeout=30)
        assert scheduler(crosscheck)["pid"] == worker.pid

        with ServedApp(crosscheck) as served:
            assert requests.get(f"{served.url}/readyz", timeout=10).status_code == 200
            posted = requests.post(f"{served.url}/api/v1/feeds/licences", data=feed(TARIQ_MANCHESTER_REVOKED),
                                   timeout=10, headers={**bearer(keys[MANCHESTER]), "Content-Type": "text/csv"})
            assert posted.status_code == 202
            feed_url = f"{served.url}/api/v1/feeds/{posted.json()['id']}"
            assert wait_for(lambda: requests.get(feed_url, timeout=10, headers=bearer(keys[MANCHESTER]))
                            .json()["stages"][-1]["state"] == "done")
        outbox = crosscheck.settings.var_dir / "outbox"

        def alert_for_wolverhampton():
            for path in outbox.glob("*.eml") if outbox.exists() else ():
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if message["To"] == "enforcement@wolverhampton.example":
                    return message
            return None

        assert wait_for(lambda: alert_for_wolverhampton() is not None)
        assert "revoked" in alert_for_wolverhampton()["Subject"].lower() + alert_for_wolverhampton().get_content()
        assert worker.poll() is None
    finally:
        log = stop(worker)
    assert worker.returncode == 0, log
    assert "scheduler lock lost" not in log
    with crosscheck.unit_of_work(write=False) as uow:
        status = uow.session.get(JobStatus, "process_feeds")
    assert status.last_outcome == "ok" and status.runs >= 1 and status.last_duration_seconds is not None
    assert '"scheduler stopped"' in log
    stopped = scheduler(crosscheck)
    assert (stopped["state"], stopped["stop_reason"]) == ("stopped", "stopped by a signal")


def test_a_second_worker_waits_while_the_first_is_healthy_and_takes_over_when_it_dies(crosscheck):
    first = start_worker(crosscheck.settings)
    second = None
    try:
        assert wait_for(lambda: scheduler(crosscheck)["pid"] == first.pid)
        second = start_worker(crosscheck.settings)
        # The first stays in charge through many lock checks: the second only waits.
        assert wait_for(lambda: [w["pid"] for w in scheduler(crosscheck)["standby"]] == [second.pid], timeout=STARTUP_SECONDS)
        time.sleep(10 * LOCK_CHECK_SECONDS)
        assert first.poll() is None and second.poll() is None
        now = scheduler(crosscheck)
        assert (now["state"], now["pid"], now["healthy"]) == ("running", first.pid, True)

        first.kill()  # dies without releasing anything
        first.wait()
        assert wait_for_status(crosscheck, post_feed(crosscheck), "applied")
        assert wait_for(lambda: scheduler(crosscheck)["pid"] == second.pid)
        assert scheduler(crosscheck)["standby"] == []
    finally:
        stop(first)
        log = stop(second) if second else ""
    assert "another scheduler holds the lock" in log
    assert log.count("scheduler lock acquired") == 1

