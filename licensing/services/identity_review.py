"""Officers review the model's links: confirm a probable link, or split a wrong one. A decision
records who, when and why, and overrides the model in every later run."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError, Forbidden, NotFound
from licensing.actors import Actor
from licensing.services.identity import resolve_pending
from licensing.store.models import IdentityDecision, IdentityLink, Licence

VERDICTS = ("same", "different")


@dataclass(frozen=True)
class ReviewItem:
    licence_a: int
    licence_b: int
    band: str
    linked: bool
    probability: float
    why: tuple[str, ...]
    driver_a: int | None
    driver_b: int | None


def links_for_review(app: Crosscheck, caller: Actor, *, limit: int = 200) -> list[ReviewItem]:
    """Probable links (made, to confirm) and possible pairs (not made, to consider) that touch the
    caller's own licences."""
    if caller.authority_code is None:
        raise Forbidden("Reviews belong to an authority: use an authority's API key")
    with app.unit_of_work(write=False) as uow:
        own = select(Licence.id).where(Licence.authority_code == caller.authority_code).scalar_subquery()
        links = uow.session.execute(
            select(IdentityLink).where(IdentityLink.band.in_(("probable", "possible")),
                                       or_(IdentityLink.licence_a.in_(own), IdentityLink.licence_b.in_(own)))
            .order_by(IdentityLink.probability.desc()).limit(limit)).scalars().all()
        ids = {link.licence_a for link in links} | {link.licence_b for link in links}
        drivers = dict(uow.session.execute(select(Licence.id, Licence.driver_id).where(Licence.id.in_(ids))).all()) if ids else {}
    return [ReviewItem(link.licence_a, link.licence_b, link.band, link.linked, link.probability, tuple(link.reasons),
                       drivers.get(link.licence_a), drivers.get(link.licence_b)) for link in links]


def decide_identity(app: Crosscheck, caller: Actor, *, licence_a: int, licence_b: int, verdict: str,
                    reason: str) -> IdentityDecision:
    if verdict not in VERDICTS:
        raise DomainError(f"verdict must be one of {', '.join(VERDICTS)}")
    if not (reason or "").strip():
        raise DomainError("Say why: a decision about who is who needs a reason")
    if licence_a == licence_b:
        raise DomainError("A decision needs two different licence records")
    with app.unit_of_work() as uow:
        records = {licence.id: licence for licence in uow.session.execute(
            select(Licence).where(Licence.id.in_((licence_a, licence_b)))).scalars()}
        if len(records) != 2:
            raise NotFound("No such licence records")
        if not (caller.is_operator or caller.authority_code in {r.authority_code for r in records.values()}):
            raise Forbidden("Only an authority holding one of the two records may decide about them")
        decision = IdentityDecision(licence_a=min(licence_a, licence_b), licence_b=max(licence_a, licence_b),
                                    verdict=verdict, reason=reason.strip(), authority_code=caller.authority_code,
                                    decided_by_key_id=caller.key_id)
        uow.session.add(decision)
        uow.session.execute(update(Licence).where(Licence.id.in_((licence_a, licence_b))).values(needs_resolution=True))
        uow.commit()
    resolve_pending(app)
    return decision
