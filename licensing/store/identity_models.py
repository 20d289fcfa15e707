"""Match models estimated from the register: each version with its parameters, diagnostics and what
it would change against the model in use. At most one is adopted at a time; with none, the packaged
model (data/default_model.json) is used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Text, select
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime

# The version recorded on links made by the packaged model.
PACKAGED_VERSION = "packaged"


class IdentityModel(SQLModel, table=True):
    __tablename__ = "identity_model"

    id: int | None = Field(default=None, primary_key=True)  # the version an operator adopts
    estimated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    estimated_by: str = Field(max_length=64)  # 'operator (command line)' | 'service (nightly)'
    records: int
    parameters: str = Field(sa_type=Text)  # MatchModel.to_json()
    diagnostics: dict = Field(sa_type=JSON)
    # Against the model in use when estimated: links it would add, remove, send to review.
    changes: dict = Field(sa_type=JSON)
    compared_with: str = Field(max_length=40)
    adopted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    adopted_by: str | None = Field(default=None, max_length=64)
    retired_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def _in_use(*columns):
    """The model in use: the one adopted and not since retired by a later adoption."""
    return (select(*columns).where(IdentityModel.adopted_at.is_not(None), IdentityModel.retired_at.is_(None))
            .order_by(IdentityModel.adopted_at.desc()).limit(1))


_ADOPTED_VERSION = _in_use(IdentityModel.id, IdentityModel.estimated_at)  # built once: read on every search


def adopted_model_version(session) -> tuple[int, datetime] | None:
    """The version of the model in use and when it was estimated, without its parameters (this is
    read on every search; the parameters are read once per version)."""
    row = session.execute(_ADOPTED_VERSION).first()
    return None if row is None else (row.id, row.estimated_at)


def model_parameters(session, version: int) -> str:
    return session.execute(select(IdentityModel.parameters).where(IdentityModel.id == version)).scalar_one()


def adopted_model(session) -> IdentityModel | None:
    return session.execute(_in_use(IdentityModel)).scalars().first()


def models_newest_first(session, *, limit: int = 20) -> list[IdentityModel]:
    return list(session.execute(select(IdentityModel).order_by(IdentityModel.id.desc()).limit(limit)).scalars())
