"""Alerts with nowhere to go: an authority with no team email address set keeps its alerts here,
undelivered, until an address is set; they are then sent at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, func, select
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class HeldAlert(SQLModel, table=True):
    __tablename__ = "held_alert"

    id: int | None = Field(default=None, primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", max_length=16)
    finding_id: int = Field(foreign_key="finding.id")
    change: str = Field(max_length=16)  # opened | updated | reopened
    held_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # Set once the alert has gone to the outbox, with the email that carried it.
    released_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outbox_id: int | None = Field(default=None, foreign_key="outbox_message.id")

    __table_args__ = (Index("ix_held_alert_waiting", "authority_code", "released_at"),)


def undelivered_alerts_by_authority(session, *, authority_code: str | None = None) -> list[tuple[str, str, int, datetime]]:
    """(authority code, name, alerts waiting, held since) for authorities with held alerts, longest waiting first."""
    from licensing.store.models import Authority  # here: models imports this module at its end

    query = (select(HeldAlert.authority_code, Authority.name, func.count(), func.min(HeldAlert.held_at))
             .join(Authority, Authority.code == HeldAlert.authority_code)
             .where(HeldAlert.released_at.is_(None))
             .group_by(HeldAlert.authority_code, Authority.name).order_by(func.min(HeldAlert.held_at)))
    if authority_code:
        query = query.where(HeldAlert.authority_code == authority_code)
    return [tuple(row) for row in session.execute(query)]
