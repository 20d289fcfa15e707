"""What the operator relies on: the status view, quiet-feed checks and retention of feed bytes."""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import func, select, update

from crosscheck.cli import main
from jobs.schedule import SCHEDULE
from jobs.worker import run_job
from licensing.clock import utc_now
from licensing.services import operations, pipeline
from licensing.services.feeds import receive_feed
from licensing.store.models import Authority, Feed, FeedBody
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.feeds import feed

ROW = "R1,private_hire_driver,active,2025-01-01,2028-01-01,OKAFOR,Chidi,1980-02-02,,,1 Smith Street,OL16 1AA"


def test_the_operator_sees_every_job_the_outbox_and_waiting_feeds(crosscheck, web, api_key):
    jobs = {job.name: job for job in SCHEDULE}
    run_job(crosscheck, jobs["pull_feeds"])
    with crosscheck.unit_of_work() as uow:
        receive_feed(uow, authority_code="E08000005", body=feed(ROW), content_type="text/csv", source="push")
        uow.session.add(OutboxMessage(dedupe_key="x", to_address="a@b.example", subject="s", body="b", kind="alert",
                                      status="failed", attempts=8, last_error="550 mailbox unknown",
                                      next_attempt_at=utc_now()))
        uow.commit()

    status = web.get("/api/v1/status", headers=bearer(api_key(None)))
    assert status.status_code == 200
    job = next(j for j in status.json["jobs"] if j["job"] == "pull_feeds")
    assert job["last_outcome"] == "ok" and job["runs"] == 1 and job["last_detail"] == "none due"
    assert status.json["outbox"]["failed"] == 1
    assert status.json["failed_emails"][0]["last_error"] == "550 mailbox unknown"
    assert status.json["feeds"]["received"] == 1
    assert web.get("/api/v1/status", headers=bearer(api_key("E08000005"))).status_code == 403


def test_a_failing_job_is_recorded_not_fatal(crosscheck):
    from jobs.schedule import ScheduledJob

    def broken(app):
        raise RuntimeError("disk full")

    run_job(crosscheck, ScheduledJob("broken", broken, every_seconds=60))
    status = operations.service_status(crosscheck)
    job = next(j for j in status["jobs"] if j["job"] == "broken")
    assert (job["last_outcome"], job["failures"], job["last_detail"]) == ("failed", 1, "RuntimeError: disk full")


def test_an_authority_that_stops_feeding_is_flagged_to_the_operator(crosscheck):
    with crosscheck.unit_of_work() as uow:
        receive_feed(uow, authority_code="E08000005", body=feed(ROW), content_type="text/csv", source="push")
        uow.session.execute(update(Authority).where(Authority.code == "E08000005")
                            .values(last_feed_received_at=utc_now() - timedelta(days=9)))
        uow.commit()
    from dataclasses import replace

    crosscheck.settings = replace(crosscheck.settings, env={"CROSSCHECK_OPERATOR_EMAIL": "ops@crosscheck.example"})
    stale = operations.check_stale_feeds(crosscheck)
    assert [s.authority_code for s in stale] == ["E08000005"]
    operations.check_stale_feeds(crosscheck)  # the same day again: one email only
    with crosscheck.unit_of_work(write=False) as uow:
        emails = uow.session.execute(select(OutboxMessage)).scalars().all()
    assert len(emails) == 1 and emails[0].to_address == "ops@crosscheck.example"
    assert "Rochdale" in emails[0].body


def test_feed_bytes_are_purged_after_retention_and_the_outcome_kept(crosscheck):
    with crosscheck.unit_of_work() as uow:
        feed_id = receive_feed(uow, authority_code="E08000005", body=feed(ROW), content_type="text/csv", source="push")
    pipeline.process_feeds(crosscheck)
    assert operations.purge_expired_data(crosscheck) == 0  # too recent
    assert operations.purge_expired_data(crosscheck, now=utc_now() + timedelta(days=31)) == 1
    with crosscheck.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(func.count()).select_from(FeedBody)).scalar() == 0
        assert uow.session.get(Feed, feed_id).status == "applied"


def test_team_addresses_are_set_from_the_command_line(crosscheck, settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CROSSCHECK_VAR_DIR", str(settings.var_dir))
    result = CliRunner().invoke(main, ["set-authority", "e08000005", "--enforcement-email", "enforce@rochdale.example",
                                       "--alert-digest", "immediate"])
    assert result.exit_code == 0, result.output
    with crosscheck.unit_of_work(write=False) as uow:
        rochdale = uow.session.get(Authority, "E08000005")
    assert (rochdale.enforcement_email, rochdale.alert_digest) == ("enforce@rochdale.example", "immediate")
    bad = CliRunner().invoke(main, ["set-authority", "E08000005", "--enforcement-email", "not-an-address"])
    assert bad.exit_code == 2 and "must be an email address" in bad.output


def test_the_operator_resends_a_failed_email_from_the_command_line(crosscheck, settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CROSSCHECK_VAR_DIR", str(settings.var_dir))
    with crosscheck.unit_of_work() as uow:
        message = OutboxMessage(dedupe_key="y", to_address="a@b.example", subject="s", body="b", kind="alert",
                                status="failed", attempts=8, last_error="550 mailbox unknown", next_attempt_at=utc_now())
        uow.session.add(message)
        uow.commit()
    result = CliRunner().invoke(main, ["retry-email", str(message.id)])
    assert result.exit_code == 0, result.output
    with crosscheck.unit_of_work(write=False) as uow:
        assert uow.session.get(OutboxMessage, message.id).status == "pending"
    again = CliRunner().invoke(main, ["retry-email", str(message.id)])
    assert again.exit_code == 2 and "Error:" in again.output
