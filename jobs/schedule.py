"""The whole schedule, in one place. Each job calls a service. Interval jobs run every N seconds;
cron jobs at fixed times (Europe/London, as officers' working days are)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from licensing.bootstrap import Crosscheck
from licensing.mail import backend_from_settings
from licensing.services import digest, operations, outbox, pipeline, pulled_feeds, statutory_duties

LONDON = "Europe/London"


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    run: Callable[[Crosscheck], object]
    every_seconds: int | None = None
    cron: dict = field(default_factory=dict)
    description: str = ""


def _process_feeds(app: Crosscheck):
    report = pipeline.process_feeds(app)
    return (f"{len(report.feeds)} feeds; {report.resolution.records} records resolved; "
            f"findings opened {report.findings.opened}, updated {report.findings.updated}, "
            f"closed {report.findings.closed}")


def _pull_feeds(app: Crosscheck):
    outcomes = pulled_feeds.pull_due_feeds(app)
    return ", ".join(f"{code}: {outcome}" for code, outcome in sorted(outcomes.items())) or "none due"


def _send_emails(app: Crosscheck):
    env = {"CROSSCHECK_OUTBOX_DIR": str(app.settings.var_dir / "outbox"), **app.settings.env}
    report = outbox.send_due_emails(app, backend_from_settings(env))
    if report.configuration_error:
        # Fails the job so the operator sees it at /api/v1/status and in the logs at once.
        raise RuntimeError(f"email settings need attention: {report.configuration_error}")
    return f"sent {report.sent}, retrying {report.retried}, failed {report.failed}"


def _send_digests(app: Crosscheck):
    return f"{digest.send_digests(app)} digest emails queued"


def _nightly(app: Crosscheck):
    report = pipeline.nightly(app)
    return (f"{report.resolution.records} records resolved; findings opened {report.findings.opened}, "
            f"updated {report.findings.updated}, closed {report.findings.closed}")


def _estimate_identity_model(app: Crosscheck):
    from licensing.services.identity_model import estimate_from_register

    # Reports only: adopting a model is the operator's decision (`crosscheck identity adopt`).
    estimated = estimate_from_register(app, by="service (nightly)")
    changes = estimated.changes
    return (f"model version {estimated.version} estimated, not adopted: against {estimated.compared_with} it would "
            f"link {changes['links_added']} pairs, unlink {changes['links_removed']}, "
            f"send {changes['sent_to_review']} to review")


def _check_stale_feeds(app: Crosscheck):
    return f"{len(operations.check_stale_feeds(app))} authorities without a recent feed"


def _purge(app: Crosscheck):
    return f"{operations.purge_expired_data(app)} feed bodies past retention deleted"


def _statutory_duties(app: Crosscheck):
    report = statutory_duties.run_duties(app)
    return (f"{report.reminders} reminders, {report.escalations} escalations, "
            f"{report.lapsed} immediate suspensions lapsed")


SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob("process_feeds", _process_feeds, every_seconds=5,
                 description="Apply received feeds (oldest first per authority), resolve the records they "
                             "changed and refresh the findings those affect"),
    ScheduledJob("pull_feeds", _pull_feeds, every_seconds=60,
                 description="Fetch published registers that are due on their authority's schedule"),
    ScheduledJob("send_emails", _send_emails, every_seconds=10,
                 description="Send due emails from the outbox, retrying with backoff"),
    ScheduledJob("send_digests", _send_digests, cron={"hour": 7, "minute": 0, "timezone": LONDON},
                 description="Daily digest of findings for authorities that take them that way"),
    ScheduledJob("nightly_resolution_and_findings", _nightly, cron={"hour": 1, "minute": 30, "timezone": LONDON},
                 description="Full identity resolution and findings over the whole register"),
    ScheduledJob("estimate_identity_model", _estimate_identity_model,
                 cron={"hour": 3, "minute": 15, "timezone": LONDON},
                 description="Re-estimate the identity match model from the register and report what it would "
                             "change; never adopts it"),
    ScheduledJob("check_stale_feeds", _check_stale_feeds, cron={"hour": 6, "minute": 0, "timezone": LONDON},
                 description="Flag authorities that have not fed for CROSSCHECK_STALE_FEED_DAYS days"),
    ScheduledJob("statutory_duties", _statutory_duties, every_seconds=300,
                 description="Reminders before requests for detail and concerns' answers fall due, escalation "
                             "to the authority's admin once late, and immediate suspensions lapsing"),
    ScheduledJob("purge_expired_data", _purge, cron={"hour": 2, "minute": 30, "timezone": LONDON},
                 description="Delete data past its retention period"),
)
