"""Licence feeds: receive (push, pull or import), apply in order, hold unsafe ones, confirm.

Receiving only stores the bytes, so an authority's system gets its answer at once; applying is the
jobs worker's business (or the CLI's). Applying one feed is one transaction: a crash part-way
leaves the register exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlmodel import col

from licensing.bootstrap import Crosscheck
from licensing.clock import london_today, utc_now
from licensing.errors import Conflict, DomainError, Forbidden, NotFound
from licensing.feeds.parse import (COLUMNS, DRIVER_LICENCE_TYPES, FeedRejected, LicenceRow, RowProblem, parse_feed,
                                   reading_key)
from licensing.feeds.sniff import CONTENT_TYPES, media_type, mismatch
from licensing.identity.dln import grade_driving_licence_number
from licensing.feeds.reconcile import CurrentLicence, ReconciliationPlan, content_hash, plan_reconciliation
from licensing.actors import Actor
from licensing.store.db import UnitOfWork, is_postgresql
from licensing.store.feed_history import feed_body_of, last_applied_licence_feed
from licensing.store.feed_mappings import feed_mapping_of
from licensing.store.slices import among, in_slices
from licensing.store.models import Authority, Feed, FeedBody, Licence, LicenceEvent

log = logging.getLogger(__name__)

SUPPORTED_CONTENT_TYPES = CONTENT_TYPES

RECEIVED = "received"
APPLIED = "applied"
NEEDS_CONFIRMATION = "needs_confirmation"
REJECTED = "rejected"
# A held feed that a later feed from the same authority replaced: feeds are full snapshots, so
# confirming the older one afterwards would roll the register back.
SUPERSEDED = "superseded"

UNREADABLE = ("Crosscheck could not read this feed because of a fault on its side; nothing has changed. "
              "The service operator has been told; send the feed again once they confirm it is fixed.")

_LICENCE_FIELDS = COLUMNS  # every feed column is stored on the licence

licence_table = Licence.__table__
_WRITE_SLICE = 5_000


class UnsupportedContentType(DomainError):
    code = "unsupported_media_type"
    http_status = 415


class EmptyFeed(DomainError):
    code = "empty_feed"


def receive_feed(
    uow: UnitOfWork, *, authority_code: str, body: bytes, content_type: str | None, source: str,
    api_key_id: int | None = None, kind: str = "licences",
) -> int:
    """Store a feed as received and return its id. Only checks what makes the bytes unusable.
    `kind` is licences (the register of licences) or decisions (licensing.services.decision_feeds)."""
    _check_bytes(body, content_type)
    session = uow.session
    authority = session.get(Authority, authority_code)
    if authority is None:
        raise NotFound(f"No licensing authority has the code {authority_code!r}")
    feed = Feed(
        authority_code=authority_code,
        source=source,
        content_type=content_type or "",
        body_sha256=hashlib.sha256(body).hexdigest(),
        body_bytes=len(body),
        api_key_id=api_key_id,
        kind=kind,
    )
    session.add(feed)
    session.flush()
    session.add(FeedBody(feed_id=feed.id, body=body))
    authority.last_feed_received_at = feed.received_at
    uow.commit()
    log.info("feed received", extra={"feed_id": feed.id, "authority": authority_code, "bytes": len(body), "source": source})
    return feed.id


def _check_bytes(body: bytes, content_type: str | None) -> None:
    """What can be told at once: a content type Crosscheck does not read, an empty body, or bytes
    that are not what their content type says (a workbook sent as CSV, JSON as CSV, a PDF)."""
    kind = media_type(content_type)
    if not body or not body.strip():
        raise EmptyFeed("The feed is empty: send the authority's full current register of licences")
    wrong = mismatch(body, kind) if kind in SUPPORTED_CONTENT_TYPES else None
    if kind not in SUPPORTED_CONTENT_TYPES or wrong:
        raise UnsupportedContentType(wrong or (
            f"Content-Type {content_type or '(none)'!r} is not accepted: send text/csv or application/json, "
            f"or an Excel workbook as {CONTENT_TYPES[2]}"))


@dataclass(frozen=True)
class FeedOutcome:
    feed_id: int
    status: str


# Called with (records written, records to write) as a feed is applied: the CLI's progress bar.
Progress = Callable[[int, int], None]


def apply_pending_feeds(app: Crosscheck, *, authority_code: str | None = None,
                        progress: Progress | None = None) -> list[FeedOutcome]:
    """Apply every received feed, oldest first, each in its own transaction."""
    outcomes = []
    while True:
        with app.unit_of_work(write=False) as uow:
            query = select(Feed.id).where(Feed.status == RECEIVED).order_by(Feed.id).limit(1)
            if authority_code:
                query = query.where(Feed.authority_code == authority_code)
            feed_id = uow.session.execute(query).scalar()
        if feed_id is None:
            return outcomes
        outcomes.append(apply_feed(app, feed_id, progress=progress))


def apply_feed(app: Crosscheck, feed_id: int, *, progress: Progress | None = None) -> FeedOutcome:
    with app.unit_of_work() as uow:
        session = uow.session
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise NotFound(f"No feed {feed_id}")
        _lock_authority(uow, feed.authority_code)
        session.refresh(feed)
        if feed.status != RECEIVED:
            return FeedOutcome(feed_id, feed.status)
        earlier = session.execute(
            select(func.min(Feed.id)).where(
                Feed.authority_code == feed.authority_code, Feed.status == RECEIVED, Feed.id < feed.id
            )
        ).scalar()
        if earlier is not None:
            # Feeds of one authority apply strictly in the order received.
            raise Conflict(f"Feed {earlier} from the same authority must be applied first")

        if feed.kind == DECISIONS:
            return _apply_decisions(app, uow, feed, feed_body_of(session, feed_id))
        mapping = feed_mapping_of(session, feed.authority_code)
        feed.read_as = reading_key(feed.content_type, mapping, london_today())
        last = last_applied_licence_feed(session, feed.authority_code)
        if last is not None and (last.body_sha256, last.read_as) == (feed.body_sha256, feed.read_as):
            return _apply_repeat(uow, feed, last)
        body = feed_body_of(session, feed_id)
        try:
            parsed = parse_feed(body, feed.content_type, mapping)
        except FeedRejected as rejected:
            feed.status = REJECTED
            feed.message = str(rejected)
            feed.problems = [_problem_json(p) for p in rejected.problems]
            uow.commit()
            log.info("feed rejected", extra={"feed_id": feed_id, "authority": feed.authority_code})
            return FeedOutcome(feed_id, REJECTED)
        except Exception as fault:
            # The same bytes would fail the same way every time, and feeds apply in order: set this
            # one aside rather than let it hold up every feed behind it. Only the kind of fault is
            # logged, since its message may quote the feed.
            feed.status = REJECTED
            feed.message = UNREADABLE
            uow.commit()
            log.error("feed could not be read", extra={"feed_id": feed_id, "authority": feed.authority_code,
                                                       "fault": type(fault).__name__})
            return FeedOutcome(feed_id, REJECTED)

        # The rows are read: the bytes need not stay in memory beside them while the plan is written.
        del body
        plan = plan_reconciliation(parsed, _current_licences(uow, feed.authority_code))
        feed.total_rows = parsed.total_rows
        feed.problems = [_problem_json(p) for p in parsed.problems]
        feed.interpreted = parsed.interpreted
        _record_counts(feed, plan)
        hold = None if feed.confirmed_at else plan.hold_reason(app.settings.feed_hold_share)
        if hold:
            feed.status = NEEDS_CONFIRMATION
            feed.message = hold
            uow.commit()
            log.warning("feed held for confirmation", extra={"feed_id": feed_id, "authority": feed.authority_code,
                                                              "would_end": plan.ended, "rejected_rows": plan.rejected_rows})
            return FeedOutcome(feed_id, NEEDS_CONFIRMATION)

        _execute_plan(app, uow, feed, plan, progress or (lambda done, total: None))
        _mark_applied(uow, feed, message=None)
    log.info("feed applied", extra={"feed_id": feed_id, "added": plan.added, "changed": plan.changed,
                                    "unchanged": plan.unchanged, "ended": plan.ended, "rejected": plan.rejected_rows})
    return FeedOutcome(feed_id, APPLIED)


def _apply_repeat(uow: UnitOfWork, feed: Feed, last: Feed) -> FeedOutcome:
    """The same bytes as the applied feed the register holds, read the same way today: a full
    snapshot applied twice changes nothing, so its outcome is that feed's, without reading it again."""
    feed.total_rows, feed.rejected = last.total_rows, last.rejected
    feed.problems, feed.interpreted = last.problems, last.interpreted
    feed.unchanged = last.added + last.changed + last.unchanged
    _mark_applied(uow, feed, message=f"The same file as feed {last.id}, read the same way: nothing has changed.")
    log.info("feed applied", extra={"feed_id": feed.id, "repeats": last.id, "unchanged": feed.unchanged})
    return FeedOutcome(feed.id, APPLIED)


def _mark_applied(uow: UnitOfWork, feed: Feed, *, message: str | None) -> None:
    uow.session.execute(
        update(Feed)
        .where(Feed.authority_code == feed.authority_code, Feed.status == NEEDS_CONFIRMATION, Feed.id < feed.id)
        .values(status=SUPERSEDED, message=f"Replaced by the later feed {feed.id} before it was confirmed")
    )
    feed.status = APPLIED
    feed.message = message
    feed.applied_at = utc_now()
    uow.commit()


# A dry run answers with this many problems; the count of all is given beside them.
DRY_RUN_PROBLEMS = 100


def dry_run_feed(uow: UnitOfWork, *, authority_code: str, body: bytes, content_type: str | None,
                 hold_share: float) -> dict:
    """Reads, maps, checks and reconciles a feed exactly as applying it would, and changes nothing:
    what the feed would do to the register, whether it would be held and why, and its problems."""
    _check_bytes(body, content_type)
    if uow.session.get(Authority, authority_code) is None:
        raise NotFound(f"No licensing authority has the code {authority_code!r}")
    try:
        parsed = parse_feed(body, media_type(content_type), feed_mapping_of(uow.session, authority_code))
    except FeedRejected as rejected:
        return {"outcome": REJECTED, "message": rejected.message, "total_rows": None,
                "counts": dict.fromkeys(("added", "changed", "unchanged", "ended", "rejected"), 0),
                "interpreted": {}, "problem_count": len(rejected.problems),
                "problems": [_problem_json(p) for p in rejected.problems[:DRY_RUN_PROBLEMS]]}
    plan = plan_reconciliation(parsed, _current_licences(uow, authority_code))
    hold = plan.hold_reason(hold_share)
    errors_first = sorted(parsed.problems, key=lambda p: p.severity != "error")
    return {
        "outcome": NEEDS_CONFIRMATION if hold else APPLIED, "message": hold, "total_rows": parsed.total_rows,
        "counts": {"added": plan.added, "changed": plan.changed, "unchanged": plan.unchanged, "ended": plan.ended,
                   "rejected": plan.rejected_rows},
        "interpreted": parsed.interpreted, "problem_count": len(parsed.problems),
        "problems": [_problem_json(p) for p in errors_first[:DRY_RUN_PROBLEMS]],
    }


DECISIONS = "decisions"


def _apply_decisions(app: Crosscheck, uow: UnitOfWork, feed: Feed, body: bytes) -> FeedOutcome:
    """A decisions feed through the same queue, rejection and hold as a licence feed."""
    from licensing.services.decision_feeds import apply_decision_feed

    try:
        status = apply_decision_feed(app, uow, feed, body)
    except Exception as fault:
        # Nothing of a feed that cannot be read whole may stick.
        uow.session.rollback()
        feed = uow.session.get(Feed, feed.id)
        status = REJECTED
        if isinstance(fault, FeedRejected):
            feed.message, feed.problems = str(fault), [_problem_json(p) for p in fault.problems]
        else:
            feed.message = UNREADABLE
            log.error("decisions feed could not be read", extra={"feed_id": feed.id, "fault": type(fault).__name__})
    feed.status = status
    if status == APPLIED:
        feed.applied_at = utc_now()
    uow.commit()
    return FeedOutcome(feed.id, status)


def confirm_feed(uow: UnitOfWork, caller: Actor, feed_id: int) -> Feed:
    """The authority confirms a held feed: it goes back in the queue and applies despite the hold."""
    feed = get_feed(uow, caller, feed_id)
    if feed.status == SUPERSEDED:
        raise Conflict("This feed was replaced by a later feed from the authority and can no longer be confirmed")
    if feed.status != NEEDS_CONFIRMATION:
        raise Conflict(f"Only a feed held for confirmation can be confirmed; this one is {feed.status}")
    feed.status = RECEIVED
    feed.confirmed_at = utc_now()
    for column, value in caller.recorded("confirmed_by").items():
        setattr(feed, column, value)
    uow.commit()
    return feed


def get_feed(uow: UnitOfWork, caller: Actor, feed_id: int) -> Feed:
    feed = uow.session.get(Feed, feed_id)
    # The same answer for 'not yours' as for 'not there': feed ids are not a way to learn about
    # other authorities.
    if feed is None or not (caller.is_operator or feed.authority_code == caller.authority_code):
        raise NotFound(f"No feed {feed_id} for this authority")
    return feed


def list_licences(uow: UnitOfWork, caller: Actor, *, page: int, page_size: int,
                  include_ended: bool = False) -> tuple[list[Licence], int]:
    if caller.authority_code is None:
        raise Forbidden("Licence lists belong to an authority: use an authority's API key")
    query = select(Licence).where(Licence.authority_code == caller.authority_code)
    if not include_ended:
        query = query.where(col(Licence.ended_at).is_(None))
    total = uow.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = uow.session.execute(
        query.order_by(Licence.licence_number).offset((page - 1) * page_size).limit(page_size)
    ).scalars().all()
    return list(rows), total


def purge_applied_feed_bodies(uow: UnitOfWork, *, older_than: datetime) -> int:
    """The verbatim bytes are only needed until a feed is settled; the outcome row stays."""
    settled = select(Feed.id).where(
        col(Feed.status).in_((APPLIED, REJECTED, SUPERSEDED)), Feed.received_at < older_than
    )
    result = uow.session.execute(delete(FeedBody).where(col(FeedBody.feed_id).in_(settled)))
    uow.commit()
    return result.rowcount


def _lock_authority(uow: UnitOfWork, authority_code: str) -> None:
    # Serialises two appliers of the same authority on PostgreSQL; SQLite's write transaction is
    # already exclusive.
    if is_postgresql(uow.engine):
        uow.session.execute(select(Authority.code).where(Authority.code == authority_code).with_for_update())


def _current_licences(uow: UnitOfWork, authority_code: str) -> list[CurrentLicence]:
    rows = uow.session.execute(
        select(licence_table.c.id, licence_table.c.licence_number, licence_table.c.content_hash,
               licence_table.c.ended_at).where(licence_table.c.authority_code == authority_code)
    )
    return [CurrentLicence(id, number, digest, ended_at is not None) for id, number, digest, ended_at in rows]


def _record_counts(feed: Feed, plan: ReconciliationPlan) -> None:
    feed.added = plan.added
    feed.changed = plan.changed
    feed.unchanged = plan.unchanged
    feed.ended = plan.ended
    feed.rejected = plan.rejected_rows


def _problem_json(problem: RowProblem) -> dict:
    return {"row": problem.row, "field": problem.field, "message": problem.message, "severity": problem.severity}


def licence_number_grade(row: LicenceRow) -> str | None:
    """How the driving licence number fits its holder (drivers only: an operator is a business)."""
    if row.licence_type not in DRIVER_LICENCE_TYPES:
        return None
    grade = grade_driving_licence_number(row.driving_licence_number, surname=row.surname,
                                         forenames=row.forenames, date_of_birth=row.date_of_birth)
    return None if grade is None else str(grade)


def _licence_values(row: LicenceRow) -> dict:
    return {name: getattr(row, name) for name in _LICENCE_FIELDS}


def _execute_plan(app: Crosscheck, uow: UnitOfWork, feed: Feed, plan: ReconciliationPlan,
                  progress: Progress) -> None:
    session = uow.session
    now = utc_now()

    def located(rows: list[LicenceRow]) -> list[dict]:
        # Homes are looked up a slice at a time: for a national-size first load, every postcode's
        # answer at once would cost more memory than the rows themselves.
        homes = app.postcodes.home_of_many({row.postcode for row in rows if row.postcode})
        located_rows = []
        for row in rows:
            home = homes.get(row.postcode) if row.postcode else None
            values = _licence_values(row)
            values["content_hash"] = content_hash(row)
            values["home_authority_code"] = home.authority_code if home else None
            values["home_district_code"] = home.district_code if home else None
            values["home_precision"] = home.precision if home else "unknown"
            values["home_share"] = home.share if home else None
            values["updated_at"] = now
            values["dln_grade"] = licence_number_grade(row)
            values["needs_resolution"] = True
            values["needs_findings"] = True
            located_rows.append(values)
        return located_rows

    to_write = plan.added + plan.changed + plan.ended
    # In slices, so that a national-size first load never holds every row's dict at once.
    written = 0
    for rows_slice in in_slices(plan.to_add, _WRITE_SLICE):
        session.execute(insert(licence_table), [
            {**values, "authority_code": feed.authority_code, "first_feed_id": feed.id,
             "last_changed_feed_id": feed.id, "created_at": now}
            for values in located(rows_slice)
        ])
        written += len(rows_slice)
        progress(written, to_write)

    reinstated = {licence_id for licence_id, _ in plan.to_reinstate}
    for updates in in_slices(plan.to_change + plan.to_reinstate, _WRITE_SLICE):
        before = _licence_snapshots(uow, [licence_id for licence_id, _ in updates])
        session.execute(
            update(licence_table).where(licence_table.c.id == bindparam("licence_id")),
            [
                {**values, "licence_id": licence_id, "last_changed_feed_id": feed.id,
                 "ended_at": None, "ended_by_feed_id": None}
                for (licence_id, _), values in zip(updates, located([row for _, row in updates]))
            ],
        )
        session.execute(
            insert(LicenceEvent.__table__),
            [
                {"licence_id": licence_id, "feed_id": feed.id, "at": now,
                 "kind": "reinstated" if licence_id in reinstated else "changed",
                 "changes": _differences(before[licence_id], _licence_values(row))}
                for licence_id, row in updates
            ],
        )
        written += len(updates)
        progress(written, to_write)

    for ended in in_slices(plan.to_end, _WRITE_SLICE):
        session.execute(
            update(licence_table).where(licence_table.c.id == bindparam("licence_id")),
            [{"licence_id": licence_id, "ended_at": now, "ended_by_feed_id": feed.id, "updated_at": now,
              "needs_findings": True}
             for licence_id in ended],
        )
        session.execute(
            insert(LicenceEvent.__table__),
            [{"licence_id": licence_id, "feed_id": feed.id, "at": now, "kind": "ended", "changes": None}
             for licence_id in ended],
        )
        written += len(ended)
        progress(written, to_write)


def _licence_snapshots(uow: UnitOfWork, licence_ids: list[int]) -> dict[int, dict]:
    columns = [licence_table.c.id] + [licence_table.c[name] for name in _LICENCE_FIELDS]
    snapshots = {}
    for chunk in in_slices(licence_ids):
        for row in uow.session.execute(select(*columns).where(among(uow.session, licence_table.c.id, chunk))):
            mapping = row._mapping
            snapshots[mapping["id"]] = {name: mapping[name] for name in _LICENCE_FIELDS}
    return snapshots


def _differences(old: dict, new: dict) -> dict:
    """Old and new value of each field that changed, as text, for the licence's history."""
    return {
        name: [None if old[name] is None else str(old[name]), None if new[name] is None else str(new[name])]
        for name in _LICENCE_FIELDS
        if old[name] != new[name]
    }
