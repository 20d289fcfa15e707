"""Officers search the register for a person (s.3 of the 2022 Act: before every grant or renewal).

Every search is written to the append-only audit log with who, which authority, why, the query
and exactly what was shown. Other authorities' records are shown minimised: which authority holds
what licence, of which type and status, since when, and whom to ask (licensing/disclosure.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError, NotFound
from licensing.identity.records import IdentityRecord
from licensing.identity.score import PairScore
from licensing.identity.search import SearchQuery, query_breadth_problem, query_keys, rank_candidates
from licensing.actors import Actor
from licensing.disclosure import LicenceSummary, summarise
from licensing.services.identity import RECORD_COLUMNS, identity_record, match_model
from licensing.services.decisions import record_disclosures, shared_decisions_of_drivers
from licensing.services.suspensions import suspended_by
from licensing.statutory.vocabulary import ShownVia
from licensing.store.db import UnitOfWork
from licensing.store.slices import in_slices
from licensing.store.models import AuditEvent, Authority, Driver, IdentityKey, Licence

# Why an officer may search; the two application reasons need the application's reference.
REASONS = ("licence_application", "licence_renewal", "enforcement", "safeguarding_referral")
APPLICATION_REASONS = ("licence_application", "licence_renewal")
SHOWN_BANDS = ("certain", "probable", "possible")
# A key shared by more records than this is no use for finding one person.
SEARCH_KEY_LIMIT = 400
MAX_RESULTS = 10

licence_table = Licence.__table__
key_table = IdentityKey.__table__


class SearchRefused(DomainError):
    code = "search_refused"


@dataclass(frozen=True)
class PersonHit:
    driver_id: int
    score: float
    weight: float
    band: str
    why: tuple[str, ...]
    licences: list[LicenceSummary] = field(default_factory=list)
    # Decisions recorded about the person, as the searching authority may see them (decision_seen_by).
    decisions: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class SearchOutcome:
    search_id: int
    results: list[PersonHit]


def search_drivers(app: Crosscheck, caller: Actor, query: SearchQuery, *, reason: str | None,
                   application_reference: str | None) -> SearchOutcome:
    if not reason:
        raise SearchRefused(f"Say why you are searching: reason must be one of {', '.join(REASONS)}")
    if reason not in REASONS:
        raise SearchRefused(f"reason must be one of {', '.join(REASONS)}")
    if reason in APPLICATION_REASONS and not (application_reference or "").strip():
        raise SearchRefused("A search for a licence application needs the application's reference "
                            "(application_reference)")
    problem = query_breadth_problem(query)
    if problem:
        raise SearchRefused(problem)

    # Reading needs no write lock; only the audit entry below does (UnitOfWork.then_write).
    with app.unit_of_work(write=False) as uow:
        candidates, driver_of = _candidates(uow, query)
        # The question is which of these candidates, if any, is the person asked about: the prior
        # odds are those of the candidate set, not of two records drawn from the whole register.
        ranked = rank_candidates(query, candidates, match_model(uow).for_population(max(len(candidates), 2)))
        hits = _best_per_driver(ranked, driver_of)
        decisions = shared_decisions_of_drivers(uow.session, caller.authority_code, [d for d, _ in hits])
        results = [
            PersonHit(driver_id=driver_id, score=round(score.probability, 6), weight=round(score.weight, 2),
                      band=score.band, why=score.reasons, licences=licences, decisions=decisions[driver_id])
            for (driver_id, score), licences in zip(hits, _licences_of(uow, caller, [d for d, _ in hits]), strict=True)
        ]
        # No results leave this function unless the search is in the audit log.
        event_id = _audit(
            uow, "search", caller, reason=reason,
            reference=(application_reference or "").strip() or None, query=_query_json(query),
            shown=[{"driver_id": hit.driver_id, "band": hit.band, "licence_ids": [l.licence_id for l in hit.licences],
                    "decision_ids": [d["id"] for d in hit.decisions]}
                   for hit in results],
            shown_decisions=[d["id"] for hit in results for d in hit.decisions], via=ShownVia.SEARCH,
        )
    return SearchOutcome(search_id=event_id, results=results)


def _audit(reading: UnitOfWork, kind: str, caller: Actor, *, shown_decisions=(), via: str = ShownVia.SEARCH,
           **details) -> int:
    """The audit entry for what the reading unit of work found, committed before it is shown."""
    with reading.then_write() as uow:
        event = AuditEvent(kind=kind, authority_code=caller.authority_code, **caller.recorded("actor"), **details)
        uow.session.add(event)
        # Who was shown which decision, so that a later correction reaches them.
        record_disclosures(uow.session, event.authority_code, shown_decisions, via)
        uow.commit()
        return event.id


def _candidates(uow: UnitOfWork, query: SearchQuery) -> tuple[list[IdentityRecord], dict[int, int]]:
    """Records sharing a usable key with the query, and the driver each belongs to: one query."""
    keys = sorted(query_keys(query))
    if not keys:
        return [], {}
    usable = (select(key_table.c.key).where(key_table.c.key.in_(keys)).group_by(key_table.c.key)
              .having(func.count() <= SEARCH_KEY_LIMIT))
    ids = select(key_table.c.licence_id).where(key_table.c.key.in_(usable.scalar_subquery()))
    rows = uow.session.execute(select(*RECORD_COLUMNS, licence_table.c.driver_id)
                               .where(licence_table.c.id.in_(ids.scalar_subquery()))).all()
    return [identity_record(row) for row in rows], {row.id: row.driver_id for row in rows}


def _best_per_driver(ranked: list[tuple[int, PairScore]], driver_of: dict[int, int]) -> list[tuple[int, PairScore]]:
    best: dict[int, PairScore] = {}
    for record_id, score in ranked:  # already best first
        driver_id = driver_of.get(record_id)
        if score.band in SHOWN_BANDS and driver_id is not None and driver_id not in best:
            best[driver_id] = score
    return list(best.items())[:MAX_RESULTS]


def _licences_of(uow: UnitOfWork, caller: Actor, driver_ids: list[int]) -> list[list[LicenceSummary]]:
    if not driver_ids:
        return []
    rows = uow.session.execute(
        select(Licence, Authority.name, Authority.licensing_email)
        .join(Authority, Authority.code == Licence.authority_code)
        .where(Licence.driver_id.in_(driver_ids))
        .order_by(Licence.authority_code, Licence.licence_number)).all()
    by_driver: dict[int, list[LicenceSummary]] = defaultdict(list)
    suspended = suspended_by(uow.session, [licence.id for licence, _, _ in rows])
    for licence, authority_name, licensing_email in rows:
        by_driver[licence.driver_id].append(
            summarise(licence, authority_name=authority_name, ask=licensing_email, viewer=caller.authority_code,
                      suspension=suspended.get(licence.id)))
    return [by_driver[driver_id] for driver_id in driver_ids]


def _query_json(query: SearchQuery) -> dict:
    return {name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(query).items() if value}


@dataclass(frozen=True)
class DriverView:
    driver_id: int
    merged_into: int | None
    licences: list[LicenceSummary]
    decisions: list[dict] = field(default_factory=list)


def view_driver(app: Crosscheck, caller: Actor, driver_id: int) -> DriverView:
    """A person across authorities, for an authority that has a reason to see them: it licenses
    them (now or before), or they live in its area. A merged id answers with where its records
    went, to the same callers only. Every view is audited, merged ids included."""
    with app.unit_of_work(write=False) as uow:
        target = _current_driver(uow, driver_id)
        rows = [] if target is None else uow.session.execute(
            select(Licence, Authority.name, Authority.licensing_email)
            .join(Authority, Authority.code == Licence.authority_code)
            .where(Licence.driver_id == target).order_by(Licence.authority_code, Licence.licence_number)).all()
        suspended = suspended_by(uow.session, [licence.id for licence, _, _ in rows])
        decisions = [] if target is None else shared_decisions_of_drivers(
            uow.session, caller.authority_code, [target])[target]
        if not rows or not may_view_driver(caller, [licence for licence, _, _ in rows]):
            # The same answer as for an unknown id: ids are no way to learn who is licensed where.
            raise NotFound(f"No driver {driver_id} that this authority licenses or whose home is in its area")
        merged_into = target if target != driver_id else None
        licences = [] if merged_into else [
            summarise(licence, authority_name=name, ask=email, viewer=caller.authority_code,
                      suspension=suspended.get(licence.id))
            for licence, name, email in rows]
        decisions = [] if merged_into else decisions
        _audit(uow, "driver_view", caller, query={"driver_id": driver_id},
               shown=[{"driver_id": driver_id, "merged_into": merged_into,
                       "licence_ids": [l.licence_id for l in licences], "decision_ids": [d["id"] for d in decisions]}],
               shown_decisions=[d["id"] for d in decisions], via=ShownVia.DRIVER_VIEW)
    return DriverView(driver_id, merged_into, licences, decisions)


def may_view_driver(caller: Actor, licences: list[Licence]) -> bool:
    """An authority that licenses (or licensed) one of the person's records, or in whose area they
    live; the operator for the service's own checks."""
    concerned = {licence.authority_code for licence in licences} | {
        licence.home_authority_code for licence in licences if licence.home_authority_code}
    return caller.is_operator or caller.authority_code in concerned


def viewable_drivers(uow: UnitOfWork, caller: Actor, driver_ids) -> set[int]:
    """Which of these drivers the caller may open (may_view_driver): a cross-reference to a driver
    is shown only to those who may see it."""
    driver_ids = sorted({d for d in driver_ids if d is not None})
    if caller.is_operator:
        return set(driver_ids)
    found: set[int] = set()
    for chunk in in_slices(driver_ids):
        found.update(uow.session.execute(select(Licence.driver_id).where(
            Licence.driver_id.in_(chunk), or_(Licence.authority_code == caller.authority_code,
                                              Licence.home_authority_code == caller.authority_code))).scalars())
    return found


def _current_driver(uow: UnitOfWork, driver_id: int) -> int | None:
    """The driver id that holds the records now: the id itself, or where a merged id points."""
    seen = set()
    while driver_id not in seen:
        seen.add(driver_id)
        driver = uow.session.get(Driver, driver_id)
        if driver is None:
            return None
        if driver.merged_into_id is None:
            return driver_id
        driver_id = driver.merged_into_id
    return None
