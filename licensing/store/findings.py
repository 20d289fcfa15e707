"""Findings: what needs action about a driver, raised once per underlying fact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime

# Statuses an officer sets, and the one the register sets when the fact no longer holds.
OPEN, ACKNOWLEDGED, ACTIONED, DISMISSED, CLOSED = "open", "acknowledged", "actioned", "dismissed", "closed"


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=32, index=True)
    fact_key: str = Field(max_length=120, unique=True)
    status: str = Field(default=OPEN, max_length=16)
    severity: str = Field(max_length=16)  # immediate | digest
    summary: str = Field(max_length=500)
    evidence: list = Field(sa_type=JSON)
    licence_ids: list = Field(sa_type=JSON)
    driver_ids: list = Field(sa_type=JSON)
    fingerprint: str = Field(max_length=64)
    opened_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # The last officer's status change: who, when and why.
    status_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    status_changed_by_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    status_changed_by_authority: str | None = Field(default=None, max_length=16)
    status_reason: str | None = Field(default=None, max_length=2000)

    __table_args__ = (Index("ix_finding_status_type", "status", "type"),)


class FindingAuthority(SQLModel, table=True):
    """Which authorities a finding is for (their teams must act) or merely visible to."""

    __tablename__ = "finding_authority"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", primary_key=True, index=True)
    role: str = Field(max_length=16)  # for | visible


class FindingLicence(SQLModel, table=True):
    """The licence records a finding rests on: what decides which findings a change may affect."""

    __tablename__ = "finding_licence"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True)
    licence_id: int = Field(foreign_key="licence.id", primary_key=True, index=True)


class FindingEvent(SQLModel, table=True):
    """A finding's history: opened, updated, closed, reopened, and officers' status changes."""

    __tablename__ = "finding_event"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    user_id: int | None = Field(default=None)  # the officer who acted (user_account.id)
    authority_code: str | None = Field(default=None, max_length=16)
    reason: str | None = Field(default=None, max_length=2000)


class DigestItem(SQLModel, table=True):
    """A finding change waiting for an authority's daily digest email."""

    __tablename__ = "digest_item"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id")
    authority_code: str = Field(foreign_key="authority.code")
    change: str = Field(max_length=16)  # opened | updated | reopened
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    digested_at: datetime | None = Field(default=None, sa_type=UtcDateTime)

    __table_args__ = (Index("ix_digest_item_pending", "authority_code", "digested_at"),)
