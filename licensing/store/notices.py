"""Notices in the service: what an authority is told outside the findings (an answer to its
request, a concern's outcome, a correction, a reminder). Each names its subject by id and link,
never by personal data; the matching email goes through the outbox in the same transaction."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class Notice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    kind: str = Field(max_length=32)
    # Who in the authority must act: None for the licensing team, 'authority_admin' for escalations.
    audience_role: str | None = Field(default=None, max_length=32)
    text: str = Field(max_length=1000)
    link: str = Field(max_length=200)
    # Names the fact, so the same notice is never given twice.
    dedupe_key: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
