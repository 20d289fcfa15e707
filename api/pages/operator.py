"""The national operator's status page: feed freshness per authority, the schedule and each job's
last run, the email outbox, and failed emails with a way to send them again. No personal data:
failed emails show where they were going (a team mailbox) and why they failed, never their body."""

from __future__ import annotations

from flask import current_app, redirect, request, url_for

from api.pages import pages
from api.pages.guard import OPERATORS, for_roles
from api.pages.render import page
from jobs.schedule import SCHEDULE
from licensing.services.operations import service_status
from licensing.services.outbox import retry_failed_email
from licensing.store.feed_history import feed_freshness


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _when(job) -> str:
    if job.every_seconds:
        return f"Every {job.every_seconds} seconds"
    return f"Daily at {job.cron.get('hour', 0):02d}:{job.cron.get('minute', 0):02d} (UK time)"


@pages.get("/status")
@for_roles(*OPERATORS)
def status_page():
    crosscheck = _crosscheck()
    status = service_status(crosscheck)
    with crosscheck.unit_of_work(write=False) as uow:
        freshness = feed_freshness(uow.session)
    runs = {job["job"]: job for job in status["jobs"]}
    schedule = [{"name": job.name, "when": _when(job), "description": job.description, "run": runs.get(job.name)}
                for job in SCHEDULE]
    return page("operator/status.html", title="Service status", service=status, schedule=schedule,
                freshness=freshness, done=request.args.get("done"), wide=True)


@pages.post("/status/emails/<int:outbox_id>/resend")
@for_roles(*OPERATORS)
def resend_email(outbox_id: int):
    with _crosscheck().unit_of_work() as uow:
        retry_failed_email(uow, outbox_id)
    return redirect(url_for("pages.status_page", done="resent"))
