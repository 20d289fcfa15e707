"""Estimating the match model from the live register, and adopting it.

Estimation reads every driver record, estimates m, u, the prior and the name frequencies without
labels (licensing.identity.estimate: EM over blocked pairs), resolves the register with the new
model in memory, and stores the model as a new version with its diagnostics and what it would
change against the model in use. Nothing about the register changes until an operator adopts a
version; the nightly job may estimate, never adopt. Officers' decisions bind every model.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from math import comb
from typing import Mapping

from sqlalchemy import func, select

from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.errors import DomainError, NotFound
from licensing.identity.estimate import estimate_with_diagnostics
from licensing.identity.resolve import resolve
from licensing.identity.review import keeping_review_band, review_band_from_env
from licensing.services.identity import (
    DRIVER_TYPES, RECORD_COLUMNS, _decisions_among, identity_record, licence_table, link_table, model_in_use,
    resolve_everyone,
)
from licensing.store.identity_models import IdentityModel, adopted_model


RANDOM_PAIRS = 300_000


@dataclass(frozen=True)
class EstimatedVersion:
    version: int
    records: int
    compared_with: str
    changes: Mapping[str, int]
    diagnostics: Mapping[str, object]


def estimate_from_register(app: Crosscheck, *, by: str, seed: int = 0) -> EstimatedVersion:
    with app.unit_of_work(write=False) as uow:
        session = uow.session
        population = session.execute(select(func.count()).select_from(licence_table)).scalar_one()
        rows = session.execute(select(*RECORD_COLUMNS, licence_table.c.licence_type, licence_table.c.driver_id))
        records, driver_of = [], {}
        for row in rows:
            if row.licence_type in DRIVER_TYPES:
                records.append(identity_record(row))
                driver_of[row.id] = row.driver_id
        if len(records) < 2:
            raise DomainError("The register holds too few driver records to estimate a model from")
        current_version, _ = model_in_use(uow)
        in_review = set(session.execute(select(link_table.c.licence_a, link_table.c.licence_b)
                                        .where(link_table.c.linked.is_(False))).all())
        decisions = _decisions_among(uow, None)

    # 300,000 random pairs measure u to a few in a million, as a national register needs; a small
    # register has far fewer distinct pairs to learn from, and sampling more only repeats them.
    random_pairs = min(RANDOM_PAIRS, 20 * len(records))
    estimate = estimate_with_diagnostics(records, seed=seed, population=max(population, 2), random_pairs=random_pairs)
    # Compared as the register would run it: the review band's pairs kept, as resolution keeps them.
    resolution = resolve(records, keeping_review_band(estimate.model, review_band_from_env(app.settings.env)), decisions)
    added, removed = _pairs_joined_and_parted(resolution.cluster_of, driver_of)
    review = {(a, b) for a, b, _ in resolution.possible}
    changes = {"links_added": added, "links_removed": removed, "sent_to_review": len(review - in_review),
               "in_review": len(review)}

    with app.unit_of_work() as uow:
        row = IdentityModel(estimated_by=by, records=len(records), parameters=estimate.model.to_json(),
                            diagnostics=estimate.diagnostics, changes=changes, compared_with=current_version)
        uow.session.add(row)
        uow.session.flush()
        version = row.id
        uow.commit()
    return EstimatedVersion(version, len(records), current_version, changes, estimate.diagnostics)


def _pairs_joined_and_parted(cluster_of: Mapping[int, int], driver_of: Mapping[int, int | None]) -> tuple[int, int]:
    """Pairs of records the new clusters put together that are different drivers today, and pairs
    that are one driver today that the new clusters put apart."""
    joined = parted = 0
    by_cluster: dict[int, list[int]] = defaultdict(list)
    by_driver: dict[int, list[int]] = defaultdict(list)
    for record_id, cluster in cluster_of.items():
        by_cluster[cluster].append(record_id)
        driver = driver_of.get(record_id)
        by_driver[driver if driver is not None else -record_id].append(record_id)
    for members in by_cluster.values():
        together = Counter(driver_of.get(m) if driver_of.get(m) is not None else -m for m in members)
        joined += comb(len(members), 2) - sum(comb(k, 2) for k in together.values())
    for members in by_driver.values():
        together = Counter(cluster_of[m] for m in members)
        parted += comb(len(members), 2) - sum(comb(k, 2) for k in together.values())
    return joined, parted


def adopt_model(app: Crosscheck, version: int, *, by: str):
    """Put a version in use and re-resolve the whole register with it (officers' decisions still
    come first). Returns the resolution report."""
    with app.unit_of_work() as uow:
        row = uow.session.get(IdentityModel, version)
        if row is None:
            raise NotFound(f"No identity model version {version}: `crosscheck identity models` lists them")
        current = adopted_model(uow.session)
        if current is not None and current.id == version:
            raise DomainError(f"Model version {version} is already in use")
        now = utc_now()
        if current is not None:
            current.retired_at = now
        row.adopted_at, row.adopted_by, row.retired_at = now, by, None
        uow.commit()
    return resolve_everyone(app)


def model_versions(app: Crosscheck) -> list[dict]:
    from licensing.store.identity_models import models_newest_first

    with app.unit_of_work(write=False) as uow:
        in_use = adopted_model(uow.session)
        return [{"version": m.id, "estimated_at": m.estimated_at.isoformat(), "estimated_by": m.estimated_by,
                 "records": m.records, "in_use": in_use is not None and in_use.id == m.id,
                 "adopted_at": m.adopted_at.isoformat() if m.adopted_at else None,
                 "compared_with": m.compared_with, "changes": m.changes}
                for m in models_newest_first(uow.session)]
