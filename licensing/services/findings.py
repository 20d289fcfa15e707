"""Findings against the register: raised once per underlying fact, updated when the fact changes,
closed by themselves when it no longer holds; and the alerts they cause, written to the outbox in
the same transaction.

Incremental: licences flagged needs_findings (changed by a feed, or moved between drivers by
resolution) are re-evaluated with everything a rule may need around them. Full: the nightly job
re-evaluates every licence, which also catches facts that change with time (expiry, retention).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from sqlalchemy import and_, case, delete, func, insert, select, update

from licensing import disclosure
from licensing.actors import Actor
from licensing.bootstrap import Crosscheck
from licensing.clock import london_today, utc_now
from licensing.errors import Conflict, DomainError, Forbidden, NotFound
from licensing.findings import FindingFact, LicenceFact, evaluate_findings
from licensing.findings.ranking import circumstances_from_rules, stake_of
from licensing.services.alerts import AlertBatch
from licensing.services.identity import FULL_RUN_SHARE
from licensing.services.search import viewable_drivers
from licensing.services.statutory_findings import rules_for_scope
from licensing.store.db import UnitOfWork
from licensing.store.slices import among, in_slices
from licensing.store.findings import (
    ACKNOWLEDGED, ACTIONED, CLOSED, DISMISSED, OPEN, Finding, FindingAuthority, FindingEvent, FindingHandling,
    FindingLicence, in_rank_order,
)
from licensing.store.models import Authority, Licence

log = logging.getLogger(__name__)

licence_table = Licence.__table__
# What an authority may do with its own handling of a finding, and from which of its statuses.
ACTIONS = {"acknowledge": ACKNOWLEDGED, "action": ACTIONED, "dismiss": DISMISSED}
TRANSITIONS = {
    ACKNOWLEDGED: (OPEN,),
    ACTIONED: (OPEN, ACKNOWLEDGED),
    DISMISSED: (OPEN, ACKNOWLEDGED),
}


@dataclass(frozen=True)
class Cause:
    """What made a refresh change findings when it was not a feed: an identity decision. Its
    events name who decided, when and why, in every affected authority's history."""

    actor: Actor
    identity_decision_id: int
    reason: str


@dataclass(frozen=True)
class FindingsReport:
    evaluated_licences: int
    opened: int
    updated: int
    closed: int
    reopened: int



def refresh_pending_findings(app: Crosscheck, *, cause: Cause | None = None) -> FindingsReport:
    """Re-evaluate what the flagged licences may affect; one transaction."""
    with app.unit_of_work() as uow:
        flagged = list(uow.session.execute(
            select(licence_table.c.id).where(licence_table.c.needs_findings.is_(True))).scalars())
        if not flagged:
            return FindingsReport(0, 0, 0, 0, 0)
        everyone = uow.session.execute(select(func.count()).select_from(licence_table)).scalar_one()
    if len(flagged) > FULL_RUN_SHARE * everyone:
        # A first load or a huge change: one pass over everything beats widening scopes.
        return refresh_all_findings(app, cause=cause)
    with app.unit_of_work() as uow:
        scope = _scope_around(uow, flagged)
        report = _reconcile(uow, _licence_facts(uow, scope), scope_licences=scope, cause=cause)
        for chunk in in_slices(flagged):
            uow.session.execute(update(licence_table).where(among(uow.session, licence_table.c.id, chunk)).values(needs_findings=False))
        uow.commit()
    return report


def refresh_all_findings(app: Crosscheck, *, cause: Cause | None = None) -> FindingsReport:
    """The nightly run over the whole register."""
    with app.unit_of_work() as uow:
        facts = _licence_facts(uow, None)
        report = _reconcile(uow, facts, scope_licences=None, cause=cause)
        uow.session.execute(update(licence_table).where(licence_table.c.needs_findings.is_(True))
                            .values(needs_findings=False))
        uow.commit()
    log.info("findings refreshed", extra=vars(report))
    return report


def _scope_around(uow: UnitOfWork, seeds: list[int]) -> set[int]:
    """Every licence a rule may need to judge the seeds: the licences of findings already resting
    on them, every record of the drivers involved, and every record sharing a licence number."""
    session = uow.session
    scope = set(seeds)
    for chunk in in_slices(sorted(seeds)):
        findings = select(FindingLicence.finding_id).where(among(session, FindingLicence.licence_id, chunk))
        scope.update(session.execute(select(FindingLicence.licence_id).where(FindingLicence.finding_id.in_(findings))).scalars())
    frontier = set(scope)
    while frontier:
        drivers, numbers = set(), set()
        for chunk in in_slices(sorted(frontier)):
            for driver_id, number in session.execute(
                    select(licence_table.c.driver_id, licence_table.c.driving_licence_number)
                    .where(among(session, licence_table.c.id, chunk))):
                if driver_id is not None:
                    drivers.add(driver_id)
                if number:
                    numbers.add(number)
        found = set()
        for chunk in in_slices(sorted(drivers)):
            found.update(session.execute(select(licence_table.c.id).where(among(session, licence_table.c.driver_id, chunk))).scalars())
        for chunk in in_slices(sorted(numbers)):
            found.update(session.execute(select(licence_table.c.id)
                                         .where(among(session, licence_table.c.driving_licence_number, chunk))).scalars())
        frontier = found - scope
        scope |= frontier
    return scope


_FACT_COLUMNS = (
    licence_table.c.id, licence_table.c.driver_id, licence_table.c.authority_code, licence_table.c.licence_number,
    licence_table.c.licence_type, licence_table.c.status, licence_table.c.ended_at, licence_table.c.issued_on,
    licence_table.c.expires_on, licence_table.c.surname, licence_table.c.forenames, licence_table.c.date_of_birth,
    licence_table.c.driving_licence_number, licence_table.c.dln_grade, licence_table.c.home_authority_code,
    licence_table.c.home_precision, licence_table.c.home_share,
)


def _licence_facts(uow: UnitOfWork, licence_ids: set[int] | None) -> list[LicenceFact]:
    names = dict(uow.session.execute(select(Authority.code, Authority.name)).all())
    if licence_ids is None:
        rows = uow.session.execute(select(*_FACT_COLUMNS)).all()
    else:
        rows = []
        for chunk in in_slices(sorted(licence_ids)):
            rows += uow.session.execute(select(*_FACT_COLUMNS).where(among(uow.session, licence_table.c.id, chunk))).all()
    return [
        LicenceFact(
            licence_id=r.id, driver_id=r.driver_id, authority_code=r.authority_code,
            authority_name=names.get(r.authority_code, r.authority_code), licence_number=r.licence_number,
            licence_type=r.licence_type, status=r.status, in_register=r.ended_at is None, issued_on=r.issued_on,
            expires_on=r.expires_on, surname=r.surname, forenames=r.forenames, date_of_birth=r.date_of_birth,
            driving_licence_number=r.driving_licence_number, dln_grade=r.dln_grade,
            home_authority_code=r.home_authority_code, home_authority_name=names.get(r.home_authority_code),
            home_precision=r.home_precision, home_share=r.home_share, status_since=None,
        )
        for r in rows
    ]


def _reconcile(uow: UnitOfWork, licences: list[LicenceFact], *, scope_licences: set[int] | None,
               cause: Cause | None = None) -> FindingsReport:
    session = uow.session
    today = london_today()
    rules = rules_for_scope(uow, licences)
    facts = {fact.fact_key: fact for fact in evaluate_findings(licences, today=today, rules=rules)}
    # The scope holds whole people, so what is at stake for each is known here (ranking.py).
    people = circumstances_from_rules(licences, rules, today=today)
    stakes = {key: stake_of(fact, people) for key, fact in facts.items()}

    # The findings this evaluation speaks for: all of them, or those resting on licences in scope.
    if scope_licences is None:
        existing = session.execute(select(Finding)).scalars().all()
    else:
        ids = set()
        for chunk in in_slices(sorted(scope_licences)):
            ids.update(session.execute(select(FindingLicence.finding_id)
                                       .where(among(session, FindingLicence.licence_id, chunk))).scalars())
        keyed = [key for key in facts]
        existing = []
        for chunk in in_slices(sorted(ids)):
            existing += session.execute(select(Finding).where(among(session, Finding.id, chunk))).scalars().all()
        known = {finding.fact_key for finding in existing}
        for chunk in in_slices([key for key in keyed if key not in known]):
            existing += session.execute(select(Finding).where(among(session, Finding.fact_key, chunk))).scalars().all()
    by_key = {finding.fact_key: finding for finding in existing}

    now = utc_now()
    alerts = AlertBatch(uow)
    updated = closed = reopened = 0
    new_facts = []
    for key, fact in sorted(facts.items()):
        finding = by_key.get(key)
        if finding is None:
            new_facts.append(fact)
            continue
        if finding.stake != stakes[key]:
            finding.stake = stakes[key]  # a ranking, not something an officer is told of
        if finding.status == CLOSED:
            _apply_fact(uow, finding, fact, now)
            finding.status, finding.closed_at = OPEN, None
            # The fact holds again: every authority looks at it afresh.
            uow.session.execute(delete(FindingHandling).where(FindingHandling.finding_id == finding.id))
            _event(uow, finding, "reopened", cause=cause)
            alerts.finding_changed(finding, fact, change="reopened")
            reopened += 1
        elif finding.fingerprint != fact.fingerprint():
            _apply_fact(uow, finding, fact, now)
            _event(uow, finding, "updated", cause=cause)
            alerts.finding_changed(finding, fact, change="updated")
            updated += 1
    for key, finding in by_key.items():
        if key not in facts and finding.status != CLOSED:
            finding.status, finding.closed_at, finding.updated_at = CLOSED, now, now
            _event(uow, finding, "closed", cause=cause, reason="The fact no longer holds")
            closed += 1
    for finding, fact in _open_findings(uow, new_facts, stakes, now, cause):
        alerts.finding_changed(finding, fact, change="opened")
    alerts.enqueue()
    return FindingsReport(len(licences), len(new_facts), updated, closed, reopened)


def _open_findings(uow: UnitOfWork, facts: list[FindingFact], stakes: dict[str, int], now,
                   cause: Cause | None) -> list[tuple[Finding, FindingFact]]:
    """New findings in a few statements, however many a first load raises."""
    if not facts:
        return []
    rows = [{"type": fact.type, "fact_key": fact.fact_key, "status": OPEN, "severity": fact.severity,
             "summary": fact.summary, "evidence": list(fact.evidence), "licence_ids": list(fact.licence_ids),
             "driver_ids": list(fact.driver_ids), "fingerprint": fact.fingerprint(), "stake": stakes[fact.fact_key], "opened_at": now,
             "updated_at": now} for fact in facts]
    table = Finding.__table__
    ids = uow.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars().all()
    opened = [(Finding(id=finding_id, **row), fact) for finding_id, row, fact in zip(ids, rows, facts, strict=True)]
    licence_rows, authority_rows = [], []
    for finding, fact in opened:
        licence_rows += _licence_rows(finding.id, fact)
        authority_rows += _authority_rows(finding.id, fact)
    uow.session.execute(insert(FindingLicence), licence_rows)
    uow.session.execute(insert(FindingAuthority), authority_rows)
    uow.session.execute(insert(FindingEvent), [{"finding_id": finding.id, "kind": "opened", "at": now,
                                                **_event_cause(cause)} for finding, _ in opened])
    return opened


def _apply_fact(uow: UnitOfWork, finding: Finding, fact: FindingFact, now) -> None:
    finding.summary, finding.evidence = fact.summary, list(fact.evidence)
    finding.licence_ids, finding.driver_ids = list(fact.licence_ids), list(fact.driver_ids)
    finding.fingerprint, finding.severity, finding.updated_at = fact.fingerprint(), fact.severity, now
    uow.session.execute(delete(FindingLicence).where(FindingLicence.finding_id == finding.id))
    uow.session.execute(delete(FindingAuthority).where(FindingAuthority.finding_id == finding.id))
    _write_links(uow, finding, fact)


def _write_links(uow: UnitOfWork, finding: Finding, fact: FindingFact) -> None:
    uow.session.execute(insert(FindingLicence), _licence_rows(finding.id, fact))
    uow.session.execute(insert(FindingAuthority), _authority_rows(finding.id, fact))


def _licence_rows(finding_id: int, fact: FindingFact) -> list[dict]:
    return [{"finding_id": finding_id, "licence_id": licence_id} for licence_id in fact.licence_ids]


def _authority_rows(finding_id: int, fact: FindingFact) -> list[dict]:
    roles = {code: "visible" for code in fact.visible_to} | {code: "for" for code in fact.for_authorities}
    return [{"finding_id": finding_id, "authority_code": code, "role": role} for code, role in sorted(roles.items())]


def _event_cause(cause: Cause | None, reason: str | None = None) -> dict:
    if cause is None:
        return {**Actor.service().recorded("actor"), "reason": reason}
    return {**cause.actor.recorded("actor"), "identity_decision_id": cause.identity_decision_id,
            "reason": cause.reason}


def _event(uow: UnitOfWork, finding: Finding, kind: str, *, cause: Cause | None = None,
           reason: str | None = None) -> None:
    uow.session.add(FindingEvent(finding_id=finding.id, kind=kind, **_event_cause(cause, reason)))


# The officers' side ------------------------------------------------------------------------------
# Each authority a finding concerns sees it with its own handling status, and the others' only as
# licensing/disclosure.py allows. A finding another authority is not concerned with answers as one
# that does not exist.

@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    at: datetime
    by: str  # officer | api_key | service
    authority_code: str | None  # whose officer or system acted; None for the service itself
    reason: str | None
    identity_decision_id: int | None


@dataclass(frozen=True)
class FindingView:
    """A finding as one caller sees it."""

    id: int
    type: str
    state: str  # open | closed: whether the fact still holds
    status: str  # the caller's own: open | acknowledged | actioned | dismissed, or closed
    severity: str
    summary: str
    evidence: list[str]
    licence_ids: list[int]
    driver_ids: list[int]
    stake: int
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    handling: disclosure.HandlingSummary | None
    licences: list[disclosure.LicenceSummary]
    for_authorities: list[str] = field(default_factory=list)
    visible_to: list[str] = field(default_factory=list)
    others_handling: list[disclosure.HandlingSummary] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)


def _concerning(caller: Actor):
    return select(FindingAuthority.finding_id).where(FindingAuthority.authority_code == caller.authority_code)


def _own_status(caller: Actor):
    """The caller's status of each finding, as a column: closed, else its own handling or open."""
    if caller.authority_code is None:
        return Finding.status
    return case((Finding.status == CLOSED, CLOSED), else_=func.coalesce(FindingHandling.status, OPEN))


def _with_own_handling(query, caller: Actor):
    if caller.authority_code is None:
        return query
    return query.outerjoin(FindingHandling, and_(FindingHandling.finding_id == Finding.id,
                                                 FindingHandling.authority_code == caller.authority_code))


def _filtered(caller: Actor, *, types: Iterable[str] = (), statuses: Iterable[str] = (),
              opened_since: datetime | None = None, other_authority: str | None = None, leave_out: Iterable[str] = ()):
    query = _with_own_handling(select(Finding), caller)
    if opened_since is not None:
        query = query.where(Finding.opened_at >= opened_since)
    if not caller.is_operator:
        query = query.where(Finding.id.in_(_concerning(caller)))
    if types:
        query = query.where(Finding.type.in_(list(types)))
    if leave_out:
        query = query.where(Finding.type.not_in(list(leave_out)))
    if statuses:
        query = query.where(_own_status(caller).in_(list(statuses)))
    if other_authority is not None:
        query = query.where(Finding.id.in_(select(FindingAuthority.finding_id)
                                           .where(FindingAuthority.authority_code == other_authority)))
    return query


def list_findings(uow: UnitOfWork, caller: Actor, *, types: Iterable[str] = (), statuses: Iterable[str] = (),
                  page: int, page_size: int, opened_since: datetime | None = None, other_authority: str | None = None,
                  leave_out: Iterable[str] = (), ranked: bool = False) -> tuple[list[FindingView], int]:
    """The caller's findings; `statuses` filters on the caller's own status, `other_authority` keeps
    those that also concern that authority, `leave_out` drops types shown another way. Most
    recently changed first, or `ranked` by what is at stake (licensing/findings/ranking.py)."""
    query = _filtered(caller, types=types, statuses=statuses, opened_since=opened_since,
                      other_authority=other_authority, leave_out=leave_out)
    total = uow.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    ordered = in_rank_order(query) if ranked else query.order_by(Finding.updated_at.desc(), Finding.id.desc())
    rows = uow.session.execute(ordered.offset((page - 1) * page_size).limit(page_size)).scalars().all()
    return _views(uow, caller, list(rows)), total


@dataclass(frozen=True)
class AuthorityGroup:
    """The caller's findings of one type shared with one other authority: one row however many."""

    authority_code: str
    authority_name: str
    count: int
    stake: int  # the highest stake among them


def findings_by_other_authority(uow: UnitOfWork, caller: Actor, finding_type: str, *, statuses: Iterable[str] = (),
                                opened_since: datetime | None = None) -> list[AuthorityGroup]:
    """The caller's findings of a type counted per other authority they concern (for out of area:
    the licensing authority, seen from where the drivers live, and the reverse); highest stake,
    then most findings, first. An authority's own code is never a group."""
    if caller.authority_code is None:
        return []
    found = _filtered(caller, types=[finding_type], statuses=statuses, opened_since=opened_since).subquery()
    other = FindingAuthority.authority_code
    rows = uow.session.execute(
        select(other, Authority.name, func.count(), func.max(found.c.stake))
        .join(found, found.c.id == FindingAuthority.finding_id)
        .join(Authority, Authority.code == other)
        .where(other != caller.authority_code)
        .group_by(other, Authority.name)).all()
    groups = [AuthorityGroup(code, name, count, stake or 0) for code, name, count, stake in rows]
    return sorted(groups, key=lambda group: (-group.stake, -group.count, group.authority_name))


def get_finding(uow: UnitOfWork, caller: Actor, finding_id: int) -> FindingView:
    return _views(uow, caller, [_finding_for(uow, caller, finding_id)], detail=True)[0]


def _finding_for(uow: UnitOfWork, caller: Actor, finding_id: int) -> Finding:
    finding = uow.session.get(Finding, finding_id)
    if finding is None or not (caller.is_operator or uow.session.execute(
            _concerning(caller).where(FindingAuthority.finding_id == finding_id)).first()):
        raise NotFound(f"No finding {finding_id} for this authority")
    return finding


def handle_finding(uow: UnitOfWork, actor: Actor, finding_id: int, action: str, reason: str | None) -> FindingView:
    """The one entry point for an authority's handling of a finding (API and officers' pages):
    `action` is acknowledge, action or dismiss. It changes the actor's own authority's handling
    only, and commits."""
    if action not in ACTIONS:
        raise DomainError(f"action must be one of {', '.join(ACTIONS)}")
    finding = _finding_for(uow, actor, finding_id)
    if actor.authority_code is None:
        raise Forbidden("Only an authority's officers handle findings")
    new_status = ACTIONS[action]
    reason = (reason or "").strip() or None
    if new_status in (ACTIONED, DISMISSED) and not reason:
        raise DomainError(f"Say what was done or why: marking a finding {new_status} needs a reason")
    if finding.status == CLOSED:
        raise Conflict("This finding is closed: what it found no longer holds, so there is nothing to handle")
    handling = uow.session.get(FindingHandling, (finding.id, actor.authority_code))
    current = handling.status if handling else OPEN
    if current not in TRANSITIONS[new_status]:
        raise Conflict(f"A finding your authority has marked {current} cannot be marked {new_status}")
    now = utc_now()
    if handling is None:
        handling = FindingHandling(finding_id=finding.id, authority_code=actor.authority_code,
                                   changed_by_kind=actor.kind.value)
        uow.session.add(handling)
    handling.status, handling.changed_at, handling.reason = new_status, now, reason
    for column, value in actor.recorded("changed_by").items():
        setattr(handling, column, value)
    uow.session.add(FindingEvent(finding_id=finding.id, kind=new_status, at=now, reason=reason,
                                 **actor.recorded("actor")))
    uow.commit()
    return get_finding(uow, actor, finding_id)


def _views(uow: UnitOfWork, caller: Actor, findings: list[Finding], *, detail: bool = False) -> list[FindingView]:
    if not findings:
        return []
    handlings: dict[int, list[FindingHandling]] = defaultdict(list)
    for chunk in in_slices([finding.id for finding in findings]):
        for row in uow.session.execute(select(FindingHandling).where(among(uow.session, FindingHandling.finding_id, chunk))).scalars():
            handlings[row.finding_id].append(row)
    licences = _licence_summaries(uow, caller, {i for finding in findings for i in finding.licence_ids})
    # A finding may rest on another authority's records of a different person (one driving licence
    # number on two people): their driver ids are shown only to those who may open them.
    drivers = viewable_drivers(uow, caller, {d for finding in findings for d in finding.driver_ids})
    views = []
    for finding in findings:
        own = next((h for h in handlings[finding.id] if h.authority_code == caller.authority_code), None)
        own_status = own.status if own else OPEN
        extra = _detail(uow, caller, finding, handlings[finding.id]) if detail else {}
        views.append(FindingView(
            id=finding.id, type=finding.type, state=finding.status,
            status=CLOSED if finding.status == CLOSED or caller.authority_code is None else own_status,
            severity=finding.severity, summary=finding.summary, evidence=list(finding.evidence),
            licence_ids=list(finding.licence_ids), driver_ids=[d for d in finding.driver_ids if d in drivers],
            stake=finding.stake, opened_at=finding.opened_at, updated_at=finding.updated_at, closed_at=finding.closed_at,
            handling=None if caller.authority_code is None else disclosure.handling(
                authority_code=caller.authority_code, status=own_status, changed_at=own.changed_at if own else None,
                reason=own.reason if own else None, changed_by_kind=own.changed_by_kind if own else None,
                viewer=caller.authority_code),
            licences=[licences[i] for i in finding.licence_ids if i in licences], **extra))
    return views


def _licence_summaries(uow: UnitOfWork, caller: Actor, licence_ids: set[int]) -> dict[int, disclosure.LicenceSummary]:
    found = {}
    for chunk in in_slices(sorted(licence_ids)):
        for licence, name, ask in uow.session.execute(
                select(Licence, Authority.name, Authority.licensing_email)
                .join(Authority, Authority.code == Licence.authority_code).where(among(uow.session, Licence.id, chunk))):
            found[licence.id] = disclosure.summarise(licence, authority_name=name, ask=ask,
                                                     viewer=caller.authority_code)
    return found


def _detail(uow: UnitOfWork, caller: Actor, finding: Finding, handlings: list[FindingHandling]) -> dict:
    roles: dict[str, list[str]] = defaultdict(list)
    for code, role in uow.session.execute(select(FindingAuthority.authority_code, FindingAuthority.role)
                                          .where(FindingAuthority.finding_id == finding.id)):
        roles[role].append(code)
    concerned = set(roles.get("for", [])) | set(roles.get("visible", []))
    by_code = {h.authority_code: h for h in handlings}
    others = [disclosure.handling(authority_code=code, status=by_code[code].status if code in by_code else OPEN,
                                  changed_at=None, reason=None, changed_by_kind=None, viewer=caller.authority_code)
              for code in sorted(concerned) if code != caller.authority_code]
    events = uow.session.execute(select(FindingEvent).where(FindingEvent.finding_id == finding.id)
                                 .order_by(FindingEvent.id)).scalars().all()
    return {"for_authorities": sorted(roles.get("for", [])), "visible_to": sorted(concerned),
            "others_handling": others, "history": [_history_entry(event, caller) for event in events]}


def _history_entry(event: FindingEvent, caller: Actor) -> HistoryEntry:
    """The register's own events and identity decisions say why; another authority's handling
    says only what it did (its reasons are its own working notes)."""
    others_handling = (event.identity_decision_id is None and event.actor_authority_code is not None
                       and not disclosure.sees_in_full(caller.authority_code, event.actor_authority_code))
    return HistoryEntry(kind=event.kind, at=event.at, by=event.actor_kind, authority_code=event.actor_authority_code,
                        reason=None if others_handling else event.reason,
                        identity_decision_id=event.identity_decision_id)
