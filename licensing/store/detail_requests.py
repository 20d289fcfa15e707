"""Requests for the detail behind a register entry (s.3 of the 2022 Act): the recording authority
must answer within 20 working days and tell the requester of later changes to the entry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Text, select
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class DetailRequest(SQLModel, table=True):
    __tablename__ = "detail_request"

    id: int | None = Field(default=None, primary_key=True)
    from_authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    to_authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    # What the request is about: a decision, or a licence seen in a search hit or a finding.
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)
    licence_id: int | None = Field(default=None, foreign_key="licence.id")
    finding_id: int | None = Field(default=None, foreign_key="finding.id")
    application_reference: str | None = Field(default=None, max_length=200)
    question: str = Field(sa_type=Text)
    received_on: date
    due_on: date
    requested_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    requested_by_kind: str = Field(max_length=16)
    requested_by_user_id: int | None = None
    requested_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    requested_by_authority_code: str | None = Field(default=None, max_length=16)
    answer: str | None = Field(default=None, sa_type=Text)
    document_reference: str | None = Field(default=None, max_length=500)
    answered_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    answered_by_kind: str | None = Field(default=None, max_length=16)
    answered_by_user_id: int | None = None
    answered_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    answered_by_authority_code: str | None = Field(default=None, max_length=16)
    reminded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def unanswered_requests(session) -> list[DetailRequest]:
    return list(session.execute(select(DetailRequest).where(DetailRequest.answered_at.is_(None))).scalars())


def requesters_of_decision(session, decision_id: int) -> set[str]:
    return set(session.execute(select(DetailRequest.from_authority_code)
                               .where(DetailRequest.decision_id == decision_id)).scalars())
