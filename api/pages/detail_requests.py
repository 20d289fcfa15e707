"""Requests for the detail behind a register entry (s.3 of the 2022 Act): asked from a search hit,
a person's page, a decision or a finding; the recording authority reads and answers them by their
due date; the requester reads the answer. The same service as the API
(licensing/services/detail_requests.py)."""

from __future__ import annotations

from flask import redirect, request, url_for

from api.bounds import body_limit
from api.pages import pages
from api.pages.guard import current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import (
    AUTHORITY_OFFICERS, PAGE_SIZE, direction, check_lengths, crosscheck, page_number, pages_total, record_id,
)
from licensing.clock import london_today
from licensing.errors import DomainError
from licensing.services import detail_requests as request_service

FORM_LIMIT = 128 * 1024
DIRECTIONS = {"received": "Received: yours to answer", "sent": "Sent: asked by your authority"}


@pages.get("/requests")
@for_roles(*AUTHORITY_OFFICERS)
def requests_page():
    chosen = direction(DIRECTIONS)
    number = page_number()
    with crosscheck().unit_of_work(write=False) as uow:
        found, total = request_service.list_requests(uow, current_actor(), direction=chosen, overdue_only=False,
                                                     page=number, page_size=PAGE_SIZE)
    return page("requests/list.html", title="Requests for detail", found=found, total=total, direction=chosen,
                directions=DIRECTIONS, number=number, pages_total=pages_total(total), today=london_today(),
                page_url=lambda n: url_for("pages.requests_page", direction=chosen, page=n), wide=True)


def _subject() -> dict:
    """What the request is about, from the link that led here: ids only."""
    return {name: record_id(request.values.get(name)) for name in ("decision", "licence", "finding")
            if record_id(request.values.get(name)) is not None}


@pages.route("/requests/new", methods=["GET", "POST"])
@for_roles(*AUTHORITY_OFFICERS)
@body_limit(FORM_LIMIT)
def new_request_page():
    subject, errors, values = _subject(), {}, {}
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in ("question", "application_reference")}
        if not values["question"]:
            errors["question"] = "Say what you need to know"
        check_lengths(values, {"question": 5000, "application_reference": 200}, errors)
        if not subject:
            errors["question"] = "Ask from a search result, a person's page, a decision or a finding"
        if not errors:
            asked = {"question": values["question"], "application_reference": values["application_reference"] or None}
            try:
                with crosscheck().unit_of_work() as uow:
                    if "decision" in subject or "licence" in subject:
                        made = request_service.request_detail(uow, current_actor(), decision_id=subject.get("decision"),
                                                              licence_id=subject.get("licence"),
                                                              finding_id=subject.get("finding"), **asked)
                    else:
                        made = request_service.request_detail_about_finding(uow, current_actor(),
                                                                            subject["finding"], **asked)
                    request_id = made.id
            except DomainError as refused:
                if refused.code == "not_found":
                    raise
                errors["question"] = refused.message
            else:
                return redirect(url_for("pages.request_page", request_id=request_id, done="sent"))
    return page("requests/new.html", title="Ask for the detail", errors=errors, values=values, subject=subject,
                status=400 if errors else 200)


@pages.get("/requests/<int:request_id>")
@for_roles(*AUTHORITY_OFFICERS)
def request_page(request_id: int):
    return _request(request_id, errors={}, values={})


def _request(request_id: int, *, errors: dict, values: dict):
    with crosscheck().unit_of_work(write=False) as uow:
        asked = request_service.get_request(uow, current_actor(), request_id)
    ours_to_answer = asked.to_authority_code == current_actor().authority_code
    return page("requests/request.html", title=f"Request for detail {asked.id}", asked=asked,
                ours_to_answer=ours_to_answer, errors=errors, values=values, done=request.args.get("done"),
                today=london_today(), status=400 if errors else 200,
                back={"href": url_for("pages.requests_page", direction="received" if ours_to_answer else "sent"),
                      "text": "Requests for detail"})


@pages.post("/requests/<int:request_id>/answer")
@for_roles(*AUTHORITY_OFFICERS)
@body_limit(FORM_LIMIT)
def answer_request(request_id: int):
    values = {name: request.form.get(name, "").strip() for name in ("answer", "document_reference")}
    errors = {} if values["answer"] else {"answer": "Enter your answer"}
    check_lengths(values, {"answer": 20000, "document_reference": 500}, errors)
    if not errors:
        try:
            with crosscheck().unit_of_work() as uow:
                request_service.answer_request(uow, current_actor(), request_id, answer=values["answer"],
                                               document_reference=values["document_reference"] or None)
        except DomainError as refused:
            if refused.code != "invalid_detail_request":
                raise
            errors["answer"] = refused.message
        else:
            return redirect(url_for("pages.request_page", request_id=request_id, done="answered"))
    return _request(request_id, errors=errors, values=values)
