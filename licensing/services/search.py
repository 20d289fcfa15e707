"""Officers search the register for a person (s.3 of the 2022 Act: before every grant or renewal).

Every search is written to the append-only audit log with who, which authority, why, the query
and exactly what was shown. Other authorities' records are shown minimised: which authority holds
what licence, of which type and status, since when, and whom to ask.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, select

from licensing.bootstrap import Crosscheck
from licensing.errors import DomainError, NotFound
from licensing.identity.records import IdentityRecord
from licensing.identity.score import PairScore
from licensing.identity.search import SearchQuery, query_breadth_problem, query_keys, rank_candidates
from licensing.actors import Actor
from licensing.services.identity import RECORD_COLUMNS, identity_record, match_model
from licensing.store.db import UnitOfWork
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
class LicenceSummary:
    """One licence as another authority may see it; personal fields only for the caller's own."""

    licence_id: int
    authority_code: str
    authority_name: str
    licence_type: str
    status: str
    in_register: bool
    since: date | None
    expires_on: date | None
    ask: str | None  # whom to ask: the holding authority's licensing team
    own: bool
    licence_number: str | None = None
    surname: str | None = None
    forenames: str | None = None
    date_of_birth: date | None = None


@dataclass(frozen=True)
class PersonHit:
    driver_id: int
    score: float
    weight: float
    band: str
    why: tuple[str, ...]
    licences: list[LicenceSummary] = field(default_factory=list)


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

    # Reading needs no write lock; only the audit entry below does, in a short transaction of its own.
    with app.unit_of_work(write=False) as uow:
        candidates, driver_of = _candidates(uow, query)
        # The question is which of these candidates, if any, is the person asked about: the prior
        # odds are those of the candidate set, not of two records drawn from the whole register.
        ranked = rank_candidates(query, candidates, match_model().for_population(max(len(candidates), 2)))
        hits = _best_per_driver(ranked, driver_of)
        results = [
            PersonHit(driver_id=driver_id, score=round(score.probability, 6), weight=round(score.weight, 2),
                      band=score.band, why=score.reasons, licences=licences)
            for (driver_id, score), licences in zip(hits, _licences_of(uow, caller, [d for d, _ in hits]), strict=True)
        ]
    # No results leave this function unless the search is in the audit log.
    event_id = _audit(app, AuditEvent(
        kind="search", api_key_id=caller.key_id, user_id=caller.user_id, authority_code=caller.authority_code, reason=reason,
        reference=(application_reference or "").strip() or None, query=_query_json(query),
        shown=[{"driver_id": hit.driver_id, "band": hit.band, "licence_ids": [l.licence_id for l in hit.licences]}
               for hit in results],
    ))
    return SearchOutcome(search_id=event_id, results=results)


def _audit(app: Crosscheck, event: AuditEvent) -> int:
    with app.unit_of_work() as uow:
        uow.session.add(event)
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
    for licence, authority_name, licensing_email in rows:
        by_driver[licence.driver_id].append(summarise(licence, authority_name, licensing_email, caller))
    return [by_driver[driver_id] for driver_id in driver_ids]


def summarise(licence: Licence, authority_name: str, licensing_email: str | None, caller: Actor) -> LicenceSummary:
    own = caller.authority_code == licence.authority_code
    return LicenceSummary(
        licence_id=licence.id, authority_code=licence.authority_code, authority_name=authority_name,
        licence_type=licence.licence_type, status=licence.status, in_register=licence.ended_at is None,
        since=licence.issued_on, expires_on=licence.expires_on, ask=licensing_email, own=own,
        licence_number=licence.licence_number if own else None,
        surname=licence.surname if own else None,
        forenames=licence.forenames if own else None,
        date_of_birth=licence.date_of_birth if own else None,
    )


def _query_json(query: SearchQuery) -> dict:
    return {name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(query).items() if value}


@dataclass(frozen=True)
class DriverView:
    driver_id: int
    merged_into: int | None
    licences: list[LicenceSummary]


def view_driver(app: Crosscheck, caller: Actor, driver_id: int) -> DriverView:
    """A person across authorities, for an authority that has a reason to see them: it licenses
    them (now or before), or they live in its area. Every view is audited."""
    with app.unit_of_work(write=False) as uow:
        driver = uow.session.get(Driver, driver_id)
        if driver is None:
            raise NotFound(f"No driver {driver_id}")
        if driver.merged_into_id is not None:
            return DriverView(driver_id, driver.merged_into_id, [])
        rows = uow.session.execute(
            select(Licence, Authority.name, Authority.licensing_email)
            .join(Authority, Authority.code == Licence.authority_code)
            .where(Licence.driver_id == driver_id).order_by(Licence.authority_code, Licence.licence_number)).all()
    concerned = {licence.authority_code for licence, _, _ in rows} | {
        licence.home_authority_code for licence, _, _ in rows if licence.home_authority_code}
    if not rows or not (caller.is_operator or caller.authority_code in concerned):
        # The same answer as for an unknown id: ids are no way to learn who is licensed where.
        raise NotFound(f"No driver {driver_id} that this authority licenses or whose home is in its area")
    licences = [summarise(licence, name, email, caller) for licence, name, email in rows]
    _audit(app, AuditEvent(kind="driver_view", api_key_id=caller.key_id, user_id=caller.user_id, authority_code=caller.authority_code,
                           query={"driver_id": driver_id},
                           shown=[{"driver_id": driver_id, "licence_ids": [l.licence_id for l in licences]}]))
    return DriverView(driver_id, None, licences)
