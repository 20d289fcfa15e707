"""Concerns (s.5 of the 2022 Act) and their answers (s.6): raising one about a driver another
authority licenses, the concerns sent and received, and a concern's page, where a receiving
authority records what it decided and the sender reads it. The same service as the API
(licensing/services/concerns.py)."""

from __future__ import annotations

from flask import redirect, request, url_for

from api.bounds import body_limit
from api.pages import pages
from api.pages.guard import current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import (
    AUTHORITY_OFFICERS, PAGE_SIZE, direction, RAISING, WORDS, check_lengths, crosscheck, date_from, date_values, page_number, pages_total,
    problems_as_errors, record_id,
)
from licensing.clock import london_today
from licensing.errors import DomainError
from licensing.services import concerns as concern_service

FORM_LIMIT = 128 * 1024
FIELD_IDS = {"became_aware_on": "became_aware_on-day", "occurred_on": "occurred_on-day"}
DIRECTIONS = {"received": "Received", "sent": "Sent"}


@pages.get("/concerns")
@for_roles(*AUTHORITY_OFFICERS)
def concerns_page():
    chosen = direction(DIRECTIONS)
    number = page_number()
    with crosscheck().unit_of_work(write=False) as uow:
        found, total = concern_service.list_concerns(uow, current_actor(), direction=chosen, overdue_only=False,
                                                     page=number, page_size=PAGE_SIZE)
    return page("concerns/list.html", title="Concerns", found=found, total=total, direction=chosen,
                directions=DIRECTIONS, number=number, pages_total=pages_total(total), words=WORDS, wide=True,
                mine=current_actor().authority_code,
                page_url=lambda n: url_for("pages.concerns_page", direction=chosen, page=n))


@pages.route("/concerns/new", methods=["GET", "POST"])
@for_roles(*RAISING)
@body_limit(FORM_LIMIT)
def new_concern_page():
    licence_id = record_id(request.values.get("licence"))
    form, errors, values = request.form, {}, {}
    if request.method == "POST":
        values = {name: form.get(name, "").strip() for name in ("category", "how_known", "what_happened", "where")}
        values |= date_values(form, "became_aware_on", "occurred_on")
        if values["category"] not in WORDS["concern_categories"]:
            errors["category"] = "Select what the concern is about"
        if not values["what_happened"]:
            errors["what_happened"] = "Say what happened"
        if not values["where"]:
            errors["where"] = "Say where it happened"
        occurred = date_from(form, "occurred_on", errors, label="the date it happened")
        if values["how_known"] not in WORDS["how_known"]:
            errors["how_known"] = "Select how your authority came to know of it"
        aware = date_from(form, "became_aware_on", errors, label="the date your authority became aware",
                          required=True)
        check_lengths(values, {"what_happened": 20000, "where": 500}, errors)
        if licence_id is None:
            errors["category"] = "Raise a concern from the person's page, so that it names their licence"
        if not errors:
            data = concern_service.ConcernInput(category=values["category"], what_happened=values["what_happened"],
                                                where=values["where"], how_known=values["how_known"],
                                                became_aware_on=aware, occurred_on=occurred, licence_id=licence_id)
            try:
                with crosscheck().unit_of_work() as uow:
                    concern_id = concern_service.raise_concern(uow, current_actor(), data).id
            except DomainError as refused:
                errors = problems_as_errors(refused.details, FIELD_IDS) or {"category": refused.message}
            else:
                return redirect(url_for("pages.concern_page", concern_id=concern_id, done="sent"))
    return page("concerns/new.html", title="Raise a concern", errors=errors, values=values, words=WORDS,
                licence_id=licence_id, status=400 if errors else 200)


@pages.get("/concerns/<int:concern_id>")
@for_roles(*AUTHORITY_OFFICERS)
def concern_page(concern_id: int):
    return _concern(concern_id, errors={}, values={})


def _concern(concern_id: int, *, errors: dict, values: dict):
    with crosscheck().unit_of_work(write=False) as uow:
        concern, recipients = concern_service.get_concern(uow, current_actor(), concern_id)
    mine = next((r for r in recipients if r.authority_code == current_actor().authority_code), None)
    return page("concerns/concern.html", title=f"Concern {concern.id}", concern=concern, recipients=recipients,
                mine=mine, sent_by_us=concern.from_authority_code == current_actor().authority_code, words=WORDS,
                errors=errors, values=values, done=request.args.get("done"), today=london_today(),
                status=400 if errors else 200,
                back={"href": url_for("pages.concerns_page",
                                      direction="sent" if mine is None else "received"), "text": "Concerns"})


@pages.post("/concerns/<int:concern_id>/outcome")
@for_roles(*AUTHORITY_OFFICERS)
@body_limit(FORM_LIMIT)
def concern_outcome(concern_id: int):
    form, errors = request.form, {}
    values = {name: form.get(name, "").strip() for name in ("outcome", "consideration", "decision_id")}
    if values["outcome"] not in WORDS["concern_outcomes"]:
        errors["outcome"] = "Select what your authority decided"
    if not values["consideration"]:
        errors["consideration"] = "Say what your authority considered"
    check_lengths(values, {"consideration": 20000}, errors)
    decision_id = record_id(values["decision_id"]) if values["decision_id"] else None
    if values["decision_id"] and decision_id is None:
        errors["decision_id"] = "The decision number is the number on your decision's page, like 12"
    if not errors:
        try:
            with crosscheck().unit_of_work() as uow:
                concern_service.record_outcome(uow, current_actor(), concern_id, outcome=values["outcome"],
                                               consideration=values["consideration"], decision_id=decision_id)
        except DomainError as refused:
            if refused.code in ("not_found", "forbidden", "conflict"):
                raise
            errors["decision_id" if "decision" in refused.message else "outcome"] = refused.message
        else:
            return redirect(url_for("pages.concern_page", concern_id=concern_id, done="answered"))
    return _concern(concern_id, errors=errors, values=values)


@pages.get("/findings/<int:finding_id>/concern")
@for_roles(*AUTHORITY_OFFICERS)
def concern_of_finding(finding_id: int):
    """From a concern_shared finding to the concern, where the answer is recorded."""
    with crosscheck().unit_of_work(write=False) as uow:
        concern_id = concern_service.concern_of_finding(uow, current_actor(), finding_id)
    return redirect(url_for("pages.concern_page", concern_id=concern_id))
