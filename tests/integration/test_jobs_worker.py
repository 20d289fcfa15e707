"""The jobs worker as operators run it: `crosscheck jobs` in its own process. Only one scheduler
runs at a time; a second waits and takes over when the first dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from licensing.services import feeds
from licensing.store.models import Feed, JobStatus

REPO = Path(__file__).resolve().parents[2]
CSV = (b"licence_number,licence_type,status,issued_on,expires_on,surname,forenames,date_of_birth,postcode\n"
       b"W1,private_hire_driver,active,2024-01-01,2027-01-01,KAUR,Amrit,1990-01-02,WV1 1AA\n")

pytestmark = pytest.mark.slow


def start_worker(settings) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "CROSSCHECK_VAR_DIR": str(settings.var_dir),
           "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference")}
    return subprocess.Popen([sys.executable, "-m", "crosscheck", "jobs"], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def post_feed(crosscheck) -> int:
    with crosscheck.unit_of_work() as uow:
        return feeds.receive_feed(uow, authority_code="E08000031", body=CSV, content_type="text/csv", source="push")


def wait_for_status(crosscheck, feed_id: int, status: str, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with crosscheck.unit_of_work(write=False) as uow:
            if uow.session.execute(select(Feed.status).where(Feed.id == feed_id)).scalar() == status:
                return True
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return stderr.decode()


def test_the_worker_applies_feeds_and_records_its_runs(crosscheck):
    worker = start_worker(crosscheck.settings)
    try:
        feed_id = post_feed(crosscheck)
        assert wait_for_status(crosscheck, feed_id, "applied")
    finally:
        log = stop(worker)
    assert worker.returncode == 0, log
    with crosscheck.unit_of_work(write=False) as uow:
        status = uow.session.get(JobStatus, "process_feeds")
    assert status.last_outcome == "ok" and status.runs >= 1 and status.last_duration_seconds is not None
    assert '"scheduler stopped"' in log


def test_a_second_worker_waits_and_takes_over_when_the_first_dies(crosscheck):
    first = start_worker(crosscheck.settings)
    second = None
    try:
        assert wait_for_status(crosscheck, post_feed(crosscheck), "applied")
        second = start_worker(crosscheck.settings)
        time.sleep(3)
        assert second.poll() is None  # waiting, not running jobs and not crashed
        first.kill()  # dies without releasing anything
        first.wait()
        assert wait_for_status(crosscheck, post_feed(crosscheck), "applied", timeout=30)
    finally:
        stop(first)
        log = stop(second) if second else ""
    assert "another scheduler holds the lock" in log
    assert "scheduler lock acquired" in log
