"""Concerns one authority sends another about a driver it licenses (s.5 of the 2022 Act), and each
receiving authority's answer (s.6)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, select
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class Concern(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    from_authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    category: str = Field(max_length=16)
    what_happened: str = Field(sa_type=Text)
    where: str = Field(max_length=500)
    occurred_on: date | None = None
    how_known: str = Field(max_length=32)
    became_aware_on: date
    send_by: date
    sent_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    sent_late: bool = False
    # Whom it is about: a licence in the register, or the person's details.
    licence_id: int | None = Field(default=None, foreign_key="licence.id")
    surname: str | None = Field(default=None, max_length=200)
    forenames: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None
    driving_licence_number: str | None = Field(default=None, max_length=32)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    sent_by_kind: str = Field(max_length=16)
    sent_by_user_id: int | None = None
    sent_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    sent_by_authority_code: str | None = Field(default=None, max_length=16)


class ConcernRecipient(SQLModel, table=True):
    """One authority a concern was sent to, and its duty to consider it and report back."""

    __tablename__ = "concern_recipient"

    concern_id: int = Field(foreign_key="concern.id", primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", primary_key=True, index=True)
    outcome_due_on: date
    outcome: str | None = Field(default=None, max_length=16)
    consideration: str | None = Field(default=None, sa_type=Text)
    outcome_decision_id: int | None = Field(default=None, foreign_key="decision.id")
    outcome_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    outcome_by_kind: str | None = Field(default=None, max_length=16)
    outcome_by_user_id: int | None = None
    outcome_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    outcome_by_authority_code: str | None = Field(default=None, max_length=16)
    reminded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def recipients_of(session, concern_id: int) -> list[ConcernRecipient]:
    return list(session.execute(select(ConcernRecipient).where(ConcernRecipient.concern_id == concern_id)
                                .order_by(ConcernRecipient.authority_code)).scalars())


def concerns_about_drivers(session, driver_ids) -> list[Concern]:
    if not driver_ids:
        return []
    return list(session.execute(select(Concern).where(Concern.driver_id.in_(list(driver_ids)))).scalars())


def unanswered_recipients(session) -> list[tuple[ConcernRecipient, Concern]]:
    return list(session.execute(select(ConcernRecipient, Concern).join(Concern, Concern.id == ConcernRecipient.concern_id)
                                .where(ConcernRecipient.outcome.is_(None))).all())
