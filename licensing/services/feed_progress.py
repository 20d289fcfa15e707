"""A feed's whole way, as its authority reads it: received, applied, people resolved, findings
raised and alerts queued, each with its time; or where it stopped and why. A stage that waits on
the jobs worker says so when no worker is beating, so a feed never just sits at 'received'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from licensing.services.authorities import delivery_warnings
from licensing.services.feeds import APPLIED, NEEDS_CONFIRMATION, RECEIVED
from licensing.services.scheduler_health import SchedulerHealth, scheduler_health
from licensing.store.db import UnitOfWork
from licensing.store.models import Authority, Feed

DONE, WAITING, STOPPED, NOT_REACHED = "done", "waiting", "stopped", "not_reached"


@dataclass(frozen=True)
class Stage:
    stage: str  # received | applied | people_resolved | findings_raised
    state: str  # done | waiting | stopped | not_reached
    at: datetime | None
    detail: str | None


def feed_progress(uow: UnitOfWork, feed: Feed) -> tuple[list[Stage], list[str]]:
    """The feed's stages and what its authority must put right (e.g. no address for alerts)."""
    scheduler = scheduler_health(uow, stale_seconds=uow.settings.scheduler_stale_seconds)
    warnings = delivery_warnings(uow.session.get(Authority, feed.authority_code))
    return feed_stages(feed, scheduler), warnings


def feed_stages(feed: Feed, scheduler: SchedulerHealth) -> list[Stage]:
    def waiting(what: str) -> str:
        detail = f"waiting for the jobs worker to {what}"
        if not scheduler.healthy:
            detail += f"; the jobs worker is not running ({scheduler.reason}), and the service operator is shown this"
        return detail

    stages = [Stage("received", DONE, feed.received_at, f"{feed.body_bytes} bytes ({feed.source})")]
    if feed.status == RECEIVED:
        stages.append(Stage("applied", WAITING, None, waiting("apply it (feeds apply in the order received)")))
    elif feed.status == NEEDS_CONFIRMATION:
        stages.append(Stage("applied", STOPPED, None, f"held for confirmation: {feed.message} Confirm it with "
                                                      f"POST /api/v1/feeds/{feed.id}/confirm, or send a corrected feed."))
    elif feed.status != APPLIED:
        stages.append(Stage("applied", STOPPED, None, f"{feed.status}: {feed.message}"))
    else:
        stages.append(Stage("applied", DONE, feed.applied_at,
                            f"added {feed.added}, changed {feed.changed}, unchanged {feed.unchanged}, "
                            f"ended {feed.ended}, rejected rows {feed.rejected}"))
    applied = feed.status == APPLIED
    if not applied:
        stages.append(Stage("people_resolved", NOT_REACHED, None, None))
    elif feed.resolved_at is None:
        stages.append(Stage("people_resolved", WAITING, None, waiting("resolve who its records belong to")))
    else:
        stages.append(Stage("people_resolved", DONE, feed.resolved_at, "every record has its driver_id"))
    if not applied or feed.resolved_at is None:
        stages.append(Stage("findings_raised", NOT_REACHED if not applied else WAITING, None,
                            None if not applied else "waits for people to be resolved"))
    elif feed.findings_at is None:
        stages.append(Stage("findings_raised", WAITING, None, waiting("raise the findings it affects")))
    else:
        detail = (f"findings opened {feed.findings_opened}, updated {feed.findings_updated}, closed "
                  f"{feed.findings_closed}; {feed.alerts_queued} alert emails queued")
        if feed.alerts_held:
            detail += f", {feed.alerts_held} alerts held for authorities with no team email address"
        stages.append(Stage("findings_raised", DONE, feed.findings_at, detail))
    return stages
