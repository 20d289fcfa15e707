"""Immediate suspensions (the 2026 power): an authorised enforcement officer of an English
authority suspends a licence another English authority issued; the issuing authority confirms it,
replaces it with its own decision, or lifts it. The same service as the API
(licensing/services/suspensions.py)."""

from __future__ import annotations

from flask import g, redirect, request, url_for

from api.bounds import body_limit
from api.pages import pages
from api.pages.guard import current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import AUTHORITY_OFFICERS, SUSPENDING, WORDS, check_lengths, crosscheck, record_id
from licensing.errors import DomainError
from licensing.services import suspensions as suspension_service

FORM_LIMIT = 128 * 1024
PUBLIC_SAFETY = {key: WORDS["grounds"][key] for key in ("safeguarding", "road_safety")}


@pages.get("/suspensions")
@for_roles(*AUTHORITY_OFFICERS)
def suspensions_page():
    with crosscheck().unit_of_work(write=False) as uow:
        found = suspension_service.list_suspensions(uow, current_actor())
    return page("suspensions/list.html", title="Immediate suspensions", found=found, words=WORDS,
                mine=current_actor().authority_code, wide=True)


@pages.route("/suspensions/new", methods=["GET", "POST"])
@for_roles(*SUSPENDING)
@body_limit(FORM_LIMIT)
def new_suspension_page():
    licence_id = record_id(request.values.get("licence"))
    errors, values = {}, {"officer_name": g.officer.name}
    if request.method == "POST":
        values = {name: request.form.get(name, "").strip() for name in ("grounds", "reason", "officer_name")}
        if values["grounds"] not in PUBLIC_SAFETY:
            errors["grounds"] = "Select why public safety needs it"
        if not values["reason"]:
            errors["reason"] = "Say why the licence must be suspended now"
        if not values["officer_name"]:
            errors["officer_name"] = "Enter the name of the authorised officer"
        check_lengths(values, {"reason": 20000, "officer_name": 200}, errors)
        if licence_id is None:
            errors["grounds"] = "Suspend a licence from the person's page, so that it names the licence"
        if not errors:
            try:
                with crosscheck().unit_of_work() as uow:
                    suspension_id = suspension_service.suspend_immediately(uow, current_actor(), licence_id=licence_id,
                                                                           **values).id
            except DomainError as refused:
                if refused.code == "not_found":
                    raise
                errors["grounds"] = refused.message
            else:
                return redirect(url_for("pages.suspension_page", suspension_id=suspension_id, done="suspended"))
    return page("suspensions/new.html", title="Suspend a licence immediately", errors=errors, values=values,
                grounds=PUBLIC_SAFETY, licence_id=licence_id, status=400 if errors else 200)


@pages.get("/suspensions/<int:suspension_id>")
@for_roles(*AUTHORITY_OFFICERS)
def suspension_page(suspension_id: int):
    return _suspension(suspension_id, errors={}, values={})


def _suspension(suspension_id: int, *, errors: dict, values: dict):
    with crosscheck().unit_of_work(write=False) as uow:
        suspension = suspension_service.get_suspension(uow, current_actor(), suspension_id)
    issuer = suspension.issuing_authority_code == current_actor().authority_code
    return page("suspensions/suspension.html", title=f"Immediate suspension {suspension.id}", suspension=suspension,
                issuer=issuer, words=WORDS, errors=errors, values=values, done=request.args.get("done"),
                status=400 if errors else 200,
                back={"href": url_for("pages.suspensions_page"), "text": "Immediate suspensions"})


@pages.post("/suspensions/<int:suspension_id>/response")
@for_roles(*AUTHORITY_OFFICERS)
def suspension_response(suspension_id: int):
    values = {name: request.form.get(name, "").strip() for name in ("action", "note", "decision_id")}
    errors = {}
    if values["action"] not in WORDS["responses"]:
        errors["action"] = "Select what your authority does"
    check_lengths(values, {"note": 2000}, errors)
    decision_id = record_id(values["decision_id"]) if values["decision_id"] else None
    if values["action"] == "replace" and decision_id is None:
        errors["decision_id"] = "Enter the number of the decision your authority recorded on this licence"
    if not errors:
        try:
            with crosscheck().unit_of_work() as uow:
                suspension_service.respond(uow, current_actor(), suspension_id, action=values["action"],
                                           note=values["note"], decision_id=decision_id)
        except DomainError as refused:
            if refused.code != "invalid_suspension":
                raise
            errors["decision_id" if "decision" in refused.message else "action"] = refused.message
        else:
            return redirect(url_for("pages.suspension_page", suspension_id=suspension_id, done="answered"))
    return _suspension(suspension_id, errors=errors, values=values)
