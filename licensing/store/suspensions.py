"""Immediate suspensions by one English authority of a licence another issued (English Devolution
and Community Empowerment Act 2026, as reported; docs/statutory-duties.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Text, and_, select
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.slices import among, in_slices
from licensing.store.types import UtcDateTime


class ImmediateSuspension(SQLModel, table=True):
    __tablename__ = "immediate_suspension"

    id: int | None = Field(default=None, primary_key=True)
    licence_id: int = Field(foreign_key="licence.id", index=True)
    issuing_authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    suspending_authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    grounds: str = Field(max_length=16)
    # Why public safety needed it: for the issuing authority and the suspending one only.
    reason: str = Field(sa_type=Text)
    officer_name: str = Field(max_length=200)
    starts_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    ends_at: datetime = Field(sa_type=UtcDateTime)
    state: str = Field(default="in_force", max_length=16)
    response_note: str | None = Field(default=None, max_length=2000)
    replaced_by_decision_id: int | None = Field(default=None, foreign_key="decision.id")
    responded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    responded_by_kind: str | None = Field(default=None, max_length=16)
    responded_by_user_id: int | None = None
    responded_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    responded_by_authority_code: str | None = Field(default=None, max_length=16)
    recorded_by_kind: str = Field(max_length=16)
    recorded_by_user_id: int | None = None
    recorded_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    recorded_by_authority_code: str | None = Field(default=None, max_length=16)


# In force: not yet lifted, replaced or lapsed. A confirmed one stays in force until its end.
IN_FORCE_STATES = ("in_force", "confirmed")


def in_force_at(now: datetime) -> ColumnElement[bool]:
    """The condition on ImmediateSuspension that it is in force at `now`."""
    return and_(ImmediateSuspension.state.in_(IN_FORCE_STATES), ImmediateSuspension.starts_at <= now,
                ImmediateSuspension.ends_at > now)


def suspensions_in_force_on(session, licence_ids, now: datetime) -> list[ImmediateSuspension]:
    # In slices: a full findings run asks about every licence of the register at once.
    found: list[ImmediateSuspension] = []
    for chunk in in_slices(list(licence_ids)):
        found += session.execute(select(ImmediateSuspension).where(
            among(session, ImmediateSuspension.licence_id, chunk), in_force_at(now))).scalars()
    return found
