"""Officers review the model's links: confirm a probable link, or split a wrong one. A decision
records who, when and why, and overrides the model in every later run.

What an authority may decide (docs/matching.md, "Who may decide who is who"): a pair of its own
records; a pair the model put to it for review or that an earlier decision ruled on (one of the two
records is its own); or a pair of records already linked to one person, one of them its own. Linking its record to another
authority's record that the model did not propose is refused, and answers exactly as a pair that
does not exist: the way to join such records is for the holders to correct them, so that the
model proposes the pair. Every finding a decision changes records the decision in its history.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from licensing.actors import Actor
from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError, Forbidden, NotFound
from licensing.identity.review import rank_for_review, review_band_from_env, stake_of
from licensing.services.findings import Cause, refresh_pending_findings
from licensing.services.identity import resolve_pending
from licensing.services.search import viewable_drivers
from licensing.store.db import UnitOfWork
from licensing.store.models import IdentityDecision, IdentityLink, Licence

VERDICTS = ("same", "different")
REVIEW_BANDS = ("probable", "possible")


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


def _authority_only(caller: Actor) -> None:
    if caller.authority_code is None:
        raise Forbidden("Identity reviews and decisions belong to the authorities holding the records: "
                        "use an authority's API key")


def links_for_review(app: Crosscheck, caller: Actor, *, limit: int = 200,
                     pair: tuple[int, int] | None = None) -> list[ReviewItem]:
    """Every pair in the review band (CROSSCHECK_IDENTITY_REVIEW_BAND) that touches the caller's own
    licences, linked (to confirm) or not (to consider), most at stake first (licensing.identity.review);
    or, with `pair`, that one pair if it is among them."""
    _authority_only(caller)
    band = review_band_from_env(app.settings.env)
    with app.unit_of_work(write=False) as uow:
        own = select(Licence.id).where(Licence.authority_code == caller.authority_code).scalar_subquery()
        query = select(IdentityLink).where(
            IdentityLink.probability >= band.lowest, IdentityLink.probability < band.highest,
            or_(IdentityLink.licence_a.in_(own), IdentityLink.licence_b.in_(own)))
        if pair is not None:
            query = query.where(IdentityLink.licence_a == min(pair), IdentityLink.licence_b == max(pair))
        links = uow.session.execute(query).scalars().all()
        ids = {link.licence_a for link in links} | {link.licence_b for link in links}
        held = {row.id: row for row in uow.session.execute(
            select(Licence.id, Licence.driver_id, Licence.status, Licence.authority_code)
            .where(Licence.id.in_(ids))).all()} if ids else {}
        # The other record's driver is shown only to an authority that may open it.
        viewable = viewable_drivers(uow, caller, [row.driver_id for row in held.values()])
    stakes = {(link.licence_a, link.licence_b): stake_of(
        held[link.licence_a].status, held[link.licence_b].status,
        held[link.licence_a].authority_code == held[link.licence_b].authority_code) for link in links}
    return [ReviewItem(link.licence_a, link.licence_b, link.band, link.linked, link.probability, tuple(link.reasons),
                       _shown(held[link.licence_a].driver_id, viewable), _shown(held[link.licence_b].driver_id, viewable),
                       stakes[(link.licence_a, link.licence_b)].words)
            for link in rank_for_review(links, stakes)[:limit]]


def _shown(driver_id: int | None, viewable) -> int | None:
    return driver_id if driver_id in viewable else None


def _no_such_pair(licence_a: int, licence_b: int) -> NotFound:
    # One answer for records that do not exist and for pairs this authority may not decide on.
    return NotFound(f"No pair of licence records {licence_a} and {licence_b} that this authority may decide on. "
                    "An authority decides on its own records, on pairs put to it for review and on records "
                    "already linked to one person; for another authority's record, ask that authority to check "
                    "its record (docs/matching.md)")


def may_decide(uow: UnitOfWork, caller: Actor, records: list[Licence]) -> bool:
    """Whether the caller may confirm or split this pair of records (see the module docstring)."""
    if caller.authority_code is None or caller.authority_code not in {r.authority_code for r in records}:
        return False
    first, second = sorted(records, key=lambda r: r.id)
    if first.authority_code == second.authority_code:
        return True
    if first.driver_id is not None and first.driver_id == second.driver_id:
        return True
    # Put to review by the model (any pair it scored), or ruled on before: a split can be undone.
    return (uow.session.get(IdentityLink, (first.id, second.id)) is not None
            or uow.session.execute(select(IdentityDecision.id).where(
                IdentityDecision.licence_a == first.id, IdentityDecision.licence_b == second.id)).first() is not None)


def decide_identity(app: Crosscheck, caller: Actor, *, licence_a: int, licence_b: int, verdict: str,
                    reason: str) -> IdentityDecision:
    if verdict not in VERDICTS:
        raise DomainError(f"verdict must be one of {', '.join(VERDICTS)}")
    if not (reason or "").strip():
        raise DomainError("Say why: a decision about who is who needs a reason")
    if licence_a == licence_b:
        raise DomainError("A decision needs two different licence records")
    _authority_only(caller)
    with app.unit_of_work() as uow:
        records = list(uow.session.execute(select(Licence).where(Licence.id.in_((licence_a, licence_b)))).scalars())
        if len(records) != 2 or not may_decide(uow, caller, records):
            raise _no_such_pair(licence_a, licence_b)
        decision = IdentityDecision(licence_a=min(licence_a, licence_b), licence_b=max(licence_a, licence_b),
                                    verdict=verdict, reason=reason.strip(), **caller.recorded("decided_by"))
        uow.session.add(decision)
        uow.session.execute(update(Licence).where(Licence.id.in_((licence_a, licence_b))).values(needs_resolution=True))
        uow.commit()
    resolve_pending(app)
    # The findings the decision changes say so in their history, for every authority they concern.
    refresh_pending_findings(app, cause=Cause(caller, decision.id, decision.reason))
    return decision


def get_decision(uow: UnitOfWork, caller: Actor, decision_id: int) -> IdentityDecision:
    """A decision, for the authority that made it and the authorities holding its records."""
    decision = uow.session.get(IdentityDecision, decision_id)
    if decision is not None and caller.authority_code is not None:
        holders = set(uow.session.execute(select(Licence.authority_code).where(
            Licence.id.in_((decision.licence_a, decision.licence_b)))).scalars())
        if caller.authority_code in holders | {decision.decided_by_authority_code}:
            return decision
    raise NotFound(f"No identity decision {decision_id} for this authority")
