"""What follows a feed: apply it, resolve the people it touched, then refresh the findings they
may change. Each step is its own transaction and leaves a marker of unfinished work
(needs_resolution, needs_findings), so a crash between steps is picked up by the next run.

Each step also stamps the feeds it covered (resolved_at, findings_at with the refresh's counts and
the alerts it queued or held), so a council can read from its feed's status when its alerts went."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.services import decisions, feeds, findings, identity
from licensing.store.held_alerts import HeldAlert
from licensing.store.slices import among, in_slices
from licensing.store.models import Feed
from licensing.store.outbox import OutboxMessage


@dataclass(frozen=True)
class PipelineReport:
    feeds: list[feeds.FeedOutcome]
    resolution: identity.ResolutionReport
    findings: findings.FindingsReport


def process_feeds(app: Crosscheck, *, authority_code: str | None = None,
                  progress: feeds.Progress | None = None) -> PipelineReport:
    outcomes = feeds.apply_pending_feeds(app, authority_code=authority_code, progress=progress)
    return _resolve_and_refresh(app, outcomes, identity.resolve_pending, decisions.rematch_pending,
                                findings.refresh_pending_findings)


def nightly(app: Crosscheck) -> PipelineReport:
    """Full resolution then full findings: catches what time alone changes (expiry, retention)."""
    return _resolve_and_refresh(app, [], identity.resolve_everyone, decisions.rematch_everyone,
                                findings.refresh_all_findings)


def _resolve_and_refresh(app: Crosscheck, outcomes, resolve, rematch_decisions, refresh) -> PipelineReport:
    # Captured before each step starts: a feed applied meanwhile is left for the next run.
    waiting = _feeds_waiting(app, Feed.resolved_at)
    resolution = resolve(app)
    # Decisions are people too: matched to the register once its people are resolved.
    rematch_decisions(app)
    _stamp(app, waiting, resolved_at=utc_now())
    waiting = _feeds_waiting(app, Feed.findings_at)
    marks = _alert_marks(app)
    refreshed = refresh(app)
    queued, held = _alerts_since(app, marks)
    _stamp(app, waiting, findings_at=utc_now(), findings_opened=refreshed.opened + refreshed.reopened,
           findings_updated=refreshed.updated, findings_closed=refreshed.closed, alerts_queued=queued,
           alerts_held=held)
    return PipelineReport(outcomes, resolution, refreshed)


def _feeds_waiting(app: Crosscheck, stage) -> list[int]:
    with app.unit_of_work(write=False) as uow:
        query = select(Feed.id).where(Feed.status == feeds.APPLIED, stage.is_(None))
        if stage is Feed.findings_at:
            query = query.where(Feed.resolved_at.is_not(None))
        return list(uow.session.execute(query).scalars())


def _stamp(app: Crosscheck, feed_ids: list[int], **values) -> None:
    if not feed_ids:
        return
    with app.unit_of_work() as uow:
        for chunk in in_slices(feed_ids):
            uow.session.execute(update(Feed).where(among(uow.session, Feed.id, chunk)).values(**values))
        uow.commit()


def _alert_marks(app: Crosscheck) -> tuple[int, int]:
    with app.unit_of_work(write=False) as uow:
        return (uow.session.execute(select(func.coalesce(func.max(OutboxMessage.id), 0))).scalar_one(),
                uow.session.execute(select(func.coalesce(func.max(HeldAlert.id), 0))).scalar_one())


def _alerts_since(app: Crosscheck, marks: tuple[int, int]) -> tuple[int, int]:
    """Alert emails queued and alerts held since the marks: what the findings refresh caused."""
    with app.unit_of_work(write=False) as uow:
        queued = uow.session.execute(select(func.count()).where(OutboxMessage.id > marks[0],
                                                                 OutboxMessage.kind == "alert")).scalar_one()
        held = uow.session.execute(select(func.count()).where(HeldAlert.id > marks[1])).scalar_one()
    return queued, held
