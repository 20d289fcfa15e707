"""Each authority's feed mapping: its own column names and codes, read into every feed it sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.feeds.mapping import NO_MAPPING, FeedMapping
from licensing.store.types import UtcDateTime


class FeedMappingRecord(SQLModel, table=True):
    __tablename__ = "feed_mapping"

    authority_code: str = Field(foreign_key="authority.code", primary_key=True, max_length=16)
    mapping: dict = Field(sa_type=JSON)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    # Who saved it (licensing/actors.py: Actor.recorded("updated_by")).
    updated_by_kind: str = Field(max_length=16)
    updated_by_user_id: int | None = None
    updated_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    updated_by_authority_code: str | None = Field(default=None, max_length=16)


def feed_mapping_of(session: Session, authority_code: str) -> FeedMapping:
    record = session.get(FeedMappingRecord, authority_code)
    return NO_MAPPING if record is None else FeedMapping.from_json(record.mapping)
