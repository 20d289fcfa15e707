"""The transactional outbox and the sender that empties it.

An email is enqueued in the caller's transaction, so it exists exactly when the change that causes
it commits. A sender claims one due message at a time in a short transaction, sends it outside any
transaction, then records the outcome in another. Delivery is at least once: a sender that stops
after the relay accepted a message but before recording it leaves the message claimed, and once
the claim's lease runs out another sender sends it again with the same Message-ID."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlmodel import col, select

import licensing.store.models  # noqa: F401  (the authority table that outbox_message refers to)
from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.errors import Conflict, NotFound
from licensing.mail import (
    EmailBackend,
    OutgoingEmail,
    PermanentSendError,
    SenderConfigurationError,
    TransientSendError,
)
from licensing.mail.outgoing import recipient_domain
from licensing.store.db import UnitOfWork
from licensing.store.outbox import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
_ERROR_LENGTH = 1000


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Set when our own settings are wrong (credentials, sender address, TLS): every message would
    # fail the same way, so the run stops and the operator should be alerted now, not hours later.
    configuration_error: str | None = None


@dataclass(frozen=True)
class FailedEmail:
    id: int
    kind: str
    authority_code: str | None
    to_address: str
    attempts: int
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None


@dataclass(frozen=True)
class _Claim:
    id: int
    token: str
    attempts: int
    email: OutgoingEmail


def message_id(message: OutboxMessage) -> str:
    """The same for every attempt at one message. The creation time is part of it because ids
    restart when a database is restored or rebuilt, and a mail system that drops repeated
    Message-IDs must never drop a new alert as a copy of an old one."""
    return f"<outbox-{message.id}.{message.created_at:%Y%m%dT%H%M%S%f}@crosscheck.local>"


def enqueue_email(
    session: Session,
    *,
    dedupe_key: str,
    to: str,
    subject: str,
    body: str,
    kind: str,
    authority_code: str | None = None,
) -> int | None:
    """Add an email to the caller's transaction (the caller commits). Returns its id, or None when
    an email for the same dedupe_key already exists (or is being enqueued by a transaction that
    has not committed yet: the database makes this one wait and then skip)."""
    # Rejected here, in the caller's use case, rather than by the sender at every attempt.
    OutgoingEmail(message_id="<outbox-check@crosscheck.local>", to=to, subject=subject, body=body)
    now = utc_now()
    table = OutboxMessage.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(
            created_at=now, dedupe_key=dedupe_key, to_address=to, subject=subject, body=body, kind=kind,
            authority_code=authority_code, status="pending", attempts=0, next_attempt_at=now,
        )
        # One statement rather than check-then-insert: two transactions enqueuing the same fact at
        # once yield one row, and neither fails.
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.id)
    )
    return session.execute(statement).scalar_one_or_none()


def send_due_emails(
    app: Crosscheck,
    backend: EmailBackend,
    *,
    now: datetime | None = None,
    batch: int = 50,
    max_attempts: int = 8,
    base_backoff_seconds: float = 30,
    lease_seconds: float = 300,
) -> SendReport:
    """Send up to `batch` due messages. A claim older than lease_seconds belongs to a sender that
    stopped mid-send, so the message is due again; the lease must be far longer than one send."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
    lease = timedelta(seconds=lease_seconds)
    report = SendReport()
    for _ in range(batch):
        claim = _claim_next_due(app, clock(), lease, max_attempts, report)
        if claim is None:
            break
        try:
            reference = backend.send(claim.email)
        except PermanentSendError as error:
            _record_failure(app, claim, str(error), report)
        except SenderConfigurationError as error:
            _record_configuration_error(app, claim, str(error), clock(), base_backoff_seconds)
            report.configuration_error = _safe(str(error))
            log.error("email sending stopped: the email settings are wrong", extra={"outbox_id": claim.id})
            break
        except TransientSendError as error:
            _record_transient(app, claim, str(error), clock(), report, max_attempts, base_backoff_seconds)
        except Exception as error:
            # A fault in a backend must not stall the queue behind one message. Only the type is
            # kept: the text of an unexpected error may quote the message.
            log.error("unexpected error sending an email", extra={"outbox_id": claim.id, "error": type(error).__name__})
            _record_transient(app, claim, f"unexpected error: {type(error).__name__}", clock(), report,
                              max_attempts, base_backoff_seconds)
        else:
            _record_sent(app, claim, reference, clock(), report)
    return report


def failed_emails(uow: UnitOfWork) -> list[FailedEmail]:
    """Messages that will not be sent unless an operator re-queues them, oldest first."""
    rows = uow.session.exec(
        select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(col(OutboxMessage.id))
    ).all()
    return [
        FailedEmail(
            id=row.id, kind=row.kind, authority_code=row.authority_code, to_address=row.to_address,
            attempts=row.attempts, last_error=row.last_error, created_at=row.created_at,
            last_attempt_at=row.claimed_at,
        )
        for row in rows
    ]


def retry_failed_email(uow: UnitOfWork, outbox_id: int) -> None:
    """The operator's re-queue: the message is due now with a fresh set of attempts."""
    message = uow.session.get(OutboxMessage, outbox_id)
    if message is None:
        raise NotFound(f"No outbox message has the id {outbox_id}")
    if message.status != "failed":
        raise Conflict(f"Outbox message {outbox_id} is {message.status}, not failed")
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utc_now()
    message.claim_token = None
    uow.commit()
    log.info("failed email re-queued", extra={"outbox_id": outbox_id})


def _claim_next_due(
    app: Crosscheck, now: datetime, lease: timedelta, max_attempts: int, report: SendReport
) -> _Claim | None:
    # PostgreSQL: SKIP LOCKED lets two senders claim different messages at once. SQLite: the write
    # unit of work holds the database's only write lock from BEGIN, so claims are taken in turn.
    while True:
        with app.unit_of_work() as uow:
            message = uow.session.exec(
                select(OutboxMessage)
                .where(or_(
                    and_(OutboxMessage.status == "pending", col(OutboxMessage.next_attempt_at) <= now),
                    and_(OutboxMessage.status == "sending", col(OutboxMessage.claimed_at) <= now - lease),
                ))
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if message is None:
                return None
            if message.status == "sending":
                if message.attempts >= max_attempts:
                    # Every attempt ended with the sender stopping (killed, out of memory): this
                    # message may be what stops it, so it goes to the operator.
                    message.status = "failed"
                    message.last_error = f"the sender stopped during each of {message.attempts} attempts"
                    uow.commit()
                    report.failed += 1
                    log.error("email failed", extra={"outbox_id": message.id, "attempts": message.attempts})
                    continue
                message.last_error = (
                    f"the sender stopped during attempt {message.attempts} before recording its outcome; "
                    "sent again with the same Message-ID, so the recipient may receive two copies"
                )
                log.warning("email claim expired; sending again", extra={"outbox_id": message.id})
            message.status = "sending"
            message.claim_token = secrets.token_hex(16)
            message.claimed_at = now
            message.attempts += 1
            email = OutgoingEmail(
                message_id=message_id(message), to=message.to_address, subject=message.subject, body=message.body
            )
            uow.commit()
            return _Claim(id=message.id, token=message.claim_token, attempts=message.attempts, email=email)


def _settle(app: Crosscheck, claim: _Claim, **values) -> bool:
    """Record an outcome unless the claim has been taken over (its lease ran out mid-send); the
    sender holding the newer claim records the outcome instead."""
    with app.unit_of_work() as uow:
        result = uow.session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == claim.id, col(OutboxMessage.claim_token) == claim.token)
            .values(**values)
        )
        uow.commit()
    if result.rowcount == 0:
        log.warning("email claim was taken over before its outcome was recorded", extra={"outbox_id": claim.id})
    return result.rowcount == 1


def _record_sent(app: Crosscheck, claim: _Claim, reference: str, now: datetime, report: SendReport) -> None:
    if _settle(app, claim, status="sent", sent_at=now, provider_reference=reference[:500], claim_token=None):
        report.sent += 1
        log.info("email sent", extra={
            "outbox_id": claim.id, "attempts": claim.attempts, "recipient_domain": recipient_domain(claim.email.to),
        })


def _record_failure(app: Crosscheck, claim: _Claim, error: str, report: SendReport) -> None:
    if _settle(app, claim, status="failed", last_error=_safe(error), claim_token=None):
        report.failed += 1
        log.error("email failed", extra={
            "outbox_id": claim.id, "attempts": claim.attempts, "recipient_domain": recipient_domain(claim.email.to),
        })


def _record_transient(
    app: Crosscheck, claim: _Claim, error: str, now: datetime, report: SendReport,
    max_attempts: int, base_backoff_seconds: float,
) -> None:
    if claim.attempts >= max_attempts:
        _record_failure(app, claim, f"gave up after {claim.attempts} attempts: {error}", report)
        return
    retry_at = now + _backoff(claim.attempts, base_backoff_seconds)
    if _settle(app, claim, status="pending", next_attempt_at=retry_at, last_error=_safe(error), claim_token=None):
        report.retried += 1
        log.warning("email will be retried", extra={"outbox_id": claim.id, "attempts": claim.attempts})


def _record_configuration_error(
    app: Crosscheck, claim: _Claim, error: str, now: datetime, base_backoff_seconds: float
) -> None:
    # The message itself was never judged, so the attempt does not count towards max_attempts:
    # a configuration mistake must not turn the queue into failed alerts to re-queue one by one.
    _settle(
        app, claim, status="pending", attempts=claim.attempts - 1, claim_token=None,
        next_attempt_at=now + timedelta(seconds=base_backoff_seconds), last_error=_safe(error),
    )


def _backoff(attempts: int, base_seconds: float) -> timedelta:
    # 30 s, 1 min, 2 min, 4 min ... capped at an hour (with the default base).
    doublings = min(attempts - 1, 20)  # beyond that the cap applies anyway; keeps timedelta in range
    return min(timedelta(seconds=base_seconds * 2**doublings), MAX_BACKOFF)


def _safe(error: str) -> str:
    return error[:_ERROR_LENGTH]
