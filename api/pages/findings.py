"""Findings for the enforcement team: a list with filters and pages, and a page per finding to
acknowledge, action or dismiss it for the officer's authority. Alert emails link here."""

from __future__ import annotations

from datetime import datetime, time

from flask import current_app, redirect, request, url_for

from api.pages import handling, pages
from api.pages.guard import ENFORCEMENT, current_actor, for_roles
from api.pages.render import page
from licensing.clock import LONDON
from licensing.errors import DomainError

PAGE_SIZE = 20
TYPES = {
    "adverse_elsewhere": "Revoked or suspended elsewhere",
    "concern_shared": "Concern shared by another authority",
    "identity_conflict": "Identity conflict",
    "multiple_licences": "Licensed in several places",
    "out_of_area": "Licensed out of area",
}
# What the officer is expected to do next, by type.
NEXT_STEPS = {
    "adverse_elsewhere": "Ask the deciding authority for its reasons (it must answer within 20 working days) "
                         "and consider suspending or revoking your licence.",
    "identity_conflict": "Check the driver's photocard licence against your record, and correct your record "
                         "or tell the other authority.",
    "multiple_licences": "Check the driver told you of the other licences, and agree with the other "
                         "authorities who will check what.",
    "concern_shared": "Consider the concern and whether to suspend or revoke your licence, then record your "
                      "decision so that it goes back to the sending authority (it is due in 20 working days).",
    "out_of_area": "Note where the driver lives: your enforcement officers may meet them working in your area.",
}


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _opened_since(errors: dict) -> tuple[datetime | None, dict]:
    parts = {part: request.args.get(f"opened-{part}", "").strip() for part in ("day", "month", "year")}
    if not any(parts.values()):
        return None, parts
    try:
        day = datetime(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        errors["opened-day"] = "The date must be a real date, like 27 3 2026"
        return None, parts
    return datetime.combine(day.date(), time(0), tzinfo=LONDON), parts


@pages.get("/findings")
@for_roles(*ENFORCEMENT)
def findings_page():
    errors = {}
    types = [t for t in request.args.getlist("type") if t in TYPES]
    statuses = [s for s in request.args.getlist("status") if s in handling.STATUSES]
    opened_since, opened = _opened_since(errors)
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    with _crosscheck().unit_of_work(write=False) as uow:
        found, total = handling.findings_for(uow, current_actor(), types=types, statuses=statuses,
                                             opened_since=opened_since, page=number, page_size=PAGE_SIZE)
    pages_total = max(1, -(-total // PAGE_SIZE))
    filters = [("type", t) for t in types] + [("status", s) for s in statuses] + [
        (f"opened-{part}", value) for part, value in opened.items() if value]
    return page("findings/list.html", title="Findings", errors=errors, findings=found, total=total,
                number=number, pages_total=pages_total, types=TYPES, statuses=handling.STATUSES,
                chosen_types=types, chosen_statuses=statuses, opened=opened, filters=filters, wide=True,
                status_for=lambda f: handling.status_for(f, current_actor()),
                page_url=lambda n: url_for("pages.findings_page", **_query(filters, n)),
                status=400 if errors else 200)


def _query(filters, number):
    query: dict[str, list[str]] = {}
    for name, value in filters:
        query.setdefault(name, []).append(value)
    return {**query, "page": number}


@pages.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@for_roles(*ENFORCEMENT)
def finding_page(finding_id: int):
    errors = {}
    actor = current_actor()
    if request.method == "POST":
        action = request.form.get("action", "")
        reason = request.form.get("reason", "").strip()
        if action not in handling.ACTIONS:
            errors["action"] = "Select what you have done"
        elif action != "acknowledge" and not reason:
            errors["reason"] = ("Say what was done" if action == "action" else "Say why it needs no action")
        else:
            try:
                with _crosscheck().unit_of_work() as uow:
                    handling.change_status(uow, actor, finding_id, action, reason or None)
            except DomainError as error:
                errors["action"] = error.message
            else:
                return redirect(url_for("pages.finding_page", finding_id=finding_id, done=action))
    with _crosscheck().unit_of_work(write=False) as uow:
        finding, roles, events = handling.finding_for(uow, actor, finding_id)
        actions = handling.possible_actions(finding, actor)
    return page("findings/finding.html", title=TYPES.get(finding.type, finding.type), errors=errors,
                finding=finding, roles=roles, events=events, actions=actions, next_step=NEXT_STEPS.get(finding.type),
                status_now=handling.status_for(finding, actor), done=request.args.get("done"),
                form=request.form, back={"href": url_for("pages.findings_page"), "text": "All findings"},
                status=400 if errors else 200)
