"""Is the jobs worker alive and keeping up? Each worker records a heartbeat; the web process,
the operator's status and a feed's own status read it, so a dead or stuck scheduler is seen at once
instead of feeds silently waiting for ever."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, or_, select, update

from licensing.clock import utc_now
from licensing.store.db import UnitOfWork
from licensing.store.models import JobStatus
from licensing.store.scheduler import RUNNING, STOPPED, WAITING, SchedulerHeartbeat

# Stopped and long-silent workers' rows are kept this long, then deleted when a worker starts.
KEEP_HEARTBEATS = timedelta(days=7)


@dataclass(frozen=True)
class LateJob:
    job: str
    due_at: datetime
    late_seconds: int
    last_finished_at: datetime | None


@dataclass(frozen=True)
class SchedulerHealth:
    healthy: bool
    # running (beating in time) | stale (silent too long: dead or stuck) | stopped | waiting (only
    # workers waiting for the lock) | absent (no worker has ever run against this database)
    state: str
    reason: str | None
    host: str | None = None
    pid: int | None = None
    started_at: datetime | None = None
    running_since: datetime | None = None
    last_heartbeat_at: datetime | None = None
    seconds_since_heartbeat: int | None = None
    stop_reason: str | None = None
    standby: list[dict] = field(default_factory=list)
    late_jobs: list[LateJob] = field(default_factory=list)


def worker_started(uow: UnitOfWork, *, host: str, pid: int, schedule: list[dict]) -> int:
    now = utc_now()
    uow.session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.last_beat_at < now - KEEP_HEARTBEATS))
    row = SchedulerHeartbeat(host=host, pid=pid, state=WAITING, started_at=now, last_beat_at=now, schedule=schedule)
    uow.session.add(row)
    uow.commit()
    return row.id


def beat(uow: UnitOfWork, worker_id: int, *, state: str) -> None:
    now = utc_now()
    values = {"last_beat_at": now, "state": state}
    if state == RUNNING:
        # Set once, when this worker takes the lock.
        uow.session.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == worker_id,
                                                             SchedulerHeartbeat.running_since.is_(None))
                            .values(running_since=now))
    uow.session.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == worker_id).values(**values))
    uow.commit()


def worker_stopped(uow: UnitOfWork, worker_id: int, *, reason: str) -> None:
    now = utc_now()
    uow.session.execute(update(SchedulerHeartbeat).where(SchedulerHeartbeat.id == worker_id)
                        .values(state=STOPPED, stopped_at=now, last_beat_at=now, stop_reason=reason[:500]))
    uow.commit()


def scheduler_health(uow: UnitOfWork, *, stale_seconds: float, now: datetime | None = None) -> SchedulerHealth:
    now = now or utc_now()
    fresh_after = now - timedelta(seconds=stale_seconds)
    rows = uow.session.execute(
        select(SchedulerHeartbeat).where(or_(SchedulerHeartbeat.state != STOPPED,
                                             SchedulerHeartbeat.last_beat_at >= now - KEEP_HEARTBEATS))
        .order_by(SchedulerHeartbeat.last_beat_at.desc()).limit(50)).scalars().all()
    standby = [{"host": r.host, "pid": r.pid, "started_at": r.started_at, "last_heartbeat_at": r.last_beat_at}
               for r in rows if r.state == WAITING and r.last_beat_at >= fresh_after]
    running = next((r for r in rows if r.state == RUNNING and r.last_beat_at >= fresh_after), None)
    chosen = running or next((r for r in rows if r.state != WAITING), None) or (rows[0] if rows else None)
    if chosen is None:
        return SchedulerHealth(False, "absent", "no jobs worker has run against this database: start `crosscheck jobs`",
                               standby=standby)
    silent = int((now - chosen.last_beat_at).total_seconds())
    if running is not None:
        state, reason = RUNNING, None
    elif chosen.state == RUNNING:
        state, reason = "stale", (f"no scheduler heartbeat for {silent} s (limit {stale_seconds:g} s): "
                                  "the jobs worker has died or is stuck")
    elif chosen.state == STOPPED:
        state, reason = STOPPED, f"the jobs worker stopped at {chosen.stopped_at:%Y-%m-%d %H:%M:%S} UTC: {chosen.stop_reason}"
    else:
        state, reason = WAITING, "jobs workers are waiting for the scheduler lock, but none is running the schedule"
    statuses = {s.job: s for s in uow.session.execute(select(JobStatus)).scalars()}
    late = late_jobs(chosen.schedule or [], statuses, since=chosen.running_since or chosen.started_at, now=now,
                     grace=timedelta(seconds=stale_seconds))
    return SchedulerHealth(
        healthy=running is not None, state=state, reason=reason, host=chosen.host, pid=chosen.pid,
        started_at=chosen.started_at, running_since=chosen.running_since, last_heartbeat_at=chosen.last_beat_at,
        seconds_since_heartbeat=silent, stop_reason=chosen.stop_reason, standby=standby, late_jobs=late)


def late_jobs(schedule: list[dict], statuses: dict[str, JobStatus], *, since: datetime, now: datetime,
              grace: timedelta) -> list[LateJob]:
    """Jobs whose next run was due more than `grace` ago and has not happened. A job that has never
    run is due from when the scheduler started (interval jobs start at once)."""
    late = []
    for entry in schedule:
        status = statuses.get(entry["job"])
        finished = status.last_finished_at if status else None
        if entry.get("every_seconds"):
            due = (finished + timedelta(seconds=entry["every_seconds"])) if finished else since
        else:
            started = status.last_started_at if status and status.last_started_at else since
            due = CronTrigger(**entry["cron"]).get_next_fire_time(None, started + timedelta(seconds=1))
        if due is not None and now - due > grace:
            late.append(LateJob(entry["job"], due, int((now - due).total_seconds()), finished))
    return late
