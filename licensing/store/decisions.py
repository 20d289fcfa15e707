"""The decisions register: refusals, suspensions and revocations an authority records (s.2 of the
2022 Act), each with its history and with where it has been shown, so that a correction reaches
everyone who saw it. Queries about decisions live here too, named by what they return."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, Text, UniqueConstraint, select
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class Decision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", max_length=16, index=True)
    # The authority's own reference for the decision: what its feed keys rows by.
    reference: str | None = Field(default=None, max_length=64)
    decision: str = Field(max_length=40)
    licence_type: str = Field(max_length=32)
    licence_number: str | None = Field(default=None, max_length=64)
    # The authority's licence record, when the register holds it.
    licence_id: int | None = Field(default=None, foreign_key="licence.id", index=True)
    decided_on: date
    effective_from: date
    grounds: str = Field(max_length=16)
    # The person as NR3S holds them.
    surname: str = Field(max_length=200)
    forenames: str = Field(default="", max_length=200)
    date_of_birth: date | None = None
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=10)
    ni_number: str | None = Field(default=None, max_length=16)
    driving_licence_number: str | None = Field(default=None, max_length=32)
    # Stays with the recording authority: never shown to another, never emailed.
    reason: str = Field(sa_type=Text)
    state: str = Field(default="in_effect", max_length=16)
    appeal_outcome: str | None = Field(default=None, max_length=16)
    appeal_decided_on: date | None = None
    # The resolved person, and how sure the match is (certain | probable).
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    match_band: str | None = Field(default=None, max_length=16)
    source: str = Field(default="api", max_length=16)  # api | feed | import
    feed_id: int | None = Field(default=None, foreign_key="feed.id")
    recorded_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    recorded_by_kind: str = Field(max_length=16)
    recorded_by_user_id: int | None = None
    recorded_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    recorded_by_authority_code: str | None = Field(default=None, max_length=16)

    __table_args__ = (UniqueConstraint("authority_code", "reference", name="uq_decision_authority_reference"),)


class DecisionEvent(SQLModel, table=True):
    """A decision's history: recorded, amended, appeal, withdrawn; who acted and what changed."""

    __tablename__ = "decision_event"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    kind: str = Field(max_length=16)
    at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    changes: dict | None = Field(default=None, sa_type=JSON)
    note: str | None = Field(default=None, max_length=2000)
    actor_kind: str = Field(max_length=16)
    actor_user_id: int | None = None
    actor_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    actor_authority_code: str | None = Field(default=None, max_length=16)


class DecisionKey(SQLModel, table=True):
    """Blocking keys of the person a decision names, the same keys licence records have: a licence
    arriving later with a shared key brings the decision back to be matched."""

    __tablename__ = "decision_key"

    key: str = Field(primary_key=True, max_length=120)
    decision_id: int = Field(primary_key=True, foreign_key="decision.id", index=True)


class DecisionDisclosure(SQLModel, table=True):
    """Which authority was shown a decision, how, and when first: who must hear of a correction."""

    __tablename__ = "decision_disclosure"

    decision_id: int = Field(foreign_key="decision.id", primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", primary_key=True)
    via: str = Field(primary_key=True, max_length=16)
    first_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)

    __table_args__ = (Index("ix_decision_disclosure_authority", "authority_code"),)


def decisions_of_drivers(session, driver_ids) -> list[Decision]:
    if not driver_ids:
        return []
    return list(session.execute(select(Decision).where(Decision.driver_id.in_(list(driver_ids)))
                                .order_by(Decision.id)).scalars())


def decision_by_reference(session, authority_code: str, reference: str) -> Decision | None:
    return session.execute(select(Decision).where(Decision.authority_code == authority_code,
                                                  Decision.reference == reference)).scalar_one_or_none()


def feed_decisions_of(session, authority_code: str) -> list[Decision]:
    """The authority's decisions that came by feed or import: the ones its feed speaks for."""
    return list(session.execute(select(Decision).where(Decision.authority_code == authority_code,
                                                       Decision.source.in_(("feed", "import")))).scalars())


def authorities_shown(session, decision_id: int) -> set[str]:
    return set(session.execute(select(DecisionDisclosure.authority_code)
                               .where(DecisionDisclosure.decision_id == decision_id)).scalars())
