"""The authority's own decisions register: the list, recording a decision, a decision's page (what
other authorities see beside what stays with the recorder), and amending, recording an appeal's
outcome or withdrawing it. The same service as the API (licensing/services/decisions.py)."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from api.bounds import body_limit
from api.pages import pages
from api.pages.guard import current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import (
    AUTHORITY_OFFICERS, LICENSING, PAGE_SIZE, WORDS, check_lengths, crosscheck, date_from, date_parts, date_values, page_number,
    in_page_order, pages_total, problems_as_errors,
)
from licensing.errors import DomainError
from licensing.services import decisions as decision_service

TEXT_FIELDS = ("surname", "forenames", "address", "postcode", "ni_number", "driving_licence_number",
               "licence_number", "reference", "reason")
CHOICE_FIELDS = ("decision", "licence_type", "grounds")
DATE_FIELDS = {"decided_on": "the date of the decision", "effective_from": "the date it takes effect",
               "date_of_birth": "the date of birth"}
# Where a service's problem with a field shows on the form.
FIELD_IDS = {name: f"{name}-day" for name in DATE_FIELDS}
# Recording a decision asks a page at a time, then shows the answers to check.
STEPS = ("decision", "person", "reason", "check")
STEP_TITLES = {"decision": "The decision", "person": "The person, as your records name them",
               "reason": "The reason", "check": "Check the decision before you record it"}
STEP_FIELDS = {
    "decision": ("decision", "licence_type", "decided_on", "effective_from", "grounds"),
    "person": ("surname", "forenames", "date_of_birth", "address", "postcode", "ni_number", "driving_licence_number",
               "licence_number", "reference"),
    "reason": ("reason",),
}
# As the API's schema allows.
LIMITS = {"surname": 200, "forenames": 200, "address": 500, "postcode": 10, "ni_number": 16,
          "driving_licence_number": 32, "licence_number": 64, "reference": 64, "reason": 20000, "note": 2000}
# The form's fields from top to bottom, for the error summary.
PAGE_ORDER = ("decision", "licence_type", "decided_on-day", "effective_from-day", "grounds", "surname", "forenames",
              "date_of_birth-day", "address", "postcode", "ni_number", "driving_licence_number", "licence_number",
              "reference", "reason", "note")
# A reason may be long; a form-encoded body is larger than its text.
FORM_LIMIT = 128 * 1024


@pages.get("/decisions")
@for_roles(*LICENSING)
def decisions_page():
    number = page_number()
    with crosscheck().unit_of_work(write=False) as uow:
        decisions, total = decision_service.list_own_decisions(uow, current_actor(), page=number,
                                                               page_size=PAGE_SIZE)
    return page("decisions/list.html", title="Your authority's decisions", decisions=decisions, total=total,
                number=number, pages_total=pages_total(total), words=WORDS, done=request.args.get("done"),
                page_url=lambda n: url_for("pages.decisions_page", page=n), wide=True)


def _read_form(form, errors: dict, *, amending: bool) -> tuple[dict, dict]:
    """The decision as the form gives it, and the values to show again."""
    values = {name: form.get(name, "").strip() for name in (*TEXT_FIELDS, *CHOICE_FIELDS, "note")}
    values |= date_values(form, *DATE_FIELDS)
    # An empty box is no value; the names and the reason stay text, as the service expects.
    given = {name: values[name] if name in ("surname", "forenames", "reason") else values[name] or None
             for name in (*TEXT_FIELDS, *CHOICE_FIELDS)}
    for name, label in DATE_FIELDS.items():
        given[name] = date_from(form, name, errors, label=label, required=name != "date_of_birth")
    if values["decision"] not in WORDS["decisions"]:
        errors["decision"] = "Select the decision your authority made"
    if values["licence_type"] not in WORDS["decision_licences"]:
        errors["licence_type"] = "Select the licence the decision is about"
    if values["grounds"] not in WORDS["grounds"]:
        errors["grounds"] = "Select the grounds for the decision"
    if not values["surname"]:
        errors["surname"] = "Enter the person's surname"
    if not values["reason"]:
        errors["reason"] = "Enter the reason for the decision"
    if amending and not values["note"]:
        errors["note"] = "Say why the entry is being amended"
    check_lengths(values, LIMITS, errors)
    ordered = in_page_order(errors, PAGE_ORDER)
    errors.clear()
    errors.update(ordered)
    return given, values


@pages.route("/decisions/new", methods=["GET", "POST"])
@for_roles(*LICENSING)
@body_limit(FORM_LIMIT)
def new_decision_page():
    """A page at a time: the decision, the person, the reason, then a check of what others will see
    and what stays with the authority. Each page posts every answer so far; nothing is recorded
    until the check is confirmed."""
    if request.method == "GET":
        return _step("decision", values={}, given={}, errors={})
    errors = {}
    given, values = _read_form(request.form, errors, amending=False)
    if request.form.get("go") in STEPS:  # Back, or Change on the check page
        return _step(request.form["go"], values=values, given=given, errors={})
    step = request.form.get("step") if request.form.get("step") in STEPS else "decision"
    answered = STEPS[:STEPS.index(step) + 1]
    errors = {field: message for field, message in errors.items() if _step_of(field) in answered}
    if errors:
        return _step_with_errors(errors, values=values, given=given)
    if step != "check":
        return _step(STEPS[STEPS.index(step) + 1], values=values, given=given, errors={})
    try:
        with crosscheck().unit_of_work() as uow:
            # Recorded one by one, as through the API: a decisions feed never withdraws it.
            decision_id = decision_service.record_decision(uow, current_actor(),
                                                           decision_service.DecisionInput(**given)).id
    except DomainError as refused:
        errors = problems_as_errors(refused.details, FIELD_IDS) or {"decision": refused.message}
        return _step_with_errors(errors, values=values, given=given)
    return redirect(url_for("pages.decision_page", decision_id=decision_id, done="recorded"))


def _step_of(field: str) -> str:
    """The page a field is on (a date's message sits on its day box, `decided_on-day`)."""
    name = field.split("-")[0]
    return next((step for step, names in STEP_FIELDS.items() if name in names), "decision")


def _step_with_errors(errors: dict, *, values: dict, given: dict):
    """The first page with a problem, showing that page's problems."""
    step = next(step for step in STEPS if any(_step_of(field) == step for field in errors))
    return _step(step, values=values, given=given, status=400,
                 errors=in_page_order({f: m for f, m in errors.items() if _step_of(f) == step}, PAGE_ORDER))


def _step(step: str, *, values: dict, given: dict, errors: dict, status: int = 200):
    number = STEPS.index(step) + 1
    return page("decisions/new.html", title=STEP_TITLES[step], errors=errors, values=values, given=given,
                words=WORDS, step=step, number=number, previous=STEPS[number - 2] if number > 1 else None,
                on_this_page={f"{name}-{part}" if name in DATE_FIELDS else name
                              for name in STEP_FIELDS.get(step, ()) for part in ("day", "month", "year")},
                status=status,
                back={"href": url_for("pages.decisions_page"), "text": "Your authority's decisions"}
                if step == "decision" else None)


@pages.get("/decisions/<int:decision_id>")
@for_roles(*AUTHORITY_OFFICERS)
def decision_page(decision_id: int):
    with crosscheck().unit_of_work(write=False) as uow:
        _, seen, events = decision_service.get_decision(uow, current_actor(), decision_id)
    return page("decisions/decision.html", title=WORDS["decisions"].get(seen["decision"], seen["decision"]),
                seen=seen, events=events, words=WORDS, done=request.args.get("done"),
                back={"href": url_for("pages.decisions_page"), "text": "Your authority's decisions"}
                if seen["own"] else None)


@pages.route("/decisions/<int:decision_id>/amend", methods=["GET", "POST"])
@for_roles(*LICENSING)
@body_limit(FORM_LIMIT)
def amend_decision_page(decision_id: int):
    errors = {}
    if request.method == "POST":
        given, values = _read_form(request.form, errors, amending=True)
        if not errors:
            change = decision_service.DecisionChange(note=values["note"], changes={
                name: value for name, value in given.items() if name != "reference"})
            outcome = _change(decision_id, change, errors)
            if outcome is not None:
                return outcome
        return _amend_form(decision_id, values, errors)
    seen = _own_decision(decision_id)
    values = {name: seen.get(name) or "" for name in (*TEXT_FIELDS, *CHOICE_FIELDS)}
    for name in DATE_FIELDS:
        values |= date_parts(seen.get(name), name)
    return _amend_form(decision_id, values, errors)


def _amend_form(decision_id: int, values: dict, errors: dict):
    return page("decisions/form.html", title="Amend the decision", errors=errors, values=values, words=WORDS,
                action=url_for("pages.amend_decision_page", decision_id=decision_id), amending=True,
                status=400 if errors else 200,
                back={"href": url_for("pages.decision_page", decision_id=decision_id), "text": "The decision"})


def _change(decision_id: int, change, errors: dict, *, done: str = "amended"):
    """The change made, and the decision's page; or None with the service's words in `errors`."""
    try:
        with crosscheck().unit_of_work() as uow:
            decision_service.change_decision(uow, current_actor(), decision_id, change)
    except DomainError as refused:
        if refused.code == "not_found":
            raise
        errors.update(problems_as_errors(refused.details, FIELD_IDS) or {"note": refused.message})
        return None
    return redirect(url_for("pages.decision_page", decision_id=decision_id, done=done))


def _own_decision(decision_id: int) -> dict:
    """The decision as its recorder sees it; another authority's answers 404, as an unknown id would."""
    with crosscheck().unit_of_work(write=False) as uow:
        _, seen, _ = decision_service.get_decision(uow, current_actor(), decision_id)
    if not seen["own"]:
        abort(404)
    return seen


@pages.route("/decisions/<int:decision_id>/appeal", methods=["GET", "POST"])
@for_roles(*LICENSING)
def appeal_page(decision_id: int):
    errors, values = {}, {}
    if request.method == "POST":
        values = {"appeal_outcome": request.form.get("appeal_outcome", ""),
                  "note": request.form.get("note", "").strip()} | date_values(request.form, "appeal_decided_on")
        if values["appeal_outcome"] not in WORDS["appeals"]:
            errors["appeal_outcome"] = "Select the appeal's outcome"
        decided = date_from(request.form, "appeal_decided_on", errors, label="the date of the appeal's outcome",
                            required=values["appeal_outcome"] not in ("", "pending"))
        if not values["note"]:
            errors["note"] = "Say what the court or panel decided, and any reference"
        check_lengths(values, {"note": 2000}, errors)
        if not errors:
            change = decision_service.DecisionChange(note=values["note"], changes={},
                                                     appeal_outcome=values["appeal_outcome"],
                                                     appeal_decided_on=decided)
            outcome = _change(decision_id, change, errors, done="appeal")
            if outcome is not None:
                return outcome
    else:
        _own_decision(decision_id)
    return page("decisions/appeal.html", title="Record an appeal's outcome", errors=errors, values=values,
                words=WORDS, decision_id=decision_id, status=400 if errors else 200,
                back={"href": url_for("pages.decision_page", decision_id=decision_id), "text": "The decision"})


@pages.route("/decisions/<int:decision_id>/withdraw", methods=["GET", "POST"])
@for_roles(*LICENSING)
def withdraw_page(decision_id: int):
    errors, values = {}, {}
    if request.method == "POST":
        values = {"note": request.form.get("note", "").strip()}
        if not values["note"]:
            errors["note"] = "Say why the decision is withdrawn"
        check_lengths(values, {"note": 2000}, errors)
        if not errors:
            outcome = _change(decision_id, decision_service.DecisionChange(note=values["note"], changes={},
                                                                           withdraw=True), errors, done="withdrawn")
            if outcome is not None:
                return outcome
    else:
        _own_decision(decision_id)
    return page("decisions/withdraw.html", title="Withdraw the decision", errors=errors, values=values,
                decision_id=decision_id, status=400 if errors else 200,
                back={"href": url_for("pages.decision_page", decision_id=decision_id), "text": "The decision"})
