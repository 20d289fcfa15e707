"""The whole schedule, in one place. Each job calls a service; intervals are in seconds unless a
cron expression is given (times are UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from licensing.bootstrap import Crosscheck
from licensing.services import feeds, pulled_feeds


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    run: Callable[[Crosscheck], object]
    every_seconds: int | None = None
    cron: dict = field(default_factory=dict)
    description: str = ""


def _apply_feeds(app: Crosscheck):
    outcomes = feeds.apply_pending_feeds(app)
    return f"{len(outcomes)} feeds processed"


def _pull_feeds(app: Crosscheck):
    outcomes = pulled_feeds.pull_due_feeds(app)
    return ", ".join(f"{code}: {outcome}" for code, outcome in sorted(outcomes.items())) or "none due"


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob("apply_feeds", _apply_feeds, every_seconds=5,
                 description="Apply received feeds, oldest first per authority"),
    ScheduledJob("pull_feeds", _pull_feeds, every_seconds=60,
                 description="Fetch published registers that are due on their authority's schedule"),
)
