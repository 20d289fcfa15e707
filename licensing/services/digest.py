"""The daily digest: one email per team of each authority with finding changes waiting, which
summarises rather than lists. An authority may have tens of thousands of drivers licensed
elsewhere living in its area; a line each would bury the few that matter. So the digest says how
many findings are new since the last digest and how many are open, by type (with what to do next)
and by the other authority concerned, and names only the highest-ranked few (licensing/findings/
ranking.py), each with a link to its page. Findings that cannot wait are not here: they were sent
at once (licensing/services/alerts.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select, update

from licensing.bootstrap import Crosscheck
from licensing.clock import LONDON, utc_now
from licensing.findings import FINDING_TYPES
from licensing.findings.ranking import rank_key, stake_words
from licensing.findings.wording import NEXT_STEPS, name_of, title_of
from licensing.services.alerts import (
    SHARING_NOTE, finding_page, findings_page, has_address, hold, licences_seen_by, teams_hearing,
)
from licensing.services.outbox import enqueue_email
from licensing.store.db import UnitOfWork
from licensing.store.findings import (
    ACKNOWLEDGED, CLOSED, OPEN, DigestItem, Finding, FindingAuthority, FindingHandling, in_rank_order,
)
from licensing.store.models import Authority
from licensing.store.slices import among, in_slices

# How many findings a digest names, and how many other authorities it counts one by one.
HIGHLIGHTS = 10
AUTHORITIES_LISTED = 20


@dataclass(frozen=True)
class Highlight:
    id: int
    type: str
    summary: str
    stake: int
    opened_at: datetime
    licences: list[str]  # as the receiving authority may see them


@dataclass(frozen=True)
class DigestSummary:
    authority_name: str
    since: datetime | None  # when the last digest went, if one has
    new: dict[str, Counter]  # type -> change (opened, updated, reopened) -> how many
    open_by_type: dict[str, int]
    open_by_authority: list[tuple[str, str, int]]  # (code, name, how many), most first
    open_total: int
    highlights: list[Highlight]


def compose(summary: DigestSummary, *, base: str) -> tuple[str, str]:
    """The subject and body of one digest email; a few kilobytes however many findings."""
    new_total = sum(sum(changes.values()) for changes in summary.new.values())
    since = f" ({_london(summary.since)})" if summary.since else ""
    lines = [f"Daily digest of findings for {summary.authority_name}.", "",
             f"New or changed since the last digest{since}: {new_total:,}"]
    for finding_type in _in_type_order(summary.new):
        changes = summary.new[finding_type]
        counted = ", ".join(f"{changes[change]:,} {change}" for change in ("opened", "reopened", "updated")
                            if changes[change])
        lines.append(f"- {name_of(finding_type)}: {counted}")
    lines += ["", f"Open for your authority now: {summary.open_total:,}", "", "By type, and what to do next:"]
    for finding_type in _in_type_order(summary.open_by_type):
        lines += [f"- {name_of(finding_type)}: {summary.open_by_type[finding_type]:,}",
                  f"  {NEXT_STEPS.get(finding_type, '')}",
                  f"  {findings_page(base, type=finding_type)}"]
    if summary.open_by_authority:
        lines += ["", "By the other authority concerned:"]
        for code, name, count in summary.open_by_authority[:AUTHORITIES_LISTED]:
            lines.append(f"- {name}: {count:,}  {findings_page(base, authority=code)}")
        rest = summary.open_by_authority[AUTHORITIES_LISTED:]
        if rest:
            lines.append(f"- and {len(rest):,} more authorities: {sum(count for _, _, count in rest):,}")
    highlights = sorted(summary.highlights, key=rank_key)
    if highlights:
        lines += ["", f"Most at stake ({len(highlights)} of {summary.open_total:,}):"]
        for number, highlight in enumerate(highlights, 1):
            why = "; ".join(stake_words(highlight.stake))
            lines += [f"{number}. {title_of(highlight.type)}: {highlight.summary}",
                      *([f"   Ranked high: {why}"] if why else []),
                      *[f"   {licence}" for licence in highlight.licences],
                      f"   {finding_page(base, highlight.id)}"]
    lines += ["", f"All your findings, most at stake first: {findings_page(base)}", "", SHARING_NOTE]
    subject = (f"Crosscheck daily digest: {new_total:,} new or changed, {summary.open_total:,} open "
               f"for {summary.authority_name}")
    return subject, "\n".join(lines)


def _in_type_order(counts: dict) -> list[str]:
    return [t for t in FINDING_TYPES if t in counts] + sorted(t for t in counts if t not in FINDING_TYPES)


def _london(moment: datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def summarise(uow: UnitOfWork, authority: Authority, types: set[str], waiting: list, *,
              since: datetime | None) -> DigestSummary:
    """What one team of the authority is told: `waiting` are its digest items (with each finding's
    type); the rest is every finding still open for the authority, of the types the team hears."""
    session = uow.session
    code = authority.code
    new: dict[str, Counter] = defaultdict(Counter)
    for item in waiting:
        new[item.type][item.change] += 1
    own = FindingHandling
    outstanding = (
        select(Finding.id)
        .join(FindingAuthority, and_(FindingAuthority.finding_id == Finding.id, FindingAuthority.authority_code == code,
                                     FindingAuthority.role == "for"))
        .outerjoin(own, and_(own.finding_id == Finding.id, own.authority_code == code))
        .where(Finding.status == OPEN, Finding.type.in_(sorted(types)),
               func.coalesce(own.status, OPEN).in_((OPEN, ACKNOWLEDGED))))
    ids = outstanding.subquery()
    by_type = dict(session.execute(select(Finding.type, func.count()).join(ids, ids.c.id == Finding.id)
                                   .group_by(Finding.type)).all())
    other = FindingAuthority.authority_code
    by_authority = session.execute(
        select(other, Authority.name, func.count()).join(ids, ids.c.id == FindingAuthority.finding_id)
        .join(Authority, Authority.code == other).where(other != code)
        .group_by(other, Authority.name).order_by(func.count().desc(), Authority.name)).all()
    top = session.execute(in_rank_order(select(Finding).where(Finding.id.in_(select(ids.c.id))))
                          .limit(HIGHLIGHTS)).scalars().all()
    seen = licences_seen_by(uow, top, code)
    return DigestSummary(
        authority_name=authority.name, since=since, new=dict(new), open_by_type=by_type,
        open_by_authority=[(c, name, count) for c, name, count in by_authority], open_total=sum(by_type.values()),
        highlights=[Highlight(f.id, f.type, f.summary, f.stake, f.opened_at, seen[f.id]) for f in top])


def send_digests(app: Crosscheck, *, now: datetime | None = None) -> int:
    """One email per team of each authority with digest items waiting; returns emails queued."""
    now = now or utc_now()
    base = app.settings.public_base_url
    queued = 0
    with app.unit_of_work() as uow:
        session = uow.session
        waiting_by_authority: dict[str, list] = defaultdict(list)
        for item in session.execute(
                select(DigestItem.id, DigestItem.authority_code, DigestItem.finding_id, DigestItem.change,
                       Finding.type, Finding.status).join(Finding, Finding.id == DigestItem.finding_id)
                .where(DigestItem.digested_at.is_(None)).order_by(DigestItem.authority_code, DigestItem.id)):
            waiting_by_authority[item.authority_code].append(item)
        for code, waiting in waiting_by_authority.items():
            authority = session.get(Authority, code)
            # Resolved before the digest went out: nothing to do.
            still_open = [item for item in waiting if item.status != CLOSED]
            if not has_address(authority):
                held = _findings(uow, {item.finding_id for item in still_open})
                hold(uow, code, [(held[item.finding_id], item.change) for item in still_open])
            else:
                since = session.execute(select(func.max(DigestItem.digested_at))
                                        .where(DigestItem.authority_code == code)).scalar_one()
                for (team, address), types in _types_by_team(authority).items():
                    heard = [item for item in still_open if item.type in types]
                    if not heard:
                        continue
                    subject, body = compose(summarise(uow, authority, types, heard, since=since), base=base)
                    enqueue_email(session, dedupe_key=f"digest:{code}:{team}:{waiting[0].id}-{waiting[-1].id}",
                                  to=address, kind="digest", authority_code=code, subject=subject, body=body)
                    queued += 1
            for chunk in in_slices([item.id for item in waiting]):
                session.execute(update(DigestItem).where(among(session, DigestItem.id, chunk)).values(digested_at=now))
        uow.commit()
    return queued


def _types_by_team(authority: Authority) -> dict[tuple[str, str], set[str]]:
    teams: dict[tuple[str, str], set[str]] = defaultdict(set)
    for finding_type in FINDING_TYPES:
        for team in teams_hearing(authority, finding_type):
            teams[team].add(finding_type)
    return teams


def _findings(uow: UnitOfWork, ids: set[int]) -> dict[int, Finding]:
    found = {}
    for chunk in in_slices(sorted(ids)):
        found.update({f.id: f for f in uow.session.execute(select(Finding).where(among(uow.session, Finding.id, chunk))).scalars()})
    return found
