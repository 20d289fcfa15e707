"""The outbox on SQLite and PostgreSQL, delivering through a real SMTP relay (aiosmtpd on
127.0.0.1): enqueued with the change that causes it, sent once, retried while the relay is down,
kept for the operator when it fails, and never lost when a sender process is killed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from licensing.clock import utc_now
from licensing.errors import Conflict
from licensing.mail import SmtpBackend
from licensing.services.outbox import (
    enqueue_email,
    failed_emails,
    retry_failed_email,
    send_due_emails,
)
from licensing.store.outbox import OutboxMessage
from tests.conftest import REPO
from tests.smtp import Relay, free_port

SENDER = "Crosscheck <alerts@crosscheck.example>"
ENFORCEMENT = "enforcement@ynysmon.example.gov.uk"


def start_relay(port: int) -> tuple[Controller, Relay]:
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, relay


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def relay(port) -> Iterator[Relay]:
    controller, relay = start_relay(port)
    yield relay
    controller.stop()


def smtp(port: int) -> SmtpBackend:
    return SmtpBackend("127.0.0.1", port, starttls=False, sender=SENDER, timeout=5)


def enqueue(app, key: str, to: str = ENFORCEMENT) -> int | None:
    with app.unit_of_work() as uow:
        outbox_id = enqueue_email(
            uow.session, dedupe_key=key, to=to, subject="Licence revoked elsewhere – Ynys Môn",
            body="A driver you license had a licence revoked by another authority.\n", kind="alert",
            authority_code="W06000001",
        )
        uow.commit()
    return outbox_id


def message(app, outbox_id: int) -> OutboxMessage:
    with app.unit_of_work(write=False) as uow:
        return uow.session.get(OutboxMessage, outbox_id)


def all_messages(app) -> list[OutboxMessage]:
    with app.unit_of_work(write=False) as uow:
        return list(uow.session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


# --- enqueueing -------------------------------------------------------------------------------


def test_an_email_exists_only_if_the_change_that_causes_it_commits(crosscheck):
    with crosscheck.unit_of_work() as uow:
        enqueue_email(uow.session, dedupe_key="finding:1:opened:enforcement", to=ENFORCEMENT,
                      subject="S", body="B", kind="alert")
        # leaves without commit: the change failed
    assert all_messages(crosscheck) == []

    outbox_id = enqueue(crosscheck, "finding:1:opened:enforcement")

    (stored,) = all_messages(crosscheck)
    assert stored.id == outbox_id
    assert (stored.status, stored.attempts, stored.authority_code) == ("pending", 0, "W06000001")


def test_enqueuing_the_same_fact_twice_yields_one_email(crosscheck):
    first = enqueue(crosscheck, "finding:7:opened:enforcement")
    second = enqueue(crosscheck, "finding:7:opened:enforcement")

    assert first is not None and second is None
    assert [m.id for m in all_messages(crosscheck)] == [first]


def test_two_transactions_enqueuing_the_same_fact_at_once_both_commit_one_email(crosscheck):
    holding = threading.Event()
    results: dict[str, int | None] = {}

    def first() -> None:
        with crosscheck.unit_of_work() as uow:
            results["first"] = enqueue_email(uow.session, dedupe_key="finding:9:opened:enforcement",
                                             to=ENFORCEMENT, subject="S", body="B", kind="alert")
            holding.set()
            time.sleep(0.3)  # the second transaction arrives while this one is uncommitted
            uow.commit()

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(5)
    results["second"] = enqueue(crosscheck, "finding:9:opened:enforcement")
    thread.join()

    assert results["first"] is not None and results["second"] is None
    assert len(all_messages(crosscheck)) == 1


def test_an_unsendable_email_is_refused_when_enqueued(crosscheck):
    with crosscheck.unit_of_work() as uow, pytest.raises(ValueError, match="single line"):
        enqueue_email(uow.session, dedupe_key="k", to=ENFORCEMENT, subject="two\nlines", body="B", kind="alert")


# --- sending ----------------------------------------------------------------------------------


def test_due_emails_are_sent_once_with_a_stable_message_id(crosscheck, relay, port):
    ids = [enqueue(crosscheck, f"finding:{n}:opened:enforcement") for n in (1, 2)]

    report = send_due_emails(crosscheck, smtp(port))
    again = send_due_emails(crosscheck, smtp(port))

    assert (report.sent, report.retried, report.failed) == (2, 0, 0)
    assert (again.sent, again.retried, again.failed) == (0, 0, 0)
    received = relay.message_ids()
    assert len(received) == 2 and len(set(received)) == 2
    assert all(mid.startswith(f"<outbox-{i}.") for mid, i in zip(received, ids))
    assert relay.received[0]["Subject"] == "Licence revoked elsewhere – Ynys Môn"
    for stored in all_messages(crosscheck):
        assert stored.status == "sent"
        assert "queued as 4AbCdE" in stored.provider_reference
        assert stored.sent_at is not None and stored.attempts == 1


def test_while_the_relay_is_down_emails_wait_with_growing_backoff_then_go_out(crosscheck, port):
    outbox_id = enqueue(crosscheck, "finding:3:opened:enforcement")
    start = utc_now()

    first = send_due_emails(crosscheck, smtp(port), now=start)
    after_first = message(crosscheck, outbox_id)
    too_soon = send_due_emails(crosscheck, smtp(port), now=start + timedelta(seconds=29))
    second = send_due_emails(crosscheck, smtp(port), now=start + timedelta(seconds=31))
    after_second = message(crosscheck, outbox_id)

    assert (first.retried, too_soon.retried, second.retried) == (1, 0, 1)
    assert after_first.status == after_second.status == "pending"
    assert after_first.next_attempt_at == start + timedelta(seconds=30)
    assert after_second.next_attempt_at == start + timedelta(seconds=31 + 60)
    assert "network error" in after_second.last_error

    controller, relay = start_relay(port)
    try:
        back = send_due_emails(crosscheck, smtp(port), now=start + timedelta(seconds=31 + 60))
    finally:
        controller.stop()

    assert back.sent == 1
    assert len(relay.received) == 1
    assert message(crosscheck, outbox_id).attempts == 3


def test_after_the_last_attempt_an_email_is_failed_kept_and_can_be_requeued(crosscheck, port):
    outbox_id = enqueue(crosscheck, "finding:4:opened:enforcement")
    moment = utc_now()
    for _ in range(3):
        report = send_due_emails(crosscheck, smtp(port), now=moment, max_attempts=3)
        moment += timedelta(hours=1)

    assert report.failed == 1
    with crosscheck.unit_of_work(write=False) as uow:
        (failed,) = failed_emails(uow)
    assert (failed.id, failed.attempts, failed.authority_code) == (outbox_id, 3, "W06000001")
    assert failed.last_error.startswith("gave up after 3 attempts")
    assert send_due_emails(crosscheck, smtp(port), now=moment + timedelta(days=1)).sent == 0

    with crosscheck.unit_of_work() as uow:
        retry_failed_email(uow, outbox_id)
    controller, relay = start_relay(port)
    try:
        assert send_due_emails(crosscheck, smtp(port)).sent == 1
    finally:
        controller.stop()
    assert len(relay.received) == 1
    with crosscheck.unit_of_work(write=False) as uow:
        assert failed_emails(uow) == []
        with pytest.raises(Conflict):
            retry_failed_email(uow, outbox_id)


def test_an_unknown_recipient_fails_at_once_and_the_rest_still_go(crosscheck, relay, port):
    refused = enqueue(crosscheck, "finding:5:opened:enforcement", to="nobody@ynysmon.example.gov.uk")
    busy = enqueue(crosscheck, "finding:5:opened:licensing", to="busy@ynysmon.example.gov.uk")
    enqueue(crosscheck, "finding:6:opened:enforcement")

    report = send_due_emails(crosscheck, smtp(port))

    assert (report.sent, report.retried, report.failed) == (1, 1, 1)
    with crosscheck.unit_of_work(write=False) as uow:
        (failed,) = failed_emails(uow)
    assert failed.id == refused and failed.attempts == 1
    assert "550" in failed.last_error and "nobody" not in failed.last_error
    assert message(crosscheck, busy).status == "pending"
    assert "451" in message(crosscheck, busy).last_error


def test_wrong_sender_settings_stop_the_run_without_using_up_attempts(crosscheck, relay, port):
    ids = [enqueue(crosscheck, f"finding:{n}:opened:enforcement") for n in (1, 2, 3)]
    relay.refuse_sender = True

    report = send_due_emails(crosscheck, smtp(port))

    assert "553" in report.configuration_error
    assert (report.sent, report.retried, report.failed) == (0, 0, 0)
    assert [m.attempts for m in all_messages(crosscheck)] == [0, 0, 0]
    assert [m.status for m in all_messages(crosscheck)] == ["pending"] * 3

    relay.refuse_sender = False  # the operator fixes the settings
    later = send_due_emails(crosscheck, smtp(port), now=utc_now() + timedelta(minutes=1))
    assert later.sent == 3 and later.configuration_error is None
    assert len(relay.received) == len(ids)


def test_an_unexpected_backend_fault_does_not_stall_the_queue(crosscheck, relay, port):
    enqueue(crosscheck, "finding:1:opened:enforcement", to="licensing@ynysmon.example.gov.uk")
    enqueue(crosscheck, "finding:2:opened:enforcement")
    real = smtp(port)

    class FaultyForOneAddress:
        def send(self, outgoing):
            if outgoing.to.startswith("licensing@"):
                raise KeyError(outgoing.to)
            return real.send(outgoing)

    report = send_due_emails(crosscheck, FaultyForOneAddress())

    assert (report.sent, report.retried) == (1, 1)
    faulty = all_messages(crosscheck)[0]
    assert faulty.status == "pending" and faulty.last_error == "unexpected error: KeyError"


def test_an_email_that_stops_the_sender_every_time_goes_to_the_operator(crosscheck, port):
    outbox_id = enqueue(crosscheck, "finding:2:opened:enforcement")

    class StopsTheSender:
        def send(self, outgoing):
            raise SystemExit(1)

    moment = utc_now()
    for _ in range(2):
        with pytest.raises(SystemExit):
            send_due_emails(crosscheck, StopsTheSender(), now=moment, max_attempts=2, lease_seconds=60)
        moment += timedelta(seconds=61)
    report = send_due_emails(crosscheck, smtp(port), now=moment, max_attempts=2, lease_seconds=60)

    assert report.failed == 1
    with crosscheck.unit_of_work(write=False) as uow:
        (failed,) = failed_emails(uow)
    assert failed.id == outbox_id
    assert failed.last_error == "the sender stopped during each of 2 attempts"


def test_two_senders_at_once_deliver_each_email_exactly_once(crosscheck, relay, port):
    for n in range(24):
        enqueue(crosscheck, f"finding:{n}:opened:enforcement")
    reports = []

    def sender() -> None:
        reports.append(send_due_emails(crosscheck, smtp(port)))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(Counter(relay.message_ids()).values()) == {1: 24}
    assert sum(report.sent for report in reports) == 24
    assert all(m.status == "sent" for m in all_messages(crosscheck))


# --- a sender process killed mid-send ---------------------------------------------------------

LEASE_SECONDS = 0.5


def run_sender(crosscheck, port: int, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": crosscheck.settings.database_url,
        "CROSSCHECK_VAR_DIR": str(crosscheck.settings.var_dir),
    }
    command = [sys.executable, "-m", "tests.integration.outbox_worker", "--port", str(port),
               "--lease", str(LEASE_SECONDS)]
    if kill_at:
        command += ["--kill-at", kill_at]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kill_at", "copies"),
    [
        # Stopped before the relay accepted: the message was not delivered, so it is sent once.
        ("claimed", 1),
        ("connected", 1),
        ("data_sent_before_end", 1),
        # Stopped after the relay accepted but before 'sent' was recorded: nothing tells the
        # restarted sender it was delivered, so it is sent again, a recognisable copy.
        ("accepted", 2),
        ("returned", 2),
    ],
)
def test_a_killed_sender_loses_no_email(crosscheck, relay, port, kill_at, copies):
    outbox_id = enqueue(crosscheck, "finding:8:opened:enforcement")

    killed = run_sender(crosscheck, port, kill_at)

    assert killed.returncode == -9, killed.stderr
    assert message(crosscheck, outbox_id).status == "sending"
    # Another sender does not take over a claim whose lease is still running.
    assert send_due_emails(crosscheck, smtp(port), lease_seconds=60).sent == 0

    time.sleep(LEASE_SECONDS)
    restarted = run_sender(crosscheck, port)

    assert restarted.returncode == 0, restarted.stderr
    assert "sent=1 " in restarted.stdout
    received = relay.message_ids()
    assert len(received) == copies
    assert len(set(received)) == 1  # every copy carries the same Message-ID
    stored = message(crosscheck, outbox_id)
    assert (stored.status, stored.attempts) == ("sent", 2)
    assert "sender stopped during attempt 1" in stored.last_error
