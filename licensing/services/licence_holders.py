"""Who licenses a person now: the authorities holding a current driver licence of theirs."""

from __future__ import annotations

from sqlalchemy import or_, select

from licensing.clock import london_today
from licensing.feeds.parse import DRIVER_LICENCE_TYPES
from licensing.store.models import Licence


def current_licences_of(session, driver_id: int) -> list[Licence]:
    today = london_today()
    return list(session.execute(select(Licence).where(
        Licence.driver_id == driver_id, Licence.ended_at.is_(None), Licence.status == "active",
        Licence.licence_type.in_(sorted(DRIVER_LICENCE_TYPES)),
        or_(Licence.expires_on.is_(None), Licence.expires_on >= today))
        .order_by(Licence.authority_code, Licence.licence_number)).scalars())
