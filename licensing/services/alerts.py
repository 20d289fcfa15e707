"""Alert emails about findings: at once for what cannot wait, otherwise in a daily digest per
authority. Written to the outbox in the same transaction as the finding change that causes them,
so an alert exists exactly when its finding does.

An email says what was found and links to the finding. It carries no more personal data than an
officer needs to recognise the case (name, licence number, authority) and never any reasons."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, update

from licensing.bootstrap import Crosscheck
from licensing.clock import utc_now
from licensing.findings import FindingFact
from licensing.findings.facts import licence_type_words
from licensing.services.outbox import enqueue_email
from licensing.store.db import UnitOfWork
from licensing.store.findings import DigestItem, Finding
from licensing.store.models import Authority, Licence

TITLES = {
    "out_of_area": "Driver licensed elsewhere who lives in your area",
    "adverse_elsewhere": "Licensed driver refused, suspended or revoked by another authority",
    "multiple_licences": "Driver licensed by more than one authority",
    "identity_conflict": "Possible identity problem with a driving licence number",
}
# Which of an authority's teams hears of each type: enforcement always; licensing where the
# licensing decision itself may need revisiting.
LICENSING_TEAM_TYPES = ("adverse_elsewhere", "identity_conflict", "multiple_licences")


def _teams(authority: Authority, finding_type: str) -> list[tuple[str, str]]:
    teams = [("enforcement", authority.enforcement_email)]
    if finding_type in LICENSING_TEAM_TYPES:
        teams.append(("licensing", authority.licensing_email))
    # Both teams may share one mailbox: one email is enough.
    seen, unique = set(), []
    for team, address in teams:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            unique.append((team, address))
    return unique


def _who(uow: UnitOfWork, finding: Finding) -> list[str]:
    """The licences concerned, as an officer recognises them: name, licence number, authority."""
    rows = uow.session.execute(
        select(Licence.forenames, Licence.surname, Licence.licence_type, Licence.licence_number, Authority.name)
        .join(Authority, Authority.code == Licence.authority_code)
        .where(Licence.id.in_(finding.licence_ids)).order_by(Licence.id)).all()
    return [f"{forenames} {surname}: {licence_type_words(kind)} licence {number}, {authority}"
            for forenames, surname, kind, number, authority in rows]


def alert_finding_change(uow: UnitOfWork, finding: Finding, fact: FindingFact, *, change: str) -> None:
    """Queue what this change of a finding means for each authority it is for."""
    base = uow.settings.public_base_url
    for code in fact.for_authorities:
        authority = uow.session.get(Authority, code)
        if authority is None:
            continue
        if fact.severity == "immediate" or authority.alert_digest == "immediate":
            for team, address in _teams(authority, finding.type):
                enqueue_email(
                    uow.session,
                    dedupe_key=f"finding:{finding.id}:{change}:{finding.fingerprint[:16]}:{code}:{team}",
                    to=address, kind="alert", authority_code=code,
                    subject=f"Crosscheck: {TITLES.get(finding.type, finding.type)} ({change})",
                    body=_single_alert(finding, change, _who(uow, finding), base),
                )
        else:
            uow.session.add(DigestItem(finding_id=finding.id, authority_code=code, change=change))


def _single_alert(finding: Finding, change: str, who: list[str], base: str) -> str:
    return "\n".join([
        f"{TITLES.get(finding.type, finding.type)} — finding {finding.id} {change}.",
        "",
        finding.summary,
        "",
        *who,
        "",
        *[f"- {line}" for line in finding.evidence],
        "",
        f"See the finding and record what you do: {base}/api/v1/findings/{finding.id}",
        "",
        "This information is shared for the safeguarding of the public under the Taxis and Private Hire",
        "Vehicles (Safeguarding and Road Safety) Act 2022. Use it only for the purpose it was shared for.",
    ])


def send_digests(app: Crosscheck, *, now: datetime | None = None) -> int:
    """One email per team of each authority with digest items waiting; returns emails queued."""
    now = now or utc_now()
    base = app.settings.public_base_url
    queued = 0
    with app.unit_of_work() as uow:
        session = uow.session
        items = session.execute(select(DigestItem).where(DigestItem.digested_at.is_(None))
                                .order_by(DigestItem.authority_code, DigestItem.id)).scalars().all()
        by_authority: dict[str, list[DigestItem]] = defaultdict(list)
        for item in items:
            by_authority[item.authority_code].append(item)
        for code, waiting in by_authority.items():
            authority = session.get(Authority, code)
            findings = {f.id: f for f in session.execute(
                select(Finding).where(Finding.id.in_({i.finding_id for i in waiting}))).scalars()}
            lines_by_team: dict[tuple[str, str], list[str]] = defaultdict(list)
            for item in waiting:
                finding = findings[item.finding_id]
                if finding.status == "closed":
                    continue  # resolved before the digest went out: nothing to do
                who = "; ".join(_who(uow, finding))
                for team in _teams(authority, finding.type):
                    lines_by_team[team].append(
                        f"- {TITLES.get(finding.type, finding.type)} ({item.change}): {finding.summary}\n"
                        f"  {who}\n"
                        f"  {base}/api/v1/findings/{finding.id}")
            for (team, address), lines in lines_by_team.items():
                enqueue_email(
                    session, dedupe_key=f"digest:{code}:{team}:{waiting[0].id}-{waiting[-1].id}", to=address,
                    kind="digest", authority_code=code,
                    subject=f"Crosscheck daily digest: {len(lines)} finding{'s' if len(lines) != 1 else ''} for {authority.name}",
                    body="\n".join([f"Findings for {authority.name} since the last digest:", "", *lines, "",
                                    "Open each finding to record what you do."]),
                )
                queued += 1
            session.execute(update(DigestItem).where(DigestItem.id.in_([i.id for i in waiting]))
                            .values(digested_at=now))
        uow.commit()
    return queued
