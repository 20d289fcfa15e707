"""Immediate suspension, in the interests of public safety, of a licence another English authority
issued (the power the English Devolution and Community Empowerment Act 2026 is reported to give).

The duration and the procedure await regulations, so both are settings
(licensing.statutory.settings). The design follows the minister's description as DOMAIN.md records
it: any English licensing authority may suspend, with immediate effect, a licence issued anywhere in
England; the issuing authority is told at once and decides what follows: it confirms the suspension,
replaces it with its own decision, or lifts it. Unanswered, it lapses at the end of its period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from licensing.actors import Actor
from licensing.clock import utc_now
from licensing.errors import Conflict, DomainError, Forbidden, NotFound
from licensing.services.notices import notify
from licensing.services.person_match import flag_driver_for_findings
from licensing.statutory.permissions import require_suspending_officer
from licensing.statutory.settings import statutory_settings
from licensing.statutory.vocabulary import SHARED_GROUNDS, IssuerResponse, SuspensionState, choices
from licensing.store.db import UnitOfWork
from licensing.store.decisions import Decision
from licensing.store.models import Authority, Licence
from licensing.store.suspensions import IN_FORCE_STATES, ImmediateSuspension, suspensions_in_force_on

ENGLAND = "England"


class InvalidSuspension(DomainError):
    code = "invalid_suspension"


def suspend_immediately(uow: UnitOfWork, caller: Actor, *, licence_id: int, grounds: str, reason: str,
                        officer_name: str) -> ImmediateSuspension:
    suspender_code = require_suspending_officer(caller)
    session = uow.session
    rules = statutory_settings(uow.settings)
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(f"No licence {licence_id}")
    suspender, issuer = session.get(Authority, suspender_code), session.get(Authority, licence.authority_code)
    if licence.authority_code == suspender_code:
        raise InvalidSuspension("This is your own authority's licence: suspend it by recording a decision")
    if rules.immediate_suspension_england_only and (suspender.country, issuer.country) != (ENGLAND, ENGLAND):
        raise Forbidden("The immediate suspension power is for English authorities, of licences issued in England")
    if grounds not in {g.value for g in SHARED_GROUNDS}:
        raise InvalidSuspension("grounds must be safeguarding or road_safety: the power is for public safety")
    if not reason.strip() or not officer_name.strip():
        raise InvalidSuspension("Say why public safety needs it (reason) and which authorised officer acts (officer_name)")
    if licence.ended_at is not None or licence.status != "active":
        raise Conflict(f"The licence is not in force (it is {licence.status if licence.ended_at is None else 'ended'})")
    now = utc_now()
    if suspensions_in_force_on(session, [licence_id], now):
        raise Conflict("The licence is already immediately suspended")
    suspension = ImmediateSuspension(
        licence_id=licence_id, issuing_authority_code=issuer.code, suspending_authority_code=suspender_code,
        grounds=grounds, reason=reason.strip(), officer_name=officer_name.strip(), starts_at=now,
        ends_at=now + timedelta(hours=rules.immediate_suspension_hours), **caller.recorded("recorded_by"))
    session.add(suspension)
    session.flush()
    # Told at once, in this transaction: the email leaves with the outbox's next pass (seconds).
    notify(uow, authority_code=issuer.code, kind="immediate_suspension",
           link=f"/api/v1/immediate-suspensions/{suspension.id}",
           dedupe_key=f"suspension:{suspension.id}:recorded", subject="a licence you issued has been suspended",
           text=(f"{suspender.name} has immediately suspended {licence.licence_type.replace('_', ' ')} licence "
                 f"{licence.licence_number}, which your authority issued, in the interests of public safety "
                 f"(suspension {suspension.id}, until {suspension.ends_at.isoformat(timespec='minutes')}). "
                 "Confirm it, replace it with your own decision, or lift it."))
    flag_driver_for_findings(session, (licence.driver_id,))
    uow.commit()
    return suspension


def get_suspension(uow: UnitOfWork, caller: Actor, suspension_id: int) -> ImmediateSuspension:
    suspension = uow.session.get(ImmediateSuspension, suspension_id)
    if suspension is None or caller.authority_code not in (suspension.issuing_authority_code,
                                                          suspension.suspending_authority_code):
        raise NotFound(f"No immediate suspension {suspension_id} by or of this authority")
    return suspension


def respond(uow: UnitOfWork, caller: Actor, suspension_id: int, *, action: str, note: str,
            decision_id: int | None = None) -> ImmediateSuspension:
    suspension = get_suspension(uow, caller, suspension_id)
    if caller.authority_code != suspension.issuing_authority_code:
        raise Forbidden("Only the issuing authority confirms, replaces or lifts an immediate suspension")
    if action not in choices(IssuerResponse):
        raise InvalidSuspension(f"action must be one of {', '.join(choices(IssuerResponse))}")
    if suspension.state not in IN_FORCE_STATES or suspension.ends_at <= utc_now():
        raise Conflict(f"The suspension is no longer in force ({suspension.state})")
    if action == IssuerResponse.CONFIRM and suspension.state == SuspensionState.CONFIRMED:
        raise Conflict("The suspension is already confirmed")
    session = uow.session
    licence = session.get(Licence, suspension.licence_id)
    if action == IssuerResponse.REPLACE:
        decision = session.get(Decision, decision_id) if decision_id is not None else None
        if decision is None or decision.authority_code != caller.authority_code or decision.licence_id != licence.id:
            raise InvalidSuspension("To replace it, give decision_id: the decision your authority recorded on this licence")
        suspension.replaced_by_decision_id = decision.id
    suspension.state = {IssuerResponse.CONFIRM: SuspensionState.CONFIRMED, IssuerResponse.REPLACE: SuspensionState.REPLACED,
                        IssuerResponse.LIFT: SuspensionState.LIFTED}[IssuerResponse(action)]
    suspension.response_note = note.strip() or None
    suspension.responded_at = utc_now()
    for name, value in caller.recorded("responded_by").items():
        setattr(suspension, name, value)
    issuer = session.get(Authority, caller.authority_code)
    notify(uow, authority_code=suspension.suspending_authority_code, kind="suspension_answered",
           link=f"/api/v1/immediate-suspensions/{suspension.id}",
           dedupe_key=f"suspension:{suspension.id}:{suspension.state}", subject="the issuing authority has answered",
           text=f"{issuer.name} has {suspension.state} immediate suspension {suspension.id}.")
    flag_driver_for_findings(session, (licence.driver_id,))
    uow.commit()
    return suspension


def list_suspensions(uow: UnitOfWork, caller: Actor) -> list[ImmediateSuspension]:
    if caller.authority_code is None:
        raise Forbidden("Immediate suspensions belong to authorities")
    return list(uow.session.execute(select(ImmediateSuspension).where(or_(
        ImmediateSuspension.issuing_authority_code == caller.authority_code,
        ImmediateSuspension.suspending_authority_code == caller.authority_code))
        .order_by(ImmediateSuspension.id.desc()).limit(500)).scalars())


def suspended_by(session, licence_ids) -> dict[int, dict]:
    """How a licence shows wherever it is shown while an immediate suspension is in force on it."""
    names = None
    shown = {}
    for suspension in suspensions_in_force_on(session, licence_ids, utc_now()):
        if names is None:
            names = dict(session.execute(select(Authority.code, Authority.name)).all())
        shown[suspension.licence_id] = shown_suspension(
            suspension_id=suspension.id, authority_code=suspension.suspending_authority_code,
            authority_name=names[suspension.suspending_authority_code], since=suspension.starts_at,
            until=suspension.ends_at, state=suspension.state)
    return shown


def shown_suspension(*, suspension_id: int, authority_code: str, authority_name: str, since: datetime,
                     until: datetime, state: str) -> dict:
    """A suspension in force as it shows on the licence it suspends: which authority, since and
    until when (never its reasons, which are for the two authorities alone)."""
    return {"suspension_id": suspension_id, "authority_code": authority_code, "authority_name": authority_name,
            "since": since, "until": until, "state": state}


def lapse_ended(uow: UnitOfWork) -> int:
    """Suspensions whose period ran out with no answer from the issuing authority: lapsed."""
    session = uow.session
    ended = list(session.execute(select(ImmediateSuspension).where(
        ImmediateSuspension.state.in_(IN_FORCE_STATES), ImmediateSuspension.ends_at <= utc_now())).scalars())
    for suspension in ended:
        suspension.state = SuspensionState.LAPSED
        flag_driver_for_findings(session, (session.get(Licence, suspension.licence_id).driver_id,))
    return len(ended)
