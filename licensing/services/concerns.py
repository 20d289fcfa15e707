"""Concerns (s.5 of the 2022 Act) and their answers (s.6).

An authority that learns of safeguarding or road-safety information about a driver another
authority licenses must send it within 10 working days, counted over its own nation's bank
holidays from the day of awareness. Here sending is recording the concern: it reaches every
authority licensing the person at once, as a concern_shared finding that cannot wait (alerted by
email on the jobs worker's next pass). Each receiving authority must consider it and report its
decision back; the answer goes to the sender in the service and by email."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from licensing.actors import Actor
from licensing.clock import london_today, utc_now
from licensing.errors import Conflict, DomainError, Forbidden, NotFound
from licensing.findings.rules.concern_shared import concern_of
from licensing.services import findings as finding_service
from licensing.services.licence_holders import current_licences_of
from licensing.services.notices import notify
from licensing.services.person_match import Person, current_driver, flag_driver_for_findings, match_person
from licensing.statutory.settings import statutory_settings
from licensing.statutory.vocabulary import ConcernCategory, ConcernOutcome, HowKnown, choices
from licensing.statutory.working_days import last_day_of_period, working_days_after
from licensing.store.concerns import Concern, ConcernRecipient, recipients_of
from licensing.store.db import UnitOfWork
from licensing.store.paging import page_of
from licensing.store.decisions import Decision
from licensing.store.findings import Finding
from licensing.store.models import Authority, Licence
from licensing.values import normalise_driving_licence_number


class InvalidConcern(DomainError):
    code = "invalid_concern"


@dataclass(frozen=True)
class ConcernInput:
    category: str
    what_happened: str
    where: str
    how_known: str
    became_aware_on: date
    occurred_on: date | None = None
    licence_id: int | None = None
    surname: str | None = None
    forenames: str | None = None
    date_of_birth: date | None = None
    driving_licence_number: str | None = None


def send_by(became_aware_on: date, country: str, working_days: int = 10) -> date:
    """s.5: the last day of the period of 10 working days beginning with the day of awareness."""
    return last_day_of_period(became_aware_on, working_days, country)


def _sender(caller: Actor) -> str:
    if caller.authority_code is None:
        raise Forbidden("A concern is sent by a licensing authority: use an authority's account or API key")
    return caller.authority_code


def raise_concern(uow: UnitOfWork, caller: Actor, data: ConcernInput) -> Concern:
    sender_code = _sender(caller)
    session = uow.session
    today = london_today()
    problems = []
    if data.category not in choices(ConcernCategory):
        problems.append({"field": "category", "message": f"category must be one of {', '.join(choices(ConcernCategory))}"})
    if data.how_known not in choices(HowKnown):
        problems.append({"field": "how_known", "message": f"how_known must be one of {', '.join(choices(HowKnown))}"})
    if data.became_aware_on > today:
        problems.append({"field": "became_aware_on", "message": "became_aware_on is in the future"})
    if data.occurred_on and data.occurred_on > today:
        problems.append({"field": "occurred_on", "message": "occurred_on is in the future"})
    if not data.what_happened.strip():
        problems.append({"field": "what_happened", "message": "say what happened"})
    if problems:
        raise InvalidConcern("The concern cannot be sent as it stands; nothing was stored", details=problems)
    driver_id = _whom(session, data)
    recipients = sorted({licence.authority_code for licence in current_licences_of(session, driver_id)} - {sender_code})
    if not recipients:
        raise InvalidConcern("The person holds no current driver licence with another authority in the register, so "
                             "there is no authority to send the concern to; nothing was stored")
    sender = session.get(Authority, sender_code)
    deadline = send_by(data.became_aware_on, sender.country)
    concern = Concern(from_authority_code=sender_code, category=data.category, what_happened=data.what_happened.strip(),
                      where=data.where.strip(), occurred_on=data.occurred_on, how_known=data.how_known,
                      became_aware_on=data.became_aware_on, send_by=deadline, sent_late=today > deadline,
                      licence_id=data.licence_id, surname=data.surname, forenames=data.forenames,
                      date_of_birth=data.date_of_birth,
                      driving_licence_number=normalise_driving_licence_number(data.driving_licence_number),
                      driver_id=driver_id, **caller.recorded("sent_by"))
    session.add(concern)
    session.flush()
    days = statutory_settings(uow.settings).concern_outcome_working_days
    for code in recipients:
        country = session.get(Authority, code).country
        session.add(ConcernRecipient(concern_id=concern.id, authority_code=code,
                                     outcome_due_on=working_days_after(today, days, country)))
    # The concern_shared finding and its alert follow on the jobs worker's next pass.
    flag_driver_for_findings(session, (driver_id,))
    uow.commit()
    return concern


def _whom(session, data: ConcernInput) -> int:
    if data.licence_id is not None:
        licence = session.get(Licence, data.licence_id)
        if licence is None or licence.driver_id is None:
            raise InvalidConcern(f"No licence {data.licence_id} in the register")
        return current_driver(session, licence.driver_id)
    person = Person(surname=data.surname, forenames=data.forenames, date_of_birth=data.date_of_birth,
                    driving_licence_number=normalise_driving_licence_number(data.driving_licence_number))
    problem = person.too_vague()
    if problem:
        raise InvalidConcern(f"Say whom the concern is about: give licence_id, or the person's details. {problem}")
    match = match_person(session, person)
    if match is None:
        raise InvalidConcern("No licensed driver in the register matches these details closely enough; check them, "
                             "or search and give the licence_id; nothing was stored")
    return match.driver_id


def get_concern(uow: UnitOfWork, caller: Actor, concern_id: int) -> tuple[Concern, list[ConcernRecipient]]:
    """For the sender and the authorities it was sent to; no one else."""
    concern = uow.session.get(Concern, concern_id)
    recipients = recipients_of(uow.session, concern_id) if concern else []
    if concern is None or caller.authority_code not in {concern.from_authority_code, *(r.authority_code for r in recipients)}:
        raise NotFound(f"No concern {concern_id} sent by or to this authority")
    return concern, recipients


def record_outcome(uow: UnitOfWork, caller: Actor, concern_id: int, *, outcome: str, consideration: str,
                   decision_id: int | None = None) -> tuple[Concern, list[ConcernRecipient]]:
    concern, recipients = get_concern(uow, caller, concern_id)
    mine = next((r for r in recipients if r.authority_code == caller.authority_code), None)
    if mine is None:
        raise Forbidden("Only an authority the concern was sent to records what it decided")
    if mine.outcome is not None:
        raise Conflict("Your authority has already reported its decision on this concern")
    if outcome not in choices(ConcernOutcome):
        raise InvalidConcern(f"outcome must be one of {', '.join(choices(ConcernOutcome))}")
    if not consideration.strip():
        raise InvalidConcern("Say what was considered: consideration is required")
    if decision_id is not None:
        decision = uow.session.get(Decision, decision_id)
        if decision is None or decision.authority_code != caller.authority_code:
            raise InvalidConcern(f"decision {decision_id} is not one your authority recorded")
    mine.outcome, mine.consideration, mine.outcome_decision_id = outcome, consideration.strip(), decision_id
    mine.outcome_at = utc_now()
    for name, value in caller.recorded("outcome_by").items():
        setattr(mine, name, value)
    receiver = uow.session.get(Authority, caller.authority_code)
    notify(uow, authority_code=concern.from_authority_code, kind="concern_outcome",
           link=f"/api/v1/concerns/{concern.id}", dedupe_key=f"concern:{concern.id}:outcome:{caller.authority_code}",
           subject="the decision on a concern you sent",
           text=(f"{receiver.name} has considered concern {concern.id}, which your authority sent on "
                 f"{concern.sent_at.date().isoformat()}, and reported its decision: "
                 f"{outcome.replace('_', ' ')}."))
    uow.commit()
    return concern, recipients


def list_concerns(uow: UnitOfWork, caller: Actor, *, direction: str, overdue_only: bool, page: int,
                  page_size: int) -> tuple[list[tuple[Concern, list[ConcernRecipient]]], int]:
    code = _sender(caller)
    if direction == "sent":
        query = select(Concern).where(Concern.from_authority_code == code)
        if overdue_only:
            query = query.where(Concern.sent_late.is_(True))
    else:
        mine = select(ConcernRecipient.concern_id).where(ConcernRecipient.authority_code == code)
        if overdue_only:
            mine = mine.where(ConcernRecipient.outcome.is_(None), ConcernRecipient.outcome_due_on < london_today())
        query = select(Concern).where(Concern.id.in_(mine))
    rows, total = page_of(uow.session, query, Concern.id.desc(), page=page, page_size=page_size)
    return [(concern, recipients_of(uow.session, concern.id)) for concern in rows], total


def concern_of_finding(uow: UnitOfWork, caller: Actor, finding_id: int) -> int:
    """The concern a concern_shared finding is about, for a page that sends the officer from the
    finding to the concern; the finding must be one the caller's authority may see."""
    finding_service.get_finding(uow, caller, finding_id)
    concern_id = concern_of(uow.session.get(Finding, finding_id).fact_key)
    if concern_id is None:
        raise NotFound(f"Finding {finding_id} is not about a concern")
    get_concern(uow, caller, concern_id)
    return concern_id
