"""Findings: what needs action about a driver, raised once per underlying fact."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.findings.ranking import RANKED_BY
from licensing.store.types import UtcDateTime

# A finding is open while its fact holds and closed when it stops holding: only the register
# closes a finding. Each authority it concerns handles it for itself: open -> acknowledged ->
# actioned | dismissed (FindingHandling); one authority's handling never changes another's.
OPEN, ACKNOWLEDGED, ACTIONED, DISMISSED, CLOSED = "open", "acknowledged", "actioned", "dismissed", "closed"
HANDLING_STATUSES = (OPEN, ACKNOWLEDGED, ACTIONED, DISMISSED)


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=32, index=True)
    fact_key: str = Field(max_length=120, unique=True)
    status: str = Field(default=OPEN, max_length=16)  # open | closed: whether the fact holds
    severity: str = Field(max_length=16)  # immediate | digest
    summary: str = Field(max_length=500)
    evidence: list = Field(sa_type=JSON)
    licence_ids: list = Field(sa_type=JSON)
    driver_ids: list = Field(sa_type=JSON)
    fingerprint: str = Field(max_length=64)
    # What is at stake (licensing/findings/ranking.py), worked out at each refresh: the ranking.
    stake: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    opened_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)

    __table_args__ = (Index("ix_finding_status_type", "status", "type"),
                      Index("ix_finding_rank", "stake", "opened_at"))


def in_rank_order(query):
    """The query's findings ranked by what is at stake, as licensing.findings.ranking.rank_key
    ranks them: each of RANKED_BY, highest first."""
    return query.order_by(*(getattr(Finding, name).desc() for name in RANKED_BY))


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


class FindingHandling(SQLModel, table=True):
    """One authority's handling of one finding: its own status, who set it, when and why. No row
    means the authority has not touched it yet (open)."""

    __tablename__ = "finding_handling"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", primary_key=True, index=True)
    status: str = Field(default=OPEN, max_length=16)
    changed_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    reason: str | None = Field(default=None, max_length=2000)
    # Who (an Actor, see licensing/actors.py).
    changed_by_kind: str = Field(max_length=16)
    changed_by_user_id: int | None = None
    changed_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    changed_by_authority_code: str | None = Field(default=None, max_length=16)


class FindingEvent(SQLModel, table=True):
    """A finding's history: opened, updated, closed, reopened by the register (with the identity
    decision that caused it, if one did), and each authority's handling."""

    __tablename__ = "finding_event"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # Who acted (an Actor); for handling events, actor_authority_code is whose handling changed.
    actor_kind: str = Field(default="service", max_length=16)
    actor_user_id: int | None = None
    actor_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    actor_authority_code: str | None = Field(default=None, max_length=16)
    identity_decision_id: int | None = Field(default=None, foreign_key="identity_decision.id")
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
