"""Officers review the model's links: confirm a probable link, or split a wrong one. A decision
records who, when and why, and overrides the model in every later run."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError, Forbidden, NotFound
from licensing.actors import Actor
from licensing.identity.review import rank_for_review, review_band_from_env, stake_of
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
    at_stake: str = ""


def links_for_review(app: Crosscheck, caller: Actor, *, limit: int = 200) -> list[ReviewItem]:
    """Every pair in the review band (CROSSCHECK_IDENTITY_REVIEW_BAND) that touches the caller's own
    licences, linked (to confirm) or not (to consider), most at stake first (licensing.identity.review)."""
    if caller.authority_code is None:
        raise Forbidden("Reviews belong to an authority: use an authority's API key")
    band = review_band_from_env(app.settings.env)
    with app.unit_of_work(write=False) as uow:
        own = select(Licence.id).where(Licence.authority_code == caller.authority_code).scalar_subquery()
        links = uow.session.execute(
            select(IdentityLink).where(IdentityLink.probability >= band.lowest, IdentityLink.probability < band.highest,
                                       or_(IdentityLink.licence_a.in_(own), IdentityLink.licence_b.in_(own)))
        ).scalars().all()
        ids = {link.licence_a for link in links} | {link.licence_b for link in links}
        held = {row.id: row for row in uow.session.execute(
            select(Licence.id, Licence.driver_id, Licence.status, Licence.authority_code)
            .where(Licence.id.in_(ids))).all()} if ids else {}
    stakes = {(link.licence_a, link.licence_b): stake_of(
        held[link.licence_a].status, held[link.licence_b].status,
        held[link.licence_a].authority_code == held[link.licence_b].authority_code) for link in links}
    return [ReviewItem(link.licence_a, link.licence_b, link.band, link.linked, link.probability, tuple(link.reasons),
                       held[link.licence_a].driver_id, held[link.licence_b].driver_id,
                       stakes[(link.licence_a, link.licence_b)].words)
            for link in rank_for_review(links, stakes)[:limit]]


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
