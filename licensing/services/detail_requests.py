"""Requests for the detail behind a register entry (s.3 of the 2022 Act). A hit only points at the
recording authority; the searcher asks it in writing, and it must answer within 20 working days
(over its own nation's bank holidays) and tell the searcher of later changes to the entry. Here the
request, the answer and every later correction are in the service and by email."""

from __future__ import annotations


from sqlalchemy import select

from licensing.actors import Actor
from licensing.clock import london_today, utc_now
from licensing.errors import Conflict, DomainError, Forbidden, NotFound
from licensing.findings.rules.adverse_elsewhere import source_of
from licensing.services import decisions as decision_service
from licensing.services import findings as finding_service
from licensing.services.notices import notify
from licensing.statutory.vocabulary import ShownVia
from licensing.statutory.working_days import working_days_after
from licensing.store.db import UnitOfWork
from licensing.store.paging import page_of
from licensing.store.detail_requests import DetailRequest
from licensing.store.findings import Finding
from licensing.store.models import Authority, Licence

REPLY_WORKING_DAYS = 20


class InvalidDetailRequest(DomainError):
    code = "invalid_detail_request"


def request_detail(uow: UnitOfWork, caller: Actor, *, question: str, decision_id: int | None = None,
                   licence_id: int | None = None, finding_id: int | None = None,
                   application_reference: str | None = None) -> DetailRequest:
    if caller.authority_code is None:
        raise Forbidden("A request for detail is made by a licensing authority")
    session = uow.session
    if (decision_id is None) == (licence_id is None):
        raise InvalidDetailRequest("Say what the request is about: give decision_id (from a search hit or a finding) "
                                   "or licence_id, not both")
    if not question.strip():
        raise InvalidDetailRequest("Say what you need to know: question is required")
    if finding_id is not None:
        finding_service.get_finding(uow, caller, finding_id)  # must be one the caller may see
    if decision_id is not None:
        decision, _, _ = decision_service.get_decision(uow, caller, decision_id)
        recorder = decision.authority_code
    else:
        licence = session.get(Licence, licence_id)
        if licence is None:
            raise NotFound(f"No licence {licence_id}")
        recorder = licence.authority_code
    if recorder == caller.authority_code:
        raise InvalidDetailRequest("This entry is your own authority's: the detail is already yours")
    today = london_today()
    to = session.get(Authority, recorder)
    request = DetailRequest(from_authority_code=caller.authority_code, to_authority_code=recorder,
                            decision_id=decision_id, licence_id=licence_id, finding_id=finding_id,
                            application_reference=(application_reference or "").strip() or None,
                            question=question.strip(), received_on=today,
                            due_on=working_days_after(today, REPLY_WORKING_DAYS, to.country),
                            **caller.recorded("requested_by"))
    session.add(request)
    session.flush()
    if decision_id is not None:
        decision_service.record_disclosures(session, caller.authority_code, [decision_id], ShownVia.DETAIL_REQUEST)
    sender = session.get(Authority, caller.authority_code)
    notify(uow, authority_code=recorder, kind="detail_requested", link=f"/api/v1/detail-requests/{request.id}",
           dedupe_key=f"detail_request:{request.id}:received", subject="a request for detail to answer",
           text=(f"{sender.name} asks for the detail behind an entry your authority recorded (request {request.id}). "
                 f"Answer in Crosscheck by {request.due_on.isoformat()} (20 working days)."))
    uow.commit()
    return request


def get_request(uow: UnitOfWork, caller: Actor, request_id: int) -> DetailRequest:
    request = uow.session.get(DetailRequest, request_id)
    if request is None or caller.authority_code not in (request.from_authority_code, request.to_authority_code):
        raise NotFound(f"No request for detail {request_id} from or to this authority")
    return request


def answer_request(uow: UnitOfWork, caller: Actor, request_id: int, *, answer: str,
                   document_reference: str | None) -> DetailRequest:
    request = get_request(uow, caller, request_id)
    if caller.authority_code != request.to_authority_code:
        raise Forbidden("Only the recording authority answers a request for detail")
    if request.answered_at is not None:
        raise Conflict("This request has already been answered")
    if not answer.strip():
        raise InvalidDetailRequest("answer is required")
    request.answer, request.document_reference = answer.strip(), (document_reference or "").strip() or None
    request.answered_at = utc_now()
    for name, value in caller.recorded("answered_by").items():
        setattr(request, name, value)
    recorder = uow.session.get(Authority, request.to_authority_code)
    notify(uow, authority_code=request.from_authority_code, kind="detail_answered",
           link=f"/api/v1/detail-requests/{request.id}", dedupe_key=f"detail_request:{request.id}:answered",
           subject="your request for detail has been answered",
           text=f"{recorder.name} has answered your request for detail {request.id}. Read the answer in Crosscheck.")
    uow.commit()
    return request


def list_requests(uow: UnitOfWork, caller: Actor, *, direction: str, overdue_only: bool, page: int,
                  page_size: int) -> tuple[list[DetailRequest], int]:
    if caller.authority_code is None:
        raise Forbidden("Requests for detail belong to an authority")
    column = DetailRequest.from_authority_code if direction == "sent" else DetailRequest.to_authority_code
    query = select(DetailRequest).where(column == caller.authority_code)
    if overdue_only:
        query = query.where(DetailRequest.answered_at.is_(None), DetailRequest.due_on < london_today())
    # Unanswered first, soonest due first.
    return page_of(uow.session, query, DetailRequest.answered_at.is_(None).desc(), DetailRequest.due_on,
                   DetailRequest.id, page=page, page_size=page_size)


def request_detail_about_finding(uow: UnitOfWork, caller: Actor, finding_id: int, *, question: str,
                                 application_reference: str | None = None) -> DetailRequest:
    """A request about what an adverse_elsewhere finding rests on (another authority's decision or
    licence record), asked from the finding itself."""
    finding_service.get_finding(uow, caller, finding_id)  # must be one the caller may see
    source = source_of(uow.session.get(Finding, finding_id).fact_key)
    if source is None or source[0] not in ("decision", "licence"):
        raise InvalidDetailRequest("This finding rests on no other authority's entry to ask about")
    kind, number = source
    return request_detail(uow, caller, question=question, finding_id=finding_id,
                          application_reference=application_reference, **{f"{kind}_id": number})
