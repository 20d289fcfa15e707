"""One page of a query and the count of all it matches: what every paged list answers with."""

from __future__ import annotations

from sqlalchemy import func, select


def page_of(session, query, *order, page: int, page_size: int) -> tuple[list, int]:
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(*order).offset((page - 1) * page_size).limit(page_size)).scalars().all()
    return list(rows), total
