"""Every call the pages make to the findings service, in one place. Findings are becoming handled
per authority (each authority its own status); when they do, only this module changes."""

from __future__ import annotations

from datetime import datetime

from licensing.actors import Actor
from licensing.services import findings as finding_service
from licensing.store.db import UnitOfWork
from licensing.store.findings import ACKNOWLEDGED, ACTIONED, CLOSED, DISMISSED, OPEN, Finding

STATUSES = (OPEN, ACKNOWLEDGED, ACTIONED, DISMISSED, CLOSED)
# What an officer may do to a finding, by what it is now (the service has the final word).
ACTIONS = {"acknowledge": ACKNOWLEDGED, "action": ACTIONED, "dismiss": DISMISSED}


def findings_for(uow: UnitOfWork, actor: Actor, *, types, statuses, opened_since: datetime | None,
                 page: int, page_size: int) -> tuple[list[Finding], int]:
    return finding_service.list_findings(uow, actor, types=types, statuses=statuses, opened_since=opened_since,
                                         page=page, page_size=page_size)


def finding_for(uow: UnitOfWork, actor: Actor, finding_id: int):
    """The finding, the authorities it is for or visible to, and its history."""
    finding = finding_service.get_finding(uow, actor, finding_id)
    roles, events = finding_service.finding_details(uow, finding)
    return finding, roles, events


def status_for(finding: Finding, actor: Actor) -> str:
    """The status the officer's own authority has given the finding."""
    return finding.status


def possible_actions(finding: Finding, actor: Actor) -> list[str]:
    status = status_for(finding, actor)
    return [action for action, target in ACTIONS.items() if status in finding_service.TRANSITIONS[target]]


def change_status(uow: UnitOfWork, actor: Actor, finding_id: int, action: str, reason: str | None) -> Finding:
    return finding_service.change_finding_status(uow, actor, finding_id, ACTIONS[action], reason)
