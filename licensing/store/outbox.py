"""The outbox table: emails waiting to be sent, written in the same transaction as the change that
causes them, and kept (sent or failed) as the record of what the register told whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class OutboxMessage(SQLModel, table=True):
    """One email to one address. status: pending (due at next_attempt_at) | sending (claimed by a
    sender at claimed_at) | sent | failed (needs an operator; never deleted)."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # Names the fact the email reports (e.g. 'finding:123:opened:enforcement'), so that enqueuing
    # the same fact twice yields one email.
    dedupe_key: str = Field(max_length=200, unique=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=998)
    body: str = Field(sa_type=Text)
    kind: str = Field(max_length=16)  # alert | digest
    authority_code: str | None = Field(default=None, foreign_key="authority.code", max_length=16)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # Safe to show and log: backends strip addresses from their error messages.
    last_error: str | None = Field(default=None, max_length=1000)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Identifies one claim, so a sender whose lease ran out cannot overwrite the outcome recorded
    # by the sender that took the message over.
    claim_token: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    provider_reference: str | None = Field(default=None, max_length=500)

    __table_args__ = (Index("ix_outbox_message_status_due", "status", "next_attempt_at"),)
