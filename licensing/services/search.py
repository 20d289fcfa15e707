"""Officers search the register for a person (s.3 of the 2022 Act: before every grant or renewal).

Every search is written to the append-only audit log with who, which authority, why, the query
and exactly what was shown. Other authorities' records are shown minimised: which authority holds
what licence, of which type and status, since when, and whom to ask (licensing/disclosure.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Iterable

from sqlalchemy import Row, and_, bindparam, insert, or_, select

from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError, NotFound
from licensing.identity.records import IdentityRecord
from licensing.identity.score import PairScore
from licensing.identity.search import (
    SearchQuery, query_breadth_problem, query_keys, rank_candidates, shared_ranks,
)
from licensing.actors import Actor
from licensing.clock import utc_now
from licensing.disclosure import HOLDER_ONLY, LicenceSummary, summarise
from licensing.services.identity import identity_record, match_model, records_sharing_keys
from licensing.services.decisions import record_disclosures, shared_decisions_of_drivers
from licensing.services.suspensions import shown_suspension
from licensing.statutory.vocabulary import ShownVia
from licensing.store.db import UnitOfWork
from licensing.store.slices import among, in_slices
from licensing.store.models import AuditEvent, Authority, Driver, Licence
from licensing.store.suspensions import ImmediateSuspension, in_force_at

# Why an officer may search; the two application reasons need the application's reference.
REASONS = ("licence_application", "licence_renewal", "enforcement", "safeguarding_referral")
APPLICATION_REASONS = ("licence_application", "licence_renewal")
SHOWN_BANDS = ("certain", "probable", "possible")
MAX_RESULTS = 10

licence_table = Licence.__table__
audit_table = AuditEvent.__table__

# The statements every search and driver view runs, built once: SQLAlchemy works out the cache key
# of a newly built statement on each execution, and for these that cost as much as running them.
_AUDIT_ENTRY = insert(audit_table).returning(audit_table.c.id)
# What a licence shows as (licensing.disclosure.summarise) and who may open its driver (may_view_driver).
_SHOWN_COLUMNS = tuple(licence_table.c[name] for name in (
    "id", "driver_id", "authority_code", "home_authority_code", "licence_type", "status", "ended_at", "issued_on",
    "expires_on", *HOLDER_ONLY))
_authority, _suspending, _suspension = Authority.__table__, Authority.__table__.alias(), ImmediateSuspension.__table__
_SHOWN_LICENCES = (
    select(*_SHOWN_COLUMNS, _authority.c.name.label("authority_name"), _authority.c.licensing_email,
           _suspension.c.id.label("suspension_id"), _suspension.c.suspending_authority_code,
           _suspension.c.starts_at, _suspension.c.ends_at, _suspension.c.state.label("suspension_state"),
           _suspending.c.name.label("suspending_authority_name"))
    .join(_authority, _authority.c.code == licence_table.c.authority_code)
    .outerjoin(_suspension, and_(_suspension.c.licence_id == licence_table.c.id, in_force_at(bindparam("now"))))
    .outerjoin(_suspending, _suspending.c.code == _suspension.c.suspending_authority_code)
    .where(licence_table.c.driver_id.in_(bindparam("drivers", expanding=True)))
    .order_by(licence_table.c.authority_code, licence_table.c.licence_number, _suspension.c.id))


class SearchRefused(DomainError):
    code = "search_refused"


@dataclass(frozen=True)
class PersonHit:
    driver_id: int
    score: float
    weight: float
    band: str
    why: tuple[str, ...]
    # 1 for the best match; people whose weights are equal as shown share a rank (shared_ranks).
    rank: int
    licences: list[LicenceSummary] = field(default_factory=list)
    # Decisions recorded about the person, as the searching authority may see them (decision_seen_by).
    decisions: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class SearchOutcome:
    search_id: int
    results: list[PersonHit]

    @property
    def first_rank_shared_by(self) -> int:
        """How many people share the first rank when more than one does (0 otherwise): what was
        searched for cannot tell them apart, and the officer needs another identifier."""
        first = sum(hit.rank == 1 for hit in self.results)
        return first if first > 1 else 0


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
        # Ranked by the weight as shown, so that two people shown as equal are ranked as equals.
        weights = [round(score.weight, 2) for _, score in hits]
        results = [
            PersonHit(driver_id=driver_id, score=round(score.probability, 6), weight=weight, band=score.band,
                      why=score.reasons, rank=rank, licences=licences, decisions=decisions[driver_id])
            for (driver_id, score), weight, rank, licences in zip(
                hits, weights, shared_ranks(weights), _licences_of(uow, caller, [d for d, _ in hits]), strict=True)
        ]
        # No results leave this function unless the search is in the audit log.
        event_id = _audit(
            uow, "search", caller, reason=reason,
            reference=(application_reference or "").strip() or None, query=_query_json(query),
            shown=[{"driver_id": hit.driver_id, "rank": hit.rank, "band": hit.band,
                    "licence_ids": [l.licence_id for l in hit.licences],
                    "decision_ids": [d["id"] for d in hit.decisions]}
                   for hit in results],
            shown_decisions=[d["id"] for hit in results for d in hit.decisions], via=ShownVia.SEARCH,
        )
    return SearchOutcome(search_id=event_id, results=results)


def _audit(reading: UnitOfWork, kind: str, caller: Actor, *, shown_decisions=(), via: str = ShownVia.SEARCH,
           **details) -> int:
    """The audit entry for what the reading unit of work found, committed before it is shown."""
    with reading.then_write() as uow:
        # Inserted as a row, not built as a model: it is written once and never read back here.
        event_id = uow.session.execute(_AUDIT_ENTRY, {
            "at": utc_now(), "kind": kind, "authority_code": caller.authority_code, **caller.recorded("actor"),
            "reason": None, "reference": None, "query": None, "shown": None, **details}).scalar_one()
        # Who was shown which decision, so that a later correction reaches them.
        record_disclosures(uow.session, caller.authority_code, shown_decisions, via)
        uow.commit()
        return event_id


def _candidates(uow: UnitOfWork, query: SearchQuery) -> tuple[list[IdentityRecord], dict[int, int]]:
    """Records sharing a usable key with the query, and the driver each belongs to: one query."""
    keys = query_keys(query)
    if not keys:
        return [], {}
    rows = records_sharing_keys(uow.session, keys)
    return [identity_record(row) for row in rows], {row.id: row.driver_id for row in rows}


def _best_per_driver(ranked: Iterable[tuple[int, PairScore]], driver_of: dict[int, int]) -> list[tuple[int, PairScore]]:
    best: dict[int, PairScore] = {}
    for record_id, score in ranked:  # best first, so the first below the shown bands ends the list
        if score.band not in SHOWN_BANDS or len(best) == MAX_RESULTS:
            break
        driver_id = driver_of.get(record_id)
        if driver_id is not None and driver_id not in best:
            best[driver_id] = score
    return list(best.items())


def _licences_of(uow: UnitOfWork, caller: Actor, driver_ids: list[int]) -> list[list[LicenceSummary]]:
    if not driver_ids:
        return []
    by_driver: dict[int, list[LicenceSummary]] = defaultdict(list)
    for licence, summary in _shown_licences(uow, caller, driver_ids):
        by_driver[licence.driver_id].append(summary)
    return [by_driver[driver_id] for driver_id in driver_ids]


def _shown_licences(uow: UnitOfWork, caller: Actor, driver_ids: list[int]) -> list[tuple[Row, LicenceSummary]]:
    """The licences of these drivers, each as the caller may see it, with the immediate suspension
    in force on it if there is one: one query, in the order shown (authority, licence number)."""
    rows = uow.session.execute(_SHOWN_LICENCES, {"drivers": driver_ids, "now": utc_now()}).all()
    shown: dict[int, tuple[Row, LicenceSummary]] = {}
    # Two authorities may each have a suspension in force on one licence: the latest one shows.
    for row in rows:
        suspended = None if row.suspension_id is None else shown_suspension(
            suspension_id=row.suspension_id, authority_code=row.suspending_authority_code,
            authority_name=row.suspending_authority_name, since=row.starts_at, until=row.ends_at,
            state=row.suspension_state)
        shown[row.id] = (row, summarise(row, authority_name=row.authority_name, ask=row.licensing_email,
                                        viewer=caller.authority_code, suspension=suspended))
    return list(shown.values())


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
        shown = [] if target is None else _shown_licences(uow, caller, [target])
        decisions = [] if target is None else shared_decisions_of_drivers(
            uow.session, caller.authority_code, [target])[target]
        if not shown or not may_view_driver(caller, [licence for licence, _ in shown]):
            # The same answer as for an unknown id: ids are no way to learn who is licensed where.
            raise NotFound(f"No driver {driver_id} that this authority licenses or whose home is in its area")
        merged_into = target if target != driver_id else None
        licences = [] if merged_into else [summary for _, summary in shown]
        decisions = [] if merged_into else decisions
        _audit(uow, "driver_view", caller, query={"driver_id": driver_id},
               shown=[{"driver_id": driver_id, "merged_into": merged_into,
                       "licence_ids": [l.licence_id for l in licences], "decision_ids": [d["id"] for d in decisions]}],
               shown_decisions=[d["id"] for d in decisions], via=ShownVia.DRIVER_VIEW)
    return DriverView(driver_id, merged_into, licences, decisions)


def may_view_driver(caller: Actor, licences) -> bool:
    """An authority that licenses (or licensed) one of the person's records (`licences`: rows or
    models with their authority_code and home_authority_code), or in whose area they live; the
    operator for the service's own checks."""
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
            among(uow.session, Licence.driver_id, chunk), or_(Licence.authority_code == caller.authority_code,
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
