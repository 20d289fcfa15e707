"""An authority's feed mapping: saved once by the authority (or the operator for it), then read
into every feed it sends, pushed, pulled or imported."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from licensing.actors import Actor
from licensing.clock import utc_now
from licensing.errors import DomainError, Forbidden, NotFound
from licensing.feeds.mapping import FeedMapping, InvalidMapping
from licensing.store.db import UnitOfWork
from licensing.store.feed_mappings import FeedMappingRecord, feed_mapping_of
from licensing.store.models import Authority

log = logging.getLogger(__name__)


class MappingRefused(DomainError):
    code = "invalid_feed_mapping"


def _check_access(uow: UnitOfWork, caller: Actor, code: str) -> None:
    if not (caller.is_operator or caller.authority_code == code):
        raise Forbidden("An authority's feed mapping can be read or saved only with its own API key")
    if uow.session.get(Authority, code) is None:
        raise NotFound(f"No licensing authority has the code {code!r}")


def get_feed_mapping(uow: UnitOfWork, caller: Actor, code: str) -> dict:
    _check_access(uow, caller, code)
    return feed_mapping_of(uow.session, code).to_json()


@dataclass(frozen=True)
class SavedMapping:
    mapping: dict  # as FeedMapping.to_json gives it
    updated_at: datetime
    updated_by_kind: str  # officer | api_key | service


def saved_feed_mapping(uow: UnitOfWork, caller: Actor, code: str) -> SavedMapping | None:
    """The mapping the authority saved, and when; None when it reads feeds by the standard names."""
    _check_access(uow, caller, code)
    record = uow.session.get(FeedMappingRecord, code)
    if record is None:
        return None
    return SavedMapping(FeedMapping.from_json(record.mapping).to_json(), record.updated_at, record.updated_by_kind)


def save_feed_mapping(uow: UnitOfWork, caller: Actor, code: str, document: object) -> dict:
    """Replaces the authority's mapping whole; later feeds are read through it."""
    _check_access(uow, caller, code)
    try:
        mapping = FeedMapping.from_json(document)
    except InvalidMapping as invalid:
        raise MappingRefused(f"The feed mapping was not saved: {invalid.problems[0]}",
                             details=[{"message": problem} for problem in invalid.problems]) from None
    record = uow.session.get(FeedMappingRecord, code) or FeedMappingRecord(authority_code=code, mapping={},
                                                                          updated_by_kind=caller.kind.value)
    record.mapping = mapping.to_json()
    record.updated_at = utc_now()
    for column, value in caller.recorded("updated_by").items():
        setattr(record, column, value)
    uow.session.add(record)
    uow.commit()
    log.info("feed mapping saved", extra={"authority": code, "columns": len(mapping.columns)})
    return mapping.to_json()
