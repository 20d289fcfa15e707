"""The jobs workers' heartbeats: one row per worker process, so that a dead or stuck scheduler is
seen by /readyz, the operator's status and a feed's own status, instead of feeds silently waiting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime

# A worker waits for the scheduler lock, runs the schedule once it holds it, and says when it stops.
WAITING, RUNNING, STOPPED = "waiting", "running", "stopped"


class SchedulerHeartbeat(SQLModel, table=True):
    __tablename__ = "scheduler_heartbeat"

    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=255)
    pid: int
    state: str = Field(default=WAITING, max_length=16)
    started_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    running_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_beat_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, index=True)
    stopped_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    stop_reason: str | None = Field(default=None, max_length=500)
    # The jobs and their timing as this worker runs them ({"job", "every_seconds" | "cron"}), so the
    # web process can tell which due jobs are late without importing the schedule.
    schedule: list | None = Field(default=None, sa_type=JSON)
