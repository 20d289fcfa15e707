"""What the service operator watches: the scheduler's heartbeat, jobs (late ones among them), the
email outbox, and authorities whose feeds have gone quiet."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.services.feeds import (
    NEEDS_CONFIRMATION, RECEIVED, REJECTED, UNREADABLE, purge_applied_feed_bodies,
)
from licensing.services.outbox import enqueue_email, failed_emails
from licensing.services.scheduler_health import scheduler_health
from licensing.store.db import UnitOfWork
from licensing.store.held_alerts import undelivered_alerts_by_authority
from licensing.store.models import Authority, Feed, JobStatus
from licensing.store.outbox import OutboxMessage

DEFAULT_STALE_FEED_DAYS = 7
DEFAULT_FEED_BODY_DAYS = 30


@dataclass(frozen=True)
class StaleFeed:
    authority_code: str
    authority_name: str
    last_feed_received_at: datetime


def stale_feeds(uow: UnitOfWork, *, days: int, now: datetime | None = None) -> list[StaleFeed]:
    """Authorities that have fed before but not for `days` days: their register may be out of date."""
    cutoff = (now or utc_now()) - timedelta(days=days)
    rows = uow.session.execute(
        select(Authority.code, Authority.name, Authority.last_feed_received_at)
        .where(Authority.last_feed_received_at.is_not(None), Authority.last_feed_received_at < cutoff)
        .order_by(Authority.last_feed_received_at)).all()
    return [StaleFeed(*row) for row in rows]


def check_stale_feeds(app: Crosscheck, *, now: datetime | None = None) -> list[StaleFeed]:
    """Flag quiet authorities to the operator (once a day, by email when an address is set)."""
    days = int(app.settings.env.get("CROSSCHECK_STALE_FEED_DAYS") or DEFAULT_STALE_FEED_DAYS)
    now = now or utc_now()
    with app.unit_of_work() as uow:
        stale = stale_feeds(uow, days=days, now=now)
        operator = app.settings.env.get("CROSSCHECK_OPERATOR_EMAIL")
        if stale and operator:
            enqueue_email(
                uow.session, dedupe_key=f"stale-feeds:{now.date().isoformat()}", to=operator, kind="operator",
                subject=f"Crosscheck: {len(stale)} authorit{'y has' if len(stale) == 1 else 'ies have'} not fed for {days} days",
                body="\n".join([f"No licence feed for {days} days or more from:", ""]
                               + [f"- {s.authority_name} ({s.authority_code}): last feed {s.last_feed_received_at:%Y-%m-%d %H:%M} UTC"
                                  for s in stale]),
            )
        uow.commit()
    return stale


def purge_expired_data(app: Crosscheck, *, now: datetime | None = None) -> int:
    """Retention: the verbatim bytes of settled feeds go after a while; outcomes and history stay."""
    days = int(app.settings.env.get("CROSSCHECK_FEED_BODY_DAYS") or DEFAULT_FEED_BODY_DAYS)
    with app.unit_of_work() as uow:
        return purge_applied_feed_bodies(uow, older_than=(now or utc_now()) - timedelta(days=days))


def service_status(app: Crosscheck) -> dict:
    days = int(app.settings.env.get("CROSSCHECK_STALE_FEED_DAYS") or DEFAULT_STALE_FEED_DAYS)
    with app.unit_of_work(write=False) as uow:
        session = uow.session
        jobs = session.execute(select(JobStatus).order_by(JobStatus.job)).scalars().all()
        outbox = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        feeds_waiting = dict(session.execute(
            select(Feed.status, func.count()).where(Feed.status.in_((RECEIVED, NEEDS_CONFIRMATION)))
            .group_by(Feed.status)).all())
        scheduler = scheduler_health(uow, stale_seconds=app.settings.scheduler_stale_seconds)
        return {
            "scheduler": asdict(scheduler),
            "jobs": [{"job": j.job, "last_started_at": j.last_started_at, "last_finished_at": j.last_finished_at,
                      "last_duration_seconds": j.last_duration_seconds, "last_outcome": j.last_outcome,
                      "last_detail": j.last_detail, "last_success_at": j.last_success_at, "runs": j.runs,
                      "failures": j.failures} for j in jobs],
            "outbox": {status: outbox.get(status, 0) for status in ("pending", "sending", "sent", "failed")},
            "failed_emails": [asdict(f) for f in failed_emails(uow)],
            "feeds": {status: feeds_waiting.get(status, 0) for status in (RECEIVED, NEEDS_CONFIRMATION)},
            "stale_feeds": [asdict(s) for s in stale_feeds(uow, days=days)],
            # Alerts with nowhere to go: the authority has set no team email address yet.
            "undelivered_alerts": [{"authority_code": code, "authority_name": name, "count": count, "since": since}
                                   for code, name, count, since in undelivered_alerts_by_authority(session)],
            "unreadable_feeds": [
                {"id": feed_id, "authority_code": code, "received_at": received_at}
                for feed_id, code, received_at in session.execute(
                    select(Feed.id, Feed.authority_code, Feed.received_at)
                    .where(Feed.status == REJECTED, Feed.message == UNREADABLE).order_by(Feed.id))
            ],
        }


def status_summary(report: dict) -> list[str]:
    """The few lines an operator reads first, above the full status."""
    scheduler = report["scheduler"]
    if scheduler["host"]:
        where = f"{scheduler['host']} pid {scheduler['pid']}, last heartbeat {scheduler['last_heartbeat_at']:%Y-%m-%d %H:%M:%S} UTC"
    else:
        where = "no heartbeat recorded"
    lines = [f"Scheduler: {scheduler['state']} ({where})"]
    if scheduler["reason"]:
        lines.append(f"  NOT HEALTHY: {scheduler['reason']}")
    lines += [f"  waiting to take over: {w['host']} pid {w['pid']}" for w in scheduler["standby"]]
    lines += [f"  late: {job['job']} was due {job['due_at']:%Y-%m-%d %H:%M:%S} UTC ({job['late_seconds']} s ago)"
              for job in scheduler["late_jobs"]]
    lines.append(f"Outbox: {', '.join(f'{count} {name}' for name, count in report['outbox'].items())}")
    lines += [f"Undelivered: {held['count']} alerts for {held['authority_name']} ({held['authority_code']}), held since "
              f"{held['since']:%Y-%m-%d %H:%M} UTC: it has no team email address"
              for held in report["undelivered_alerts"]]
    return lines
