"""Queries over feeds for the pages: an authority's recent feeds, newest first."""

from __future__ import annotations

from sqlalchemy import func, select

from licensing.store.models import Authority, Feed, FeedBody


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


_BODY_SLICE = 4 * 1024 * 1024


def feed_body_of(session, feed_id: int) -> bytes | None:
    """The bytes as received. Read as bare values, a slice at a time: an ORM object would keep the
    body alive in the session for the whole transaction that applies it, and PostgreSQL sends a
    bytea whole as hex text twice its size, which a 50 MB feed cannot afford beside its rows."""
    size = session.execute(select(func.length(FeedBody.body)).where(FeedBody.feed_id == feed_id)).scalar()
    if size is None:
        return None
    slices = []
    for start in range(1, size + 1, _BODY_SLICE):  # SQL counts bytes from 1
        slices.append(session.execute(
            select(func.substr(FeedBody.body, start, _BODY_SLICE)).where(FeedBody.feed_id == feed_id)).scalar())
    return b"".join(slices)


def last_applied_licence_feed(session, authority_code: str) -> Feed | None:
    """The licence feed whose snapshot the authority's register holds now."""
    return session.execute(
        select(Feed).where(Feed.authority_code == authority_code, Feed.kind == "licences", Feed.status == "applied")
        .order_by(Feed.id.desc()).limit(1)).scalar()
