"""Identity resolution against the register: which licence records are the same person.

Incremental: records added or changed by a feed (needs_resolution) are re-resolved together with
their neighbourhood — every record sharing a blocking key with them and every record of the drivers
those belong to. Only pairs touching a changed record are scored; the others keep the weight stored
with their link, so a neighbourhood is clustered as a full run would cluster it.
Full: the nightly job resolves every record. Both keep driver ids stable: a cluster keeps the id
most of its records already had.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Iterable, Sequence

from sqlalchemy import bindparam, delete, func, insert, select, update

from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.feeds.parse import DRIVER_LICENCE_TYPES
from licensing.identity.keys import KEY_GROUP_LIMIT, blocking_keys
from licensing.identity.model import MatchModel
from licensing.identity.records import IdentityRecord
from licensing.identity.resolve import HumanDecision, Resolution, pairs_touching, resolve
from licensing.identity.review import ReviewBand, keeping_review_band, review_band_from_env
from licensing.store.db import UnitOfWork
from licensing.store.slices import among, delete_pairs, in_slices
from licensing.store.identity_models import PACKAGED_VERSION, adopted_model_version, model_parameters
from licensing.store.models import Driver, IdentityDecision, IdentityKey, IdentityLink, Licence

log = logging.getLogger(__name__)

licence_table = Licence.__table__
key_table = IdentityKey.__table__
link_table = IdentityLink.__table__

RECORD_COLUMNS = (licence_table.c.id, licence_table.c.surname, licence_table.c.forenames,
                   licence_table.c.date_of_birth, licence_table.c.driving_licence_number,
                   licence_table.c.ni_number, licence_table.c.postcode, licence_table.c.address)
FULL_RUN_SHARE = 0.2
# A key shared by more records than this is no use for finding one person (a search, or the person
# a decision or concern names).
PERSON_KEY_LIMIT = 400
# Built once: it runs on every search, and SQLAlchemy works out a newly built statement's cache key
# on each execution, which here cost as much as running it.
_RECORDS_SHARING_KEYS = select(*RECORD_COLUMNS, licence_table.c.driver_id).where(licence_table.c.id.in_(
    select(key_table.c.licence_id).where(key_table.c.key.in_(
        select(key_table.c.key).where(key_table.c.key.in_(bindparam("keys", expanding=True)))
        .group_by(key_table.c.key).having(func.count() <= PERSON_KEY_LIMIT).scalar_subquery())).scalar_subquery()))
# Operators' licences name a business, not a person: they are not resolved into drivers.
DRIVER_TYPES = DRIVER_LICENCE_TYPES


@cache
def _packaged_model() -> MatchModel:
    return MatchModel.default()


# A version's parameters never change once estimated, so each is read and parsed once per process.
# Keyed by when it was estimated too: a register rebuilt from empty numbers its versions afresh.
_estimated_models: dict[tuple[int, datetime], MatchModel] = {}


def _estimated_model(session, version: tuple[int, datetime]) -> MatchModel:
    model = _estimated_models.get(version)
    if model is None:
        model = _estimated_models[version] = MatchModel.from_json(model_parameters(session, version[0]))
    return model


def model_in_use(uow: UnitOfWork) -> tuple[str, MatchModel]:
    """The adopted model and its version; the packaged one until an operator adopts another."""
    return model_in_session(uow.session)


def model_in_session(session) -> tuple[str, MatchModel]:
    version = adopted_model_version(session)
    if version is None:
        return PACKAGED_VERSION, _packaged_model()
    return str(version[0]), _estimated_model(session, version)


def match_model(uow: UnitOfWork) -> MatchModel:
    return model_in_use(uow)[1]


@dataclass(frozen=True)
class ResolutionReport:
    records: int
    drivers_created: int
    licences_moved: int


def records_sharing_keys(session, keys) -> list:
    """The licence records (RECORD_COLUMNS and driver_id) that share a usable key with these: the
    candidates for one person, in one statement."""
    return session.execute(_RECORDS_SHARING_KEYS, {"keys": sorted(keys)}).all()


def identity_record(row) -> IdentityRecord:
    """A licence row (RECORD_COLUMNS) as the matcher sees it."""
    return IdentityRecord(record_id=row[0], surname=row[1], forenames=row[2], date_of_birth=row[3],
                          driving_licence_number=row[4], ni_number=row[5], postcode=row[6], address=row[7])



def resolve_pending(app: Crosscheck, *, batch: int = 50_000) -> ResolutionReport:
    """Resolve every record waiting for it; one transaction per batch, so a crash loses nothing
    (the records simply still need resolution)."""
    with app.unit_of_work(write=False) as uow:
        waiting = uow.session.execute(select(func.count()).select_from(licence_table)
                                      .where(licence_table.c.needs_resolution.is_(True))).scalar_one()
        everyone = uow.session.execute(select(func.count()).select_from(licence_table)).scalar_one()
    if waiting and waiting > FULL_RUN_SHARE * everyone:
        # A first load or a huge change: resolving everyone at once is quicker than neighbourhoods.
        return resolve_everyone(app)
    total = ResolutionReport(0, 0, 0)
    while True:
        with app.unit_of_work() as uow:
            pending = list(uow.session.execute(
                select(licence_table.c.id).where(licence_table.c.needs_resolution.is_(True))
                .order_by(licence_table.c.id).limit(batch)).scalars())
            if not pending:
                return total
            report = _resolve_neighbourhood(uow, pending, review_band_from_env(app.settings.env))
            uow.commit()
        total = ResolutionReport(total.records + report.records, total.drivers_created + report.drivers_created,
                                 total.licences_moved + report.licences_moved)


def _refresh_keys(uow: UnitOfWork, rows, *, all_waiting: bool = False) -> dict[int, frozenset[str]]:
    """Blocking keys of changed records (every record waiting for resolution when all_waiting);
    returns the driver records' keys, except when all_waiting (a full run computes its own)."""
    session = uow.session
    if all_waiting:
        waiting = select(licence_table.c.id).where(licence_table.c.needs_resolution.is_(True))
        session.execute(delete(key_table).where(key_table.c.licence_id.in_(waiting)))
        stored: dict[int, set[str]] = {}
    else:
        stored = _stored_keys(uow, [row.id for row in rows])
    keys_by_record: dict[int, frozenset[str]] = {}
    # Written a slice at a time: a first load has some fifteen keys for each of 500,000 records.
    # A changed record keeps most of its keys (a move changes only the address's), so only the
    # keys it lost are deleted and only those it gained are written.
    key_rows: list[dict] = []
    lost: list[tuple[str, int]] = []
    for row in rows:
        keys = blocking_keys(identity_record(row)) if row.licence_type in DRIVER_TYPES else frozenset()
        if row.licence_type in DRIVER_TYPES and not all_waiting:
            keys_by_record[row.id] = keys
        had = stored.get(row.id, set())
        lost += ((key, row.id) for key in had - keys)
        key_rows += ({"key": key, "licence_id": row.id} for key in keys - had)
        if len(key_rows) >= _KEY_ROWS_PER_INSERT:
            session.execute(insert(key_table), key_rows)
            key_rows = []
    delete_pairs(session, key_table.c.key, key_table.c.licence_id, lost)
    if key_rows:
        session.execute(insert(key_table), key_rows)
    return keys_by_record


def _stored_keys(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, set[str]]:
    stored: dict[int, set[str]] = defaultdict(set)
    for chunk in in_slices(sorted(ids)):
        for key, licence_id in uow.session.execute(
                select(key_table.c.key, key_table.c.licence_id).where(among(uow.session, key_table.c.licence_id, chunk))):
            stored[licence_id].add(key)
    return stored


_KEY_ROWS_PER_INSERT = 20_000


def _clear_pending(uow: UnitOfWork, ids: Sequence[int]) -> None:
    for chunk in in_slices(list(ids)):
        uow.session.execute(update(licence_table).where(among(uow.session, licence_table.c.id, chunk)).values(needs_resolution=False))


def _resolve_neighbourhood(uow: UnitOfWork, pending: list[int], band: ReviewBand) -> ResolutionReport:
    pending_rows = _load_rows(uow, pending)
    operators = [row.id for row in pending_rows if row.licence_type not in DRIVER_TYPES]
    keys_by_record = _refresh_keys(uow, pending_rows)

    # The neighbourhood: records sharing a usable key, then the whole of every driver involved.
    holders = _holders_of_keys(uow, {k for keys in keys_by_record.values() for k in keys})
    neighbours = set(keys_by_record) | {record_id for ids in holders.values() for record_id in ids}
    driver_ids = _drivers_of(uow, neighbours)
    neighbours |= _records_of_drivers(uow, driver_ids)
    neighbourhood = _load_records(uow, sorted(neighbours))
    version, model = _model_for(uow, band)
    resolution = resolve(neighbourhood, model, _decisions_among(uow, neighbours), changed=set(pending),
                         touching=pairs_touching(keys_by_record, holders),
                         known_weights=_stored_weights(uow, neighbours - set(pending), model, version))

    report = _assign_drivers(uow, resolution, operators)
    _replace_links(uow, neighbours, resolution, model, version)
    _clear_pending(uow, pending)
    return ResolutionReport(len(pending), report.drivers_created, report.licences_moved)


def resolve_everyone(app: Crosscheck) -> ResolutionReport:
    """The full run: every driver record resolved from scratch, driver ids kept stable. Keys are
    refreshed only for records waiting for resolution: the others' are still current, since any
    change to a record marks it as waiting."""
    with app.unit_of_work() as uow:
        session = uow.session
        pending_rows = session.execute(
            select(*RECORD_COLUMNS, licence_table.c.licence_type)
            .where(licence_table.c.needs_resolution.is_(True))).all()
        _refresh_keys(uow, pending_rows, all_waiting=True)
        rows = session.execute(select(*RECORD_COLUMNS, licence_table.c.licence_type))
        records, operators = [], []
        for row in rows:
            if row.licence_type in DRIVER_TYPES:
                records.append(identity_record(row))
            else:
                operators.append(row.id)
        version, model = _model_for(uow, review_band_from_env(app.settings.env))
        resolution = resolve(records, model, _decisions_among(uow, None))
        report = _assign_drivers(uow, resolution, operators)
        session.execute(delete(link_table))
        _insert_links(uow, resolution, model, version)
        _clear_pending(uow, [row.id for row in pending_rows])
        uow.commit()
    log.info("full resolution finished", extra={"records": len(records), "drivers_created": report.drivers_created,
                                                "licences_moved": report.licences_moved})
    return ResolutionReport(len(records) + len(operators), report.drivers_created, report.licences_moved)


def _model_for(uow: UnitOfWork, band: ReviewBand) -> tuple[str, MatchModel]:
    # The prior odds of a match depend on how many records there are to match against; every pair
    # the review band asks officers to see must be kept.
    population = uow.session.execute(select(func.count()).select_from(licence_table)).scalar_one()
    version, model = model_in_use(uow)
    return version, keeping_review_band(model.for_population(max(population, 2)), band)


def _load_rows(uow: UnitOfWork, ids: Sequence[int]):
    rows = []
    for chunk in in_slices(list(ids)):
        rows += uow.session.execute(
            select(*RECORD_COLUMNS, licence_table.c.licence_type).where(among(uow.session, licence_table.c.id, chunk))).all()
    return rows


def _load_records(uow: UnitOfWork, ids: Sequence[int]) -> list[IdentityRecord]:
    return [identity_record(row) for row in _load_rows(uow, ids) if row.licence_type in DRIVER_TYPES]


def _holders_of_keys(uow: UnitOfWork, keys: set[str]) -> dict[str, list[int]]:
    """The records holding each of the keys, leaving out keys too common to compare on (as a full
    run does: the count is over the whole register). One statement per slice of keys."""
    holders: dict[str, list[int]] = defaultdict(list)
    for chunk in in_slices(sorted(keys)):
        usable = (select(key_table.c.key).where(among(uow.session, key_table.c.key, chunk)).group_by(key_table.c.key)
                  .having(func.count() <= KEY_GROUP_LIMIT))
        for key, licence_id in uow.session.execute(
                select(key_table.c.key, key_table.c.licence_id).where(key_table.c.key.in_(usable.scalar_subquery()))):
            holders[key].append(licence_id)
    return holders


def _drivers_of(uow: UnitOfWork, licence_ids: Iterable[int]) -> set[int]:
    drivers: set[int] = set()
    for chunk in in_slices(sorted(licence_ids)):
        drivers.update(uow.session.execute(
            select(licence_table.c.driver_id).where(among(uow.session, licence_table.c.id, chunk),
                                                    licence_table.c.driver_id.is_not(None))).scalars())
    return drivers


def _records_of_drivers(uow: UnitOfWork, driver_ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in in_slices(sorted(driver_ids)):
        found.update(uow.session.execute(
            select(licence_table.c.id).where(among(uow.session, licence_table.c.driver_id, chunk))).scalars())
    return found


def _decisions_among(uow: UnitOfWork, licence_ids: set[int] | None) -> list[HumanDecision]:
    """Officers' decisions, latest per pair; restricted to pairs inside the given records."""
    rows = uow.session.execute(
        select(IdentityDecision.licence_a, IdentityDecision.licence_b, IdentityDecision.verdict)
        .order_by(IdentityDecision.id))
    latest = {}
    for a, b, verdict in rows:
        if licence_ids is None or (a in licence_ids and b in licence_ids):
            latest[(min(a, b), max(a, b))] = verdict
    return [HumanDecision(a, b, verdict) for (a, b), verdict in latest.items()]


def _assign_drivers(uow: UnitOfWork, resolution: Resolution, operators: list[int]) -> ResolutionReport:
    """Give each cluster a driver id: the id most of its records already carry, unless a larger
    part of that driver went elsewhere; otherwise a new driver."""
    session = uow.session
    clusters: dict[int, list[int]] = defaultdict(list)
    for record_id, cluster in resolution.cluster_of.items():
        clusters[cluster].append(record_id)
    for operator_licence in operators:
        clusters[-operator_licence] = [operator_licence]
    all_ids = [record_id for members in clusters.values() for record_id in members]
    current: dict[int, int | None] = {}
    for chunk in in_slices(sorted(all_ids)):
        current.update(session.execute(
            select(licence_table.c.id, licence_table.c.driver_id).where(among(session, licence_table.c.id, chunk))).all())

    # Largest claims first, so that when a driver splits, its biggest part keeps the id.
    claims = []
    for cluster, members in clusters.items():
        if len(members) == 1:  # most people: one record, one claim, no tally needed
            if (driver_id := current[members[0]]) is not None:
                claims.append((-1, driver_id, cluster))
            continue
        for driver_id, votes in Counter(current[m] for m in members if current[m] is not None).items():
            claims.append((-votes, driver_id, cluster))
    claims.sort()
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _, driver_id, cluster in claims:
        if cluster not in chosen and driver_id not in taken:
            chosen[cluster] = driver_id
            taken.add(driver_id)

    unassigned = [cluster for cluster in clusters if cluster not in chosen]
    if unassigned:
        now = utc_now()
        new_ids = session.execute(
            insert(Driver.__table__).returning(Driver.__table__.c.id, sort_by_parameter_order=True),
            [{"created_at": now} for _ in unassigned]).scalars().all()
        chosen.update(zip(unassigned, new_ids, strict=True))
    created = len(unassigned)

    moves = [{"licence_id": m, "driver_id": chosen[cluster], "needs_findings": True}
             for cluster, members in clusters.items() for m in members if current[m] != chosen[cluster]]
    if moves:
        session.execute(update(licence_table).where(licence_table.c.id == bindparam("licence_id")), moves)
    _point_emptied_drivers(uow, clusters, current, chosen, taken)
    return ResolutionReport(len(all_ids), created, len(moves))


def _point_emptied_drivers(uow: UnitOfWork, clusters: dict[int, list[int]], previous: dict[int, int | None],
                           chosen: dict[int, int], kept: set[int]) -> None:
    """A driver left with no records was merged into another: keep the id, say where most of its
    records went, so an officer following an old id is not lost."""
    destinations: dict[int, Counter] = defaultdict(Counter)
    for cluster, members in clusters.items():
        for member in members:
            old = previous[member]
            if old is not None and old not in kept:
                destinations[old][chosen[cluster]] += 1
    for chunk in in_slices(sorted(destinations)):
        still_used = set(uow.session.execute(
            select(licence_table.c.driver_id).where(among(uow.session, licence_table.c.driver_id, chunk))).scalars())
        for old in set(chunk) - still_used:
            uow.session.execute(update(Driver.__table__).where(Driver.__table__.c.id == old)
                                .values(merged_into_id=destinations[old].most_common(1)[0][0]))


def _stored_weights(uow: UnitOfWork, unchanged: set[int], model: MatchModel,
                    version: str) -> dict[tuple[int, int], float]:
    """Match weights already stored for pairs of unchanged records, brought to today's prior. A
    weight another model gave is not reused: the pair is scored again."""
    weights = {}
    for chunk in in_slices(sorted(unchanged)):
        for a, b, weight, prior in uow.session.execute(
                select(link_table.c.licence_a, link_table.c.licence_b, link_table.c.weight, link_table.c.prior_weight)
                .where(among(uow.session, link_table.c.licence_a, chunk), link_table.c.model_version == version)):
            if b in unchanged:
                weights[(a, b)] = weight - prior + model.prior_weight
    return weights


def _replace_links(uow: UnitOfWork, records: set[int], resolution: Resolution, model: MatchModel,
                   version: str) -> None:
    """Links inside the neighbourhood are rewritten; a possible pair reaching outside it stays."""
    inside = set()
    for chunk in in_slices(sorted(records)):
        for a, b in uow.session.execute(select(link_table.c.licence_a, link_table.c.licence_b).where(
                among(uow.session, link_table.c.licence_a, chunk) | among(uow.session, link_table.c.licence_b, chunk))):
            if a in records and b in records:
                inside.add((a, b))
    delete_pairs(uow.session, link_table.c.licence_a, link_table.c.licence_b, sorted(inside))
    _insert_links(uow, resolution, model, version)


def _insert_links(uow: UnitOfWork, resolution: Resolution, model: MatchModel, version: str) -> None:
    now = utc_now()
    rows = {}
    for pairs, linked in ((resolution.links, True), (resolution.possible, False)):
        for a, b, score in pairs:
            key = (min(a, b), max(a, b))
            rows.setdefault(key, {"licence_a": key[0], "licence_b": key[1], "band": score.band, "linked": linked,
                                  "weight": score.weight, "prior_weight": model.prior_weight,
                                  "probability": score.probability, "reasons": list(score.reasons),
                                  "scored_at": now, "model_version": version})
    if rows:
        uow.session.execute(insert(link_table), list(rows.values()))
