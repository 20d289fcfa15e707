"""What the statutory register gives the findings rules about the people in a findings scope: the
decisions recorded about them (shared grounds only, in effect), the immediate suspensions in force
on their licences, and the concerns sent about them. The findings refresh calls
`rules_for_scope` once per evaluation, so decisions and concerns follow the same path as every
other finding: raised once per fact, updated, closed, alerted."""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from sqlalchemy import select

from licensing.clock import utc_now
from licensing.findings import AdverseDecision, LicenceFact, SharedConcern, rules_with_register
from licensing.findings.facts import licence_type_words
from licensing.statutory.settings import statutory_settings
from licensing.statutory.vocabulary import DECISION_WORDS, IMMEDIATELY_SUSPENDED, SHARED_GROUNDS, DecisionState
from licensing.store.concerns import Concern, ConcernRecipient
from licensing.store.db import UnitOfWork
from licensing.store.decisions import Decision
from licensing.store.models import Authority, Driver
from licensing.store.slices import among, in_slices
from licensing.store.suspensions import suspensions_in_force_on


def rules_for_scope(uow: UnitOfWork, licences: Sequence[LicenceFact]):
    session = uow.session
    drivers = sorted({licence.driver_id for licence in licences if licence.driver_id is not None})
    names = dict(session.execute(select(Authority.code, Authority.name)).all())
    merged_into = _merged_into(session, drivers)
    decisions = [adverse_decision(decision, names, merged_into.get(decision.driver_id, decision.driver_id))
                 for decision in _shared_decisions_of(session, drivers + sorted(merged_into))]
    by_id = {licence.licence_id: licence for licence in licences}
    for suspension in suspensions_in_force_on(session, sorted(by_id), utc_now()):
        licence = by_id[suspension.licence_id]
        if licence.driver_id is None:
            continue
        decisions.append(AdverseDecision(
            source_key=f"suspension:{suspension.id}", driver_id=licence.driver_id,
            authority_code=suspension.suspending_authority_code,
            authority_name=names.get(suspension.suspending_authority_code, suspension.suspending_authority_code),
            decision=IMMEDIATELY_SUSPENDED, licence_type=licence.licence_type, licence_number=licence.licence_number,
            decided_on=suspension.starts_at.date(), retained_from=suspension.starts_at.date(),
            licence_ids=(licence.licence_id,),
            described=(f"Immediately suspended by {names.get(suspension.suspending_authority_code)} "
                       f"({licence_type_words(licence.licence_type)} licence, Crosscheck record {licence.licence_id}, "
                       f"issued by {licence.authority_name}; "
                       f"in force until {suspension.ends_at.isoformat(timespec='minutes')})")))
    concerns = _shared_concerns(session, drivers, merged_into, names)
    return rules_with_register(decisions=decisions, concerns=concerns,
                               retention_years=statutory_settings(uow.settings).decision_retention_years)


def adverse_decision(decision: Decision, names: dict, driver_id: int) -> AdverseDecision:
    words = DECISION_WORDS.get(decision.decision, decision.decision)
    authority = names.get(decision.authority_code, decision.authority_code)
    kind = licence_type_words(decision.licence_type)
    grounds = decision.grounds.replace("_", " ")
    return AdverseDecision(
        # About a licence record the register holds: the same fact as that record's status.
        source_key=f"licence:{decision.licence_id}" if decision.licence_id else f"decision:{decision.id}",
        driver_id=driver_id, authority_code=decision.authority_code, authority_name=authority,
        decision=words, licence_type=decision.licence_type, licence_number=decision.licence_number or "",
        decided_on=decision.decided_on, retained_from=decision.decided_on,
        licence_ids=(decision.licence_id,) if decision.licence_id else (),
        described=(f"{words.capitalize()} by {authority} ({kind} licence, {grounds} grounds, decided "
                   f"{decision.decided_on.isoformat()}, in effect from {decision.effective_from.isoformat()}; "
                   f"decision {decision.id}: ask {authority} for the detail)"))


def _merged_into(session, drivers: list[int]) -> dict[int, int]:
    """Drivers whose records moved to one in scope: their decisions belong to it now."""
    moved = {}
    for chunk in in_slices(drivers):
        moved.update(dict(session.execute(select(Driver.id, Driver.merged_into_id)
                                          .where(among(session, Driver.merged_into_id, chunk))).all()))
    return moved


def _shared_decisions_of(session, drivers: list[int]) -> list[Decision]:
    found = []
    for chunk in in_slices(drivers):
        found += session.execute(select(Decision).where(
            among(session, Decision.driver_id, chunk), Decision.state == DecisionState.IN_EFFECT,
            Decision.grounds.in_([g.value for g in SHARED_GROUNDS]))).scalars().all()
    return found


def _shared_concerns(session, drivers: list[int], merged_into: dict[int, int], names: dict) -> list[SharedConcern]:
    rows = []
    for chunk in in_slices(drivers + sorted(merged_into)):
        rows += session.execute(select(Concern).where(among(session, Concern.driver_id, chunk))).scalars().all()
    due: dict[int, list] = defaultdict(list)
    for chunk in in_slices([concern.id for concern in rows]):
        for concern_id, due_on in session.execute(select(ConcernRecipient.concern_id, ConcernRecipient.outcome_due_on)
                                                  .where(among(session, ConcernRecipient.concern_id, chunk))):
            due[concern_id].append(due_on)
    return [SharedConcern(concern_id=concern.id, driver_id=merged_into.get(concern.driver_id, concern.driver_id),
                          from_authority_code=concern.from_authority_code,
                          from_authority_name=names.get(concern.from_authority_code, concern.from_authority_code),
                          category=concern.category, sent_on=concern.sent_at.date(),
                          outcome_due_on=min(due[concern.id]) if due[concern.id] else None)
            for concern in rows]
