"""Alert emails about findings: at once for what cannot wait, otherwise in a daily digest per
authority. Written to the outbox in the same transaction as the finding change that causes them,
so an alert exists exactly when its finding does. An authority with no team email address set
(every authority that joins, until its admin sets one) has its alerts held, never dropped: they are
sent as soon as an address is set. The daily digest is licensing/services/digest.py.

An email says what was found and links to the finding. Each licence in it is named as the
receiving authority may see it (licensing/disclosure.py): its own in full, another authority's by
authority, type, status and whom to ask; never any reasons."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime
from typing import Iterable

from sqlalchemy import insert, select

from licensing import disclosure
from licensing.clock import utc_now
from licensing.findings import FindingFact
from licensing.findings.wording import title_of
from licensing.services.outbox import enqueue_email
from licensing.store.db import UnitOfWork
from licensing.store.slices import among, in_slices
from licensing.store.findings import CLOSED, DigestItem, Finding
from licensing.store.held_alerts import HeldAlert
from licensing.store.models import Authority, Licence

# Which of an authority's teams hears of each type: enforcement always; licensing where the
# licensing decision itself may need revisiting.
LICENSING_TEAM_TYPES = ("adverse_elsewhere", "identity_conflict", "multiple_licences", "concern_shared")


def finding_page(base: str, finding_id: int) -> str:
    """The finding's page for officers (api/pages/findings.py serves it; sign-in comes first)."""
    return f"{base}/findings/{finding_id}"


def findings_page(base: str, **filters: str) -> str:
    """The findings list with filters (types and authority codes only: never personal data)."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return f"{base}/findings" + (f"?{query}" if query else "")


def has_address(authority: Authority) -> bool:
    return bool(authority.enforcement_email or authority.licensing_email)


def teams_hearing(authority: Authority, finding_type: str) -> list[tuple[str, str]]:
    teams = [("enforcement", authority.enforcement_email)]
    if finding_type in LICENSING_TEAM_TYPES:
        teams.append(("licensing", authority.licensing_email))
    if not any(address for _, address in teams):
        # The team that should hear has no address: the authority's other team is better than nobody.
        teams = [("enforcement", authority.enforcement_email), ("licensing", authority.licensing_email)]
    # Both teams may share one mailbox: one email is enough.
    seen, unique = set(), []
    for team, address in teams:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append((team, address))
    return unique


def licences_seen_by(uow: UnitOfWork, findings: Iterable[Finding], viewer: str) -> dict[int, list[str]]:
    """The licences each finding concerns, as the receiving authority may see them. One query per
    slice of licences, however many findings."""
    findings = list(findings)
    licence_ids = sorted({licence_id for finding in findings for licence_id in finding.licence_ids})
    described = {}
    for ids in in_slices(licence_ids):
        for licence, authority, ask in uow.session.execute(
                select(Licence, Authority.name, Authority.licensing_email)
                .join(Authority, Authority.code == Licence.authority_code).where(among(uow.session, Licence.id, ids))):
            described[licence.id] = disclosure.describe(
                disclosure.summarise(licence, authority_name=authority, ask=ask, viewer=viewer))
    return {finding.id: [described[i] for i in sorted(finding.licence_ids) if i in described] for finding in findings}


class AlertBatch:
    """The alerts one findings refresh causes. Findings that cannot wait go out together when the
    refresh commits: one email per team of each authority, whether one finding or a thousand came
    out of the feed, so a team is told at once without being flooded."""

    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.immediate: dict[str, list[tuple[Finding, str]]] = defaultdict(list)
        self.for_digest: list[dict] = []
        # Held here for the batch: the session keeps only weak references, so an authority looked
        # up per finding would be read again (and the session flushed) for each of thousands.
        self.authorities: dict[str, Authority | None] = {}
        self.held = 0

    def _authority(self, code: str) -> Authority | None:
        if code not in self.authorities:
            self.authorities[code] = self.uow.session.get(Authority, code)
        return self.authorities[code]

    def finding_changed(self, finding: Finding, fact: FindingFact, *, change: str) -> None:
        for code in fact.for_authorities:
            authority = self._authority(code)
            if authority is None:
                continue
            if fact.severity == "immediate" or authority.alert_digest == "immediate":
                self.immediate[code].append((finding, change))
            else:
                self.for_digest.append({"finding_id": finding.id, "authority_code": code, "change": change,
                                        "created_at": utc_now()})

    def enqueue(self) -> int:
        """Write the immediate alerts to the outbox and the rest to the digest, in the refresh's
        transaction."""
        if self.for_digest:
            self.uow.session.execute(insert(DigestItem), self.for_digest)
            self.for_digest = []
        base = self.uow.settings.public_base_url
        queued = 0
        for code, changes in sorted(self.immediate.items()):
            authority = self._authority(code)
            if not has_address(authority):
                self.held += hold(self.uow, code, changes)
                continue
            who = licences_seen_by(self.uow, (finding for finding, _ in changes), code)
            # The same findings in the same state give the same key: a refresh that is retried after
            # a crash queues nothing twice.
            identity = hashlib.sha256(
                ";".join(f"{f.id}:{change}:{f.fingerprint}" for f, change in changes).encode()).hexdigest()[:24]
            by_team: dict[tuple[str, str], list[tuple[Finding, str]]] = defaultdict(list)
            for finding, change in changes:
                for team in teams_hearing(authority, finding.type):
                    by_team[team].append((finding, change))
            for (team, address), team_changes in by_team.items():
                enqueue_email(self.uow.session, dedupe_key=f"alert:{code}:{team}:{identity}", to=address,
                              kind="alert", authority_code=code,
                              subject=_subject(team_changes), body=_body(team_changes, who, base))
                queued += 1
        self.immediate.clear()
        return queued

def _body(changes: list[tuple[Finding, str]], who: dict[int, list[str]], base: str) -> str:
    if len(changes) == 1:
        finding, change = changes[0]
        return _single_alert(finding, change, who[finding.id], base)
    lines = [f"{len(changes)} findings need your attention now:", ""]
    for finding, change in changes:
        lines += [f"- {title_of(finding.type)} ({change}): {finding.summary}",
                  *[f"  {licence}" for licence in who[finding.id]],
                  f"  {finding_page(base, finding.id)}"]
    return "\n".join(lines + ["", SHARING_NOTE])


def _subject(changes: list[tuple[Finding, str]]) -> str:
    if len(changes) == 1:
        finding, change = changes[0]
        return f"Crosscheck: {title_of(finding.type)} ({change})"
    return f"Crosscheck: {len(changes)} findings need your attention now"


SHARING_NOTE = ("This information is shared for the safeguarding of the public under the Taxis and Private Hire\n"
                 "Vehicles (Safeguarding and Road Safety) Act 2022. Use it only for the purpose it was shared for.")


def _single_alert(finding: Finding, change: str, who: list[str], base: str) -> str:
    return "\n".join([
        f"{title_of(finding.type)} — finding {finding.id} {change}.",
        "",
        finding.summary,
        "",
        *who,
        "",
        *[f"- {line}" for line in finding.evidence],
        "",
        f"See the finding and record what you do: {finding_page(base, finding.id)}",
        "",
        SHARING_NOTE,
    ])


def hold(uow: UnitOfWork, authority_code: str, changes: list[tuple[Finding, str]]) -> int:
    """Keep alerts for an authority that has nowhere to receive them; returns how many."""
    uow.session.add_all([HeldAlert(authority_code=authority_code, finding_id=finding.id, change=change)
                         for finding, change in changes])
    return len(changes)


def release_held_alerts(uow: UnitOfWork, authority: Authority, *, now: datetime | None = None) -> int:
    """Once the authority has an address, its held alerts go out at once, one email per team; in the
    caller's transaction (the settings change that set the address). Returns emails queued."""
    if not has_address(authority):
        return 0
    session = uow.session
    held = session.execute(select(HeldAlert).where(HeldAlert.authority_code == authority.code,
                                                   HeldAlert.released_at.is_(None))
                           .order_by(HeldAlert.id)).scalars().all()
    if not held:
        return 0
    now = now or utc_now()
    findings = {f.id: f for f in session.execute(
        select(Finding).where(Finding.id.in_({h.finding_id for h in held}))).scalars()}
    who = licences_seen_by(uow, findings.values(), authority.code)
    base = uow.settings.public_base_url
    by_team: dict[tuple[str, str], list[HeldAlert]] = defaultdict(list)
    for item in held:
        finding = findings[item.finding_id]
        if finding.status != CLOSED:  # resolved while held: nothing left to do
            for team in teams_hearing(authority, finding.type):
                by_team[team].append(item)
    queued = 0
    for (team, address), items in by_team.items():
        lines = [f"- {title_of(findings[i.finding_id].type)} ({i.change}, "
                 f"{i.held_at:%Y-%m-%d %H:%M} UTC): {findings[i.finding_id].summary}\n"
                 f"  {'; '.join(who[i.finding_id])}\n"
                 f"  {finding_page(base, i.finding_id)}" for i in items]
        outbox_id = enqueue_email(
            session, dedupe_key=f"held:{authority.code}:{team}:{items[0].id}-{items[-1].id}", to=address,
            kind="alert", authority_code=authority.code,
            subject=f"Crosscheck: {len(items)} alert{'s' if len(items) != 1 else ''} held until {authority.name} "
                    "set a team email address",
            body="\n".join([f"These alerts for {authority.name} were held because no team email address was set "
                            "in Crosscheck. They are sent now that one is:", "", *lines, "", SHARING_NOTE]))
        for item in items:
            item.outbox_id = outbox_id
        queued += 1
    for item in held:
        item.released_at = now
    return queued
