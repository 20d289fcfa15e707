"""Queries over feeds for the pages: an authority's recent feeds, newest first."""

from __future__ import annotations

from sqlalchemy import func, select

from licensing.store.models import Authority, Feed


def recent_feeds_of(session, authority_code: str, *, limit: int = 50) -> list[Feed]:
    return list(session.execute(select(Feed).where(Feed.authority_code == authority_code)
                                .order_by(Feed.id.desc()).limit(limit)).scalars())


def feed_freshness(session) -> list[tuple[str, str, object, int]]:
    """Every authority that has sent feeds: code, name, when the last arrived, and how many wait."""
    waiting = (select(Feed.authority_code, func.count().label("waiting"))
               .where(Feed.status.in_(("received", "needs_confirmation"))).group_by(Feed.authority_code).subquery())
    rows = session.execute(
        select(Authority.code, Authority.name, Authority.last_feed_received_at, func.coalesce(waiting.c.waiting, 0))
        .outerjoin(waiting, waiting.c.authority_code == Authority.code)
        .where(Authority.last_feed_received_at.is_not(None))
        .order_by(Authority.last_feed_received_at)).all()
    return [tuple(row) for row in rows]
