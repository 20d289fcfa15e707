"""The whole schedule, in one place. Each job calls a service; intervals are in seconds unless a
cron expression is given (times are UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from licensing.bootstrap import Crosscheck
from licensing.services import identity, pipeline, pulled_feeds


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    run: Callable[[Crosscheck], object]
    every_seconds: int | None = None
    cron: dict = field(default_factory=dict)
    description: str = ""


def _process_feeds(app: Crosscheck):
    report = pipeline.process_feeds(app)
    return f"{len(report.feeds)} feeds processed; {report.resolution.records} records resolved"


def _resolve_everyone(app: Crosscheck):
    report = identity.resolve_everyone(app)
    return f"{report.records} records resolved; {report.licences_moved} moved between drivers"


def _pull_feeds(app: Crosscheck):
    outcomes = pulled_feeds.pull_due_feeds(app)
    return ", ".join(f"{code}: {outcome}" for code, outcome in sorted(outcomes.items())) or "none due"


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob("process_feeds", _process_feeds, every_seconds=5,
                 description="Apply received feeds, oldest first per authority, and resolve the records they changed"),
    ScheduledJob("pull_feeds", _pull_feeds, every_seconds=60,
                 description="Fetch published registers that are due on their authority's schedule"),
    ScheduledJob("resolve_everyone", _resolve_everyone, cron={"hour": 1, "minute": 30},
                 description="Nightly full identity resolution of every record"),
)
