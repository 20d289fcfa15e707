"""The jobs worker: one APScheduler in its own process, never inside web workers."""

from __future__ import annotations

import logging
import signal
import time
import uuid
from datetime import timezone

from apscheduler.schedulers.blocking import BlockingScheduler

from jobs.lock import SchedulerLock
from jobs.schedule import SCHEDULE, ScheduledJob
from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.logs import correlation_id
from licensing.store.models import JobStatus

log = logging.getLogger(__name__)

LOCK_CHECK_SECONDS = 10


def run_job(app: Crosscheck, job: ScheduledJob) -> None:
    """Run one job and record its outcome where the operator can see it; a failure is logged
    with its traceback and never stops the scheduler."""
    correlation_id.set(f"job-{job.name}-{uuid.uuid4().hex[:8]}")
    started = utc_now()
    clock = time.perf_counter()
    try:
        detail = job.run(app)
        outcome = "ok"
    except Exception as error:
        log.exception("job failed", extra={"job": job.name})
        detail, outcome = f"{type(error).__name__}: {error}", "failed"
    duration = time.perf_counter() - clock
    _record(app, job.name, started, duration, outcome, None if detail is None else str(detail)[:2000])
    log.info("job finished", extra={"job": job.name, "outcome": outcome, "seconds": round(duration, 3)})


def _record(app: Crosscheck, name: str, started, duration: float, outcome: str, detail: str | None) -> None:
    with app.unit_of_work() as uow:
        status = uow.session.get(JobStatus, name) or JobStatus(job=name)
        status.last_started_at = started
        status.last_finished_at = utc_now()
        status.last_duration_seconds = round(duration, 3)
        status.last_outcome = outcome
        status.last_detail = detail
        status.runs += 1
        if outcome == "ok":
            status.last_success_at = status.last_finished_at
        else:
            status.failures += 1
        uow.session.add(status)
        uow.commit()


def build_scheduler(app: Crosscheck, lock: SchedulerLock, schedule=SCHEDULE) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=timezone.utc,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in schedule:
        if job.every_seconds:
            # Interval jobs start at once, so a restarted worker catches up without waiting.
            trigger = {"trigger": "interval", "seconds": job.every_seconds, "next_run_time": utc_now()}
        else:
            trigger = {"trigger": "cron", **job.cron}
        scheduler.add_job(run_job, args=(app, job), id=job.name, name=job.name, **trigger)

    def check_lock():
        if not lock.still_held():
            log.error("scheduler lock lost; stopping so that another worker can take over")
            scheduler.shutdown(wait=False)

    scheduler.add_job(check_lock, "interval", seconds=LOCK_CHECK_SECONDS, id="check_lock")
    return scheduler


def run_worker(app: Crosscheck, *, schedule=SCHEDULE) -> None:
    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    lock = SchedulerLock(app)
    lock.acquire()
    scheduler = build_scheduler(app, lock, schedule)
    log.info("scheduler started", extra={"jobs": [job.name for job in schedule]})
    try:
        scheduler.start()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        lock.release()
        log.info("scheduler stopped")
