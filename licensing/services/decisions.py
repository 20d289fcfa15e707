"""The decisions register (s.2 of the 2022 Act, and what NR3S misses): an authority records its
refusals, suspensions, revocations and surrenders under investigation; later an appeal outcome,
an amendment or a withdrawal, each in the decision's history with who acted.

Others see a decision through one projection, `decision_seen_by`: that it exists, which authority
made it and when, its kind and grounds category, and whom to ask; never the reason, never the
person's details. Only safeguarding and road-safety decisions are shown to others at all.

A decision is matched to a resolved person as a search would find them, and flags that person's
licences for the findings refresh: adverse_elsewhere then reaches every authority licensing them
and their home authority on the jobs worker's next pass (every few seconds)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from licensing.actors import Actor
from licensing.clock import london_today, utc_now
from licensing.errors import Conflict, DomainError, NotFound
from licensing.findings.facts import licence_type_words
from licensing.services.notices import notify
from licensing.services.person_match import Person, current_driver, flag_driver_for_findings, match_person
from licensing.statutory.decision_rules import decision_problems
from licensing.statutory.permissions import require_licensing_work
from licensing.statutory.settings import statutory_settings
from licensing.statutory.vocabulary import (
    DECISION_WORDS, SHARED_GROUNDS, AppealOutcome, DecisionState, choices,
)
from licensing.store.db import UnitOfWork
from licensing.store.decisions import Decision, DecisionDisclosure, DecisionEvent, DecisionKey, authorities_shown
from licensing.store.detail_requests import requesters_of_decision
from licensing.store.findings import Finding, FindingAuthority
from licensing.store.models import Authority, IdentityKey, Licence
from licensing.store.paging import page_of
from licensing.store.slices import among, in_slices
from licensing.values import normalise_driving_licence_number, normalise_ni_number, normalise_postcode

PERSON_FIELDS = ("surname", "forenames", "date_of_birth", "address", "postcode", "ni_number", "driving_licence_number")
# What an amendment may change; the recording authority and the source stay as they were.
AMENDABLE = ("decision", "licence_type", "licence_number", "decided_on", "effective_from", "grounds", "reason",
             *PERSON_FIELDS)


class InvalidDecision(DomainError):
    code = "invalid_decision"


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    licence_type: str
    decided_on: date
    effective_from: date
    grounds: str
    surname: str
    reason: str
    forenames: str = ""
    date_of_birth: date | None = None
    address: str | None = None
    postcode: str | None = None
    ni_number: str | None = None
    driving_licence_number: str | None = None
    licence_number: str | None = None
    reference: str | None = None


def _person(values: dict) -> Person:
    return Person(surname=values.get("surname"), forenames=values.get("forenames"),
                  date_of_birth=values.get("date_of_birth"),
                  driving_licence_number=normalise_driving_licence_number(values.get("driving_licence_number")),
                  ni_number=normalise_ni_number(values.get("ni_number")),
                  postcode=normalise_postcode(values.get("postcode")))


def _clean(values: dict) -> dict:
    cleaned = dict(values)
    for name in ("surname", "forenames", "reason", "address", "licence_number", "reference"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip() or (None if name in ("address", "licence_number", "reference") else "")
    if "postcode" in cleaned:
        cleaned["postcode"] = normalise_postcode(cleaned.get("postcode"))
    if "ni_number" in cleaned:
        cleaned["ni_number"] = normalise_ni_number(cleaned.get("ni_number"))
    if "driving_licence_number" in cleaned:
        cleaned["driving_licence_number"] = normalise_driving_licence_number(cleaned.get("driving_licence_number"))
    return cleaned


def record_decision(uow: UnitOfWork, caller: Actor, data: DecisionInput, *, source: str = "api",
                    feed_id: int | None = None, commit: bool = True) -> Decision:
    authority_code = require_licensing_work(caller)
    given = {f.name: getattr(data, f.name) for f in fields(DecisionInput)}
    problems = decision_problems(given, today=london_today(),
                                 retention_years=statutory_settings(uow.settings).decision_retention_years)
    if problems:
        raise InvalidDecision("The decision cannot be recorded as it stands; nothing was stored", details=problems)
    values = _clean(given)
    session = uow.session
    if values.get("reference") and session.execute(select(Decision.id).where(
            Decision.authority_code == authority_code, Decision.reference == values["reference"])).first():
        raise Conflict(f"Your authority already recorded a decision with the reference {values['reference']!r}")
    decision = Decision(authority_code=authority_code, source=source, feed_id=feed_id, **values,
                        **caller.recorded("recorded_by"))
    session.add(decision)
    session.flush()
    _resolve(session, decision)
    _event(session, decision, "recorded", caller)
    if commit:
        uow.commit()
    return decision


def _resolve(session, decision: Decision, *, flag: bool = True) -> None:
    """Link the decision to the authority's licence record and to the resolved person; refresh its
    keys; flag the people it concerns (before and after) for the findings refresh."""
    before = decision.driver_id
    licence = None
    if decision.licence_number:
        licence = session.execute(select(Licence).where(Licence.authority_code == decision.authority_code,
                                                        Licence.licence_number == decision.licence_number)).scalar()
    decision.licence_id = licence.id if licence else None
    if licence is not None and licence.driver_id is not None:
        # The authority's own record of the licence is the strongest link there is.
        decision.driver_id, decision.match_band = current_driver(session, licence.driver_id), "certain"
    else:
        match = match_person(session, _person(decision.model_dump()))
        decision.driver_id, decision.match_band = (match.driver_id, match.band) if match else (None, None)
    session.execute(DecisionKey.__table__.delete().where(DecisionKey.decision_id == decision.id))
    keys = sorted(_person(decision.model_dump()).keys())
    if keys:
        session.execute(insert(DecisionKey), [{"key": key, "decision_id": decision.id} for key in keys])
    if flag or before != decision.driver_id:
        flag_driver_for_findings(session, (before, decision.driver_id))


def _event(session, decision: Decision, kind: str, caller: Actor, *, changes: dict | None = None,
           note: str | None = None) -> None:
    session.add(DecisionEvent(decision_id=decision.id, kind=kind, changes=changes, note=note,
                              **caller.recorded("actor")))


@dataclass(frozen=True)
class DecisionChange:
    note: str
    changes: dict  # amendable fields with their new values
    appeal_outcome: str | None = None
    appeal_decided_on: date | None = None
    withdraw: bool = False


def change_decision(uow: UnitOfWork, caller: Actor, decision_id: int, change: DecisionChange) -> Decision:
    """Amend, record an appeal's outcome, or withdraw: only the recording authority may, and each
    is told to every authority that was shown the decision."""
    authority_code = require_licensing_work(caller)
    decision = uow.session.get(Decision, decision_id)
    if decision is None or decision.authority_code != authority_code:
        raise NotFound(f"No decision {decision_id} recorded by this authority")
    apply_change(uow, caller, decision, change)
    uow.commit()
    return decision


def apply_change(uow: UnitOfWork, caller: Actor, decision: Decision, change: DecisionChange) -> list[str]:
    """The change, its history and the corrections it causes, in the caller's transaction."""
    session = uow.session
    if decision.state == DecisionState.WITHDRAWN:
        raise Conflict("This decision was withdrawn; record a new decision instead")
    if not change.note.strip():
        raise InvalidDecision("Say why: an amendment, appeal outcome or withdrawal needs a note (kept with your "
                              "authority)")
    if not (change.changes or change.appeal_outcome or change.withdraw):
        raise InvalidDecision("Nothing to change: give the fields to amend, an appeal_outcome, or withdraw")
    kinds = []
    if change.changes:
        unknown = sorted(set(change.changes) - set(AMENDABLE))
        if unknown:
            raise InvalidDecision(f"These cannot be amended: {', '.join(unknown)}")
        merged = {**{name: getattr(decision, name) for name in AMENDABLE}, **change.changes}
        problems = decision_problems(merged, today=london_today(),
                                     retention_years=statutory_settings(uow.settings).decision_retention_years)
        if problems:
            raise InvalidDecision("The amendment cannot be made as it stands; nothing was changed", details=problems)
        updated = _clean(change.changes)
        differences = {name: [_text(getattr(decision, name)), _text(value)] for name, value in updated.items()
                       if getattr(decision, name) != value}
        for name, value in updated.items():
            setattr(decision, name, value)
        # The reason stays with the authority; its history records that it changed, not the words.
        if "reason" in differences:
            differences["reason"] = ["(changed)", "(changed)"]
        if differences:
            kinds.append("amended")
            _event(session, decision, "amended", caller, changes=differences, note=change.note.strip())
        if set(differences) & {"licence_number", *PERSON_FIELDS}:
            session.flush()
            _resolve(session, decision)
    if change.appeal_outcome:
        if change.appeal_outcome not in choices(AppealOutcome):
            raise InvalidDecision(f"appeal_outcome must be one of {', '.join(choices(AppealOutcome))}")
        decision.appeal_outcome = change.appeal_outcome
        decision.appeal_decided_on = change.appeal_decided_on
        if change.appeal_outcome == AppealOutcome.ALLOWED:
            decision.state = DecisionState.OVERTURNED
        kinds.append("appeal")
        _event(session, decision, "appeal", caller, note=change.note.strip(),
               changes={"appeal_outcome": [None, change.appeal_outcome]})
    if change.withdraw:
        decision.state = DecisionState.WITHDRAWN
        kinds.append("withdrawn")
        _event(session, decision, "withdrawn", caller, note=change.note.strip())
    decision.updated_at = utc_now()
    flag_driver_for_findings(session, (decision.driver_id,))
    session.flush()
    if kinds:
        tell_everyone_who_saw(uow, decision, kinds)
    return kinds


def _text(value) -> str | None:
    return None if value is None else str(value)


# What others see ---------------------------------------------------------------------------------

def decision_seen_by(decision: Decision, viewer_code: str | None, *, authority_name: str,
                     ask: str | None) -> dict | None:
    """The one rule for what an authority sees of a decision: everything when it recorded it;
    otherwise that it exists, who made it and when, its kind and grounds category, its standing,
    and whom to ask — only for safeguarding and road-safety decisions; None when nothing may be
    shown. Never the reason or the person's details."""
    own = viewer_code == decision.authority_code
    if not own and decision.grounds not in SHARED_GROUNDS:
        return None
    seen = {"id": decision.id, "authority_code": decision.authority_code, "authority_name": authority_name,
            "decision": decision.decision, "licence_type": decision.licence_type, "decided_on": decision.decided_on,
            "effective_from": decision.effective_from, "grounds": decision.grounds, "state": decision.state,
            "appeal_outcome": decision.appeal_outcome, "ask": ask, "own": own}
    if own:
        seen.update({name: getattr(decision, name) for name in (
            "reference", "licence_number", "reason", "appeal_decided_on", "driver_id", "match_band", "source",
            "recorded_at", "updated_at", *PERSON_FIELDS)})
    return seen


def decision_words(decision: Decision) -> str:
    return f"{DECISION_WORDS.get(decision.decision, decision.decision)} ({licence_type_words(decision.licence_type)})"


def get_decision(uow: UnitOfWork, caller: Actor, decision_id: int) -> tuple[Decision, dict, list[DecisionEvent]]:
    """A decision as the caller may see it, with its history for the recorder. Another authority
    sees it only once it has been shown it (a search, a driver view, a finding, a request), so ids
    are no way to browse the register."""
    session = uow.session
    decision = session.get(Decision, decision_id)
    own = decision is not None and decision.authority_code == caller.authority_code
    if decision is None or not (own or caller.is_operator or caller.authority_code in _audience(session, decision)):
        raise NotFound(f"No decision {decision_id} shown to this authority")
    authority = session.get(Authority, decision.authority_code)
    seen = decision_seen_by(decision, caller.authority_code, authority_name=authority.name,
                            ask=authority.licensing_email)
    if seen is None:
        raise NotFound(f"No decision {decision_id} shown to this authority")
    events = list(session.execute(select(DecisionEvent).where(DecisionEvent.decision_id == decision_id)
                                  .order_by(DecisionEvent.id)).scalars()) if own else []
    return decision, seen, events


def list_own_decisions(uow: UnitOfWork, caller: Actor, *, page: int, page_size: int) -> tuple[list[dict], int]:
    authority_code = require_licensing_work(caller)
    session = uow.session
    query = select(Decision).where(Decision.authority_code == authority_code)
    rows, total = page_of(session, query, Decision.decided_on.desc(), Decision.id.desc(), page=page,
                          page_size=page_size)
    authority = session.get(Authority, authority_code)
    return [decision_seen_by(d, authority_code, authority_name=authority.name, ask=authority.licensing_email)
            for d in rows], total


# Built once: it runs on every search and driver view.
_DECISIONS_OF_DRIVERS = (select(Decision, Authority.name, Authority.licensing_email)
                         .join(Authority, Authority.code == Decision.authority_code)
                         .where(Decision.driver_id.in_(bindparam("drivers", expanding=True)))
                         .order_by(Decision.decided_on.desc(), Decision.id))


def shared_decisions_of_drivers(session, viewer_code: str | None, driver_ids) -> dict[int, list[dict]]:
    """Each driver's decisions as the viewer may see them: for search results and driver views."""
    found: dict[int, list[dict]] = {driver_id: [] for driver_id in driver_ids}
    if not found:
        return found
    for chunk in in_slices(sorted(found)):
        for decision, name, email in session.execute(_DECISIONS_OF_DRIVERS, {"drivers": list(chunk)}):
            seen = decision_seen_by(decision, viewer_code, authority_name=name, ask=email)
            if seen is not None:
                found[decision.driver_id].append(seen)
    return found


# Who was shown a decision, and telling them of corrections ---------------------------------------

def record_disclosures(session, authority_code: str | None, decision_ids, via: str) -> None:
    """Remember that the authority was shown these decisions (first time only per way shown)."""
    ids = sorted(set(decision_ids))
    if authority_code is None or not ids:
        return
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    now = utc_now()
    session.execute(dialect_insert(DecisionDisclosure.__table__).values(
        [{"decision_id": i, "authority_code": authority_code, "via": via, "first_at": now} for i in ids])
        .on_conflict_do_nothing())


def _audience(session, decision: Decision) -> set[str]:
    """Every authority that was shown the decision: in a search result or driver view (recorded as
    shown), in a finding (its authorities; alert emails go only to them), or by asking for detail."""
    shown = authorities_shown(session, decision.id) | requesters_of_decision(session, decision.id)
    source = f"licence:{decision.licence_id}" if decision.licence_id else f"decision:{decision.id}"
    findings = select(Finding.id).where(Finding.type == "adverse_elsewhere", Finding.fact_key.like(f"%:{source}"))
    shown |= set(session.execute(select(FindingAuthority.authority_code)
                                 .where(FindingAuthority.finding_id.in_(findings))).scalars())
    shown.discard(decision.authority_code)
    return shown


_CHANGE_WORDS = {"amended": "amended", "appeal": "recorded an appeal outcome for", "withdrawn": "withdrawn"}


def tell_everyone_who_saw(uow: UnitOfWork, decision: Decision, kinds: list[str]) -> int:
    """A correction reaches every authority that was shown the decision, in the service and by email."""
    session = uow.session
    authority = session.get(Authority, decision.authority_code)
    what = " and ".join(_CHANGE_WORDS[kind] for kind in kinds)
    told = 0
    for code in sorted(_audience(session, decision)):
        told += notify(
            uow, authority_code=code, kind="decision_corrected", link=f"/api/v1/decisions/{decision.id}",
            dedupe_key=f"decision:{decision.id}:{'+'.join(kinds)}:{decision.updated_at.isoformat()}:{code}",
            subject="a decision you were shown has changed",
            text=(f"{authority.name} has {what} decision {decision.id} ({decision_words(decision)}, decided "
                  f"{decision.decided_on.isoformat()}), which your authority was shown. It now stands as: "
                  f"{decision.state.replace('_', ' ')}. Ask {authority.name} for the detail if you rely on it."))
    return told


# Matching decisions to people as the register changes --------------------------------------------

def rematch_pending(app) -> int:
    """Before the findings refresh: decisions near the records it is about to look at."""
    with app.unit_of_work() as uow:
        flagged = list(uow.session.execute(select(Licence.id).where(Licence.needs_findings.is_(True))).scalars())
        moved = rematch_decisions_near(uow, flagged) if flagged else 0
        uow.commit()
    return moved


def rematch_decisions_near(uow: UnitOfWork, licence_ids) -> int:
    """Decisions sharing a blocking key with records just added or changed, matched again: a person
    refused in one place and licensed later in another is joined to the decision when the licence
    arrives. The caller commits."""
    session = uow.session
    decision_ids = set()
    key_table = IdentityKey.__table__
    for chunk in in_slices(sorted(set(licence_ids))):
        keys = select(key_table.c.key).where(among(session, key_table.c.licence_id, chunk))
        decision_ids.update(session.execute(
            select(DecisionKey.decision_id).join(Decision, Decision.id == DecisionKey.decision_id)
            .where(DecisionKey.key.in_(keys), Decision.driver_id.is_(None))).scalars())
    # Only those not yet joined to anyone: a decision already matched keeps its person until the
    # nightly run matches every decision again (matching each one anew after every feed near it
    # would cost a second per thousand decisions for nothing).
    return _rematch(session, sorted(decision_ids))


def rematch_everyone(app) -> int:
    """Nightly, after full resolution: every decision matched again."""
    with app.unit_of_work() as uow:
        moved = _rematch(uow.session, list(uow.session.execute(select(Decision.id)).scalars()))
        uow.commit()
    return moved


def _rematch(session, decision_ids: list[int]) -> int:
    moved = 0
    for chunk in in_slices(decision_ids):
        for decision in session.execute(select(Decision).where(among(session, Decision.id, chunk))).scalars():
            before = decision.driver_id
            _resolve(session, decision, flag=False)
            moved += decision.driver_id != before
    return moved
