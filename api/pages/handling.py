"""Every call the pages make to the findings service, in one place. Each authority handles a
finding for itself: the status shown is the officer's own authority's, and acting on a finding
changes only that (licensing/services/findings.py)."""

from __future__ import annotations

from datetime import datetime

from licensing.actors import Actor
from licensing.services import finding_export
from licensing.services import findings as finding_service
from licensing.services.findings import FindingView
from licensing.store.db import UnitOfWork
from licensing.store.findings import CLOSED, HANDLING_STATUSES
from licensing.store.models import Authority

STATUSES = (*HANDLING_STATUSES, CLOSED)
ACTIONS = finding_service.ACTIONS


def findings_for(uow: UnitOfWork, actor: Actor, *, types, statuses, opened_since: datetime | None,
                 other_authority: str | None, leave_out=(), page: int, page_size: int) -> tuple[list[FindingView], int]:
    """The officer's findings, most at stake first."""
    return finding_service.list_findings(uow, actor, types=types, statuses=statuses, opened_since=opened_since,
                                         other_authority=other_authority, leave_out=leave_out, ranked=True,
                                         page=page, page_size=page_size)


def groups_for(uow: UnitOfWork, actor: Actor, finding_type: str, *, statuses,
               opened_since: datetime | None) -> list[finding_service.AuthorityGroup]:
    return finding_service.findings_by_other_authority(uow, actor, finding_type, statuses=statuses,
                                                       opened_since=opened_since)


def export_for(uow: UnitOfWork, actor: Actor, *, base_url: str, types, statuses, opened_since: datetime | None,
               other_authority: str | None) -> str:
    return finding_export.export_findings(uow, actor, base_url=base_url, types=types, statuses=statuses,
                                          opened_since=opened_since, other_authority=other_authority)


def authority_name(uow: UnitOfWork, code: str) -> str | None:
    authority = uow.session.get(Authority, code)
    return authority.name if authority else None


def finding_for(uow: UnitOfWork, actor: Actor, finding_id: int):
    """The finding as the officer's authority sees it, whom it is for, and its history."""
    finding = finding_service.get_finding(uow, actor, finding_id)
    return finding, {"for": finding.for_authorities, "visible": finding.visible_to}, finding.history


def status_for(finding: FindingView, actor: Actor) -> str:
    """The status the officer's own authority has given the finding (closed once the fact ends)."""
    return finding.status


def possible_actions(finding: FindingView, actor: Actor) -> list[str]:
    status = status_for(finding, actor)
    return [action for action, target in ACTIONS.items() if status in finding_service.TRANSITIONS[target]]


def change_status(uow: UnitOfWork, actor: Actor, finding_id: int, action: str, reason: str | None) -> FindingView:
    return finding_service.handle_finding(uow, actor, finding_id, action, reason)
