"""Which resolved person a decision or a concern names: the register's own matcher, through the
same entry points as an officer's search (licensing.identity: query_keys, rank_candidates), so a
decision joins a person exactly as a search would find them. Only certain and probable matches
are taken: a possible one would pin a refusal on the wrong person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from licensing.identity import SearchQuery, query_breadth_problem, query_keys, rank_candidates
from licensing.services.identity import identity_record, model_in_session, records_sharing_keys
from licensing.store.models import Driver, Licence

TAKEN_BANDS = ("certain", "probable")

licence_table = Licence.__table__


@dataclass(frozen=True)
class Person:
    surname: str | None
    forenames: str | None
    date_of_birth: date | None
    driving_licence_number: str | None = None
    ni_number: str | None = None
    postcode: str | None = None

    def query(self) -> SearchQuery:
        return SearchQuery(surname=self.surname, forenames=self.forenames, date_of_birth=self.date_of_birth,
                           driving_licence_number=self.driving_licence_number, ni_number=self.ni_number,
                           postcode=self.postcode)

    def keys(self) -> frozenset[str]:
        return query_keys(self.query())

    def too_vague(self) -> str | None:
        return query_breadth_problem(self.query())


@dataclass(frozen=True)
class Match:
    driver_id: int
    band: str


def match_person(session, person: Person) -> Match | None:
    keys = person.keys()
    if not keys or person.too_vague():
        return None
    rows = records_sharing_keys(session, keys)
    if not rows:
        return None
    driver_of = {row.id: row.driver_id for row in rows}
    ranked = rank_candidates(person.query(), [identity_record(row) for row in rows],
                             model_in_session(session)[1].for_population(max(len(rows), 2)))
    for record_id, score in ranked:
        if score.band in TAKEN_BANDS and driver_of.get(record_id) is not None:
            return Match(current_driver(session, driver_of[record_id]), score.band)
    return None


def current_driver(session, driver_id: int) -> int:
    """A driver whose records moved to another (two people found to be one) points where they went."""
    seen = set()
    while driver_id not in seen:
        seen.add(driver_id)
        merged = session.execute(select(Driver.merged_into_id).where(Driver.id == driver_id)).scalar()
        if merged is None:
            return driver_id
        driver_id = merged
    return driver_id


def flag_driver_for_findings(session, driver_ids) -> None:
    """The findings refresh picks up every licence of these people on its next run (every few
    seconds in the jobs worker), which is how a decision or concern reaches findings and alerts."""
    ids = sorted({d for d in driver_ids if d is not None})
    if ids:
        session.execute(licence_table.update().where(licence_table.c.driver_id.in_(ids)).values(needs_findings=True))
