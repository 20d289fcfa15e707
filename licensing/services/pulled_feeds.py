"""Pulled feeds: an authority publishes its register at a URL and the jobs worker fetches it on
the authority's schedule, then hands it to the same path as a pushed feed."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.config import Settings
from licensing.errors import DomainError
from licensing.feeds.fetch import FetchedFeed, FetchFailed, FetchPolicy, fetch_published_feed
from licensing.feeds.public_web import any_address, is_public_address
from licensing.services.feeds import receive_feed
from licensing.store.models import Authority

log = logging.getLogger(__name__)


def due_for_pull(authority: Authority, now: datetime) -> bool:
    if not authority.feed_url or not authority.feed_pull_minutes:
        return False
    last = authority.feed_last_pulled_at
    return last is None or last + timedelta(minutes=authority.feed_pull_minutes) <= now


def pull_due_feeds(app: Crosscheck, *, policy: FetchPolicy | None = None, now: datetime | None = None) -> dict[str, str]:
    """Fetch every published register that is due; returns each authority's outcome."""
    now = now or utc_now()
    policy = within_settings(policy or FetchPolicy(max_bytes=app.settings.feed_max_bytes), app.settings)
    with app.unit_of_work(write=False) as uow:
        authorities = uow.session.execute(
            select(Authority).where(col(Authority.feed_url).is_not(None))
        ).scalars().all()
    outcomes = {}
    for authority in authorities:
        if due_for_pull(authority, now):
            outcomes[authority.code] = pull_feed(app, authority.code, policy=policy)
    return outcomes


def within_settings(policy: FetchPolicy, settings: Settings) -> FetchPolicy:
    """Where a feed may come from is the operator's setting, whatever timeouts the caller chose."""
    local = settings.feed_allow_local_http
    return replace(policy, allow_plain_http=local, may_connect_to=any_address if local else is_public_address)


def pull_feed(app: Crosscheck, authority_code: str, *, policy: FetchPolicy) -> str:
    with app.unit_of_work(write=False) as uow:
        authority = uow.session.get(Authority, authority_code)
        url, etag, last_modified = authority.feed_url, authority.feed_etag, authority.feed_last_modified
    try:
        result = fetch_published_feed(url, etag=etag, last_modified=last_modified, policy=policy)
    except FetchFailed as failure:
        _record_pull(app, authority_code, error=str(failure))
        log.warning("feed pull failed", extra={"authority": authority_code, "retryable": failure.retryable})
        return "failed"
    if not isinstance(result, FetchedFeed):
        _record_pull(app, authority_code, etag=result.etag or etag, last_modified=result.last_modified or last_modified)
        return "not_modified"
    with app.unit_of_work() as uow:
        try:
            receive_feed(uow, authority_code=authority_code, body=result.body,
                         content_type=result.content_type, source="pull")
        except DomainError as error:
            _record_pull(app, authority_code, error=error.message)
            return "failed"
    _record_pull(app, authority_code, etag=result.etag, last_modified=result.last_modified)
    return "received"


def _record_pull(app: Crosscheck, authority_code: str, *, error: str | None = None,
                 etag: str | None = None, last_modified: str | None = None) -> None:
    with app.unit_of_work() as uow:
        authority = uow.session.get(Authority, authority_code)
        authority.feed_last_pulled_at = utc_now()
        authority.feed_pull_error = error
        if error is None:
            authority.feed_etag = etag
            authority.feed_last_modified = last_modified
        uow.commit()
