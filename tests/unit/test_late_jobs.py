"""Which due jobs are late, from the schedule a worker recorded and each job's last run."""

from datetime import datetime, timedelta, timezone

from licensing.services.scheduler_health import late_jobs
from licensing.store.models import JobStatus

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
SCHEDULE = [{"job": "process_feeds", "every_seconds": 5, "cron": None},
            {"job": "send_digests", "every_seconds": None, "cron": {"hour": 7, "minute": 0, "timezone": "Europe/London"}}]
GRACE = timedelta(minutes=2)


def ran(job: str, at: datetime) -> JobStatus:
    return JobStatus(job=job, last_started_at=at, last_finished_at=at + timedelta(seconds=1))


def test_jobs_that_ran_in_time_are_not_late():
    statuses = {"process_feeds": ran("process_feeds", NOW - timedelta(seconds=30)),
                "send_digests": ran("send_digests", datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc))}
    assert late_jobs(SCHEDULE, statuses, since=NOW - timedelta(days=2), now=NOW, grace=GRACE) == []


def test_a_job_that_stopped_running_and_a_missed_daily_job_are_late():
    statuses = {"process_feeds": ran("process_feeds", NOW - timedelta(minutes=10)),
                "send_digests": ran("send_digests", datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc))}
    late = {job.job: job for job in late_jobs(SCHEDULE, statuses, since=NOW - timedelta(days=2), now=NOW, grace=GRACE)}
    assert set(late) == {"process_feeds", "send_digests"}
    assert late["send_digests"].due_at == datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)
    assert late["process_feeds"].late_seconds == 10 * 60 - 1 - 5


def test_a_job_never_run_is_due_from_when_the_scheduler_started():
    assert late_jobs(SCHEDULE[:1], {}, since=NOW - timedelta(seconds=30), now=NOW, grace=GRACE) == []
    assert [j.job for j in late_jobs(SCHEDULE[:1], {}, since=NOW - timedelta(minutes=5), now=NOW, grace=GRACE)] == \
        ["process_feeds"]
