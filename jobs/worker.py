"""The jobs worker: one APScheduler in its own process, never inside web workers."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from datetime import timezone

from apscheduler.schedulers.blocking import BlockingScheduler

from jobs.lock import SchedulerLock
from jobs.schedule import SCHEDULE, ScheduledJob
from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.logs import correlation_id
from licensing.services import scheduler_health
from licensing.store.models import JobStatus
from licensing.store.scheduler import RUNNING, WAITING

log = logging.getLogger(__name__)


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


def schedule_description(schedule=SCHEDULE) -> list[dict]:
    """The schedule as the heartbeat records it, for telling which due jobs are late."""
    return [{"job": job.name, "every_seconds": job.every_seconds, "cron": job.cron or None} for job in schedule]


class Heartbeat:
    """This worker's row in scheduler_heartbeat. A beat that cannot be written (the database busy
    or away) is logged and skipped: the next one tries again, and a long silence is what the
    operator sees."""

    def __init__(self, app: Crosscheck, schedule):
        self.app = app
        with app.unit_of_work() as uow:
            self.id = scheduler_health.worker_started(uow, host=socket.gethostname(), pid=os.getpid(),
                                                      schedule=schedule_description(schedule))
        self._last = time.monotonic()

    def beat(self, state: str, *, at_most_every: float = 0) -> None:
        if time.monotonic() - self._last < at_most_every:
            return
        try:
            with self.app.unit_of_work() as uow:
                scheduler_health.beat(uow, self.id, state=state)
            self._last = time.monotonic()
        except Exception as error:
            log.warning("heartbeat not recorded", extra={"error": type(error).__name__})

    def stopped(self, reason: str) -> None:
        try:
            with self.app.unit_of_work() as uow:
                scheduler_health.worker_stopped(uow, self.id, reason=reason)
        except Exception as error:
            log.warning("stop not recorded", extra={"error": type(error).__name__})


def build_scheduler(app: Crosscheck, lock: SchedulerLock, schedule=SCHEDULE,
                    heartbeat: Heartbeat | None = None) -> BlockingScheduler:
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

    def keep_alive():
        # Runs in the scheduler's own thread pool, so a beat also shows that jobs still get run.
        if not lock.still_held():
            log.error("scheduler lock lost; stopping so that another worker can take over")
            if heartbeat:
                heartbeat.stopped("scheduler lock lost")
            scheduler.shutdown(wait=False)
        elif heartbeat:
            heartbeat.beat(RUNNING)

    scheduler.add_job(keep_alive, "interval", seconds=app.settings.lock_check_seconds, id="keep_alive",
                      next_run_time=utc_now())
    return scheduler


def run_worker(app: Crosscheck, *, schedule=SCHEDULE) -> None:
    def stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    heartbeat = Heartbeat(app, schedule)
    reason = "stopped by a signal"
    lock = SchedulerLock(app)
    try:
        lock.acquire(poll_seconds=min(2.0, app.settings.lock_check_seconds),
                     while_waiting=lambda: heartbeat.beat(WAITING, at_most_every=app.settings.lock_check_seconds))
        scheduler = build_scheduler(app, lock, schedule, heartbeat)
        log.info("scheduler started", extra={"jobs": [job.name for job in schedule]})
        try:
            scheduler.start()
            reason = "scheduler lock lost"
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)
    except BaseException as error:
        if not isinstance(error, (SystemExit, KeyboardInterrupt)):
            reason = f"{type(error).__name__}"
        raise
    finally:
        lock.release()
        heartbeat.stopped(reason)
        log.info("scheduler stopped")
