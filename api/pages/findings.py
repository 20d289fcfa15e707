"""Findings for the enforcement team: a list with filters and pages, most at stake first
(licensing/findings/ranking.py), with drivers licensed out of area counted per other authority
rather than listed one by one, a CSV export of what the filters choose, and a page per finding to
acknowledge, action or dismiss it for the officer's authority. Alert emails and the digest link
here."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask import Response, current_app, redirect, request, url_for

from api.pages import handling, pages
from api.pages.guard import ENFORCEMENT, current_actor, for_roles
from api.pages.render import page
from licensing.clock import LONDON
from licensing.errors import DomainError
from licensing.findings.ranking import stake_words
from licensing.findings.wording import NAMES, NEXT_STEPS

PAGE_SIZE = 20
TYPES = NAMES
GROUPED = "out_of_area"  # listed one group per other authority, not one row per finding
# An authority's code as the filters take it: ONS codes and TFL.
AUTHORITY_CODE = re.compile(r"^[A-Z0-9]{1,16}$")


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


def _filters(errors: dict) -> dict:
    """The list's filters from the address: types, statuses and authority codes, and a date."""
    opened_since, opened = _opened_since(errors)
    authority = request.args.get("authority", "").strip().upper()
    return {"types": [t for t in request.args.getlist("type") if t in TYPES],
            "statuses": [s for s in request.args.getlist("status") if s in handling.STATUSES],
            "opened_since": opened_since, "opened": opened,
            "authority": authority if AUTHORITY_CODE.match(authority) else None}


def _as_query(chosen: dict) -> list[tuple[str, str]]:
    return ([("type", t) for t in chosen["types"]] + [("status", s) for s in chosen["statuses"]]
            + [(f"opened-{part}", value) for part, value in chosen["opened"].items() if value]
            + ([("authority", chosen["authority"])] if chosen["authority"] else []))


@pages.get("/findings")
@for_roles(*ENFORCEMENT)
def findings_page():
    errors = {}
    chosen = _filters(errors)
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    actor = current_actor()
    # Without an authority chosen, out-of-area findings come as one row per other authority.
    grouping = chosen["authority"] is None and (not chosen["types"] or GROUPED in chosen["types"])
    with _crosscheck().unit_of_work(write=False) as uow:
        found, total = handling.findings_for(uow, actor, types=chosen["types"], statuses=chosen["statuses"],
                                             opened_since=chosen["opened_since"], other_authority=chosen["authority"],
                                             leave_out=[GROUPED] if grouping else [], page=number, page_size=PAGE_SIZE)
        groups = handling.groups_for(uow, actor, GROUPED, statuses=chosen["statuses"],
                                     opened_since=chosen["opened_since"]) if grouping else []
        authority_name = handling.authority_name(uow, chosen["authority"]) if chosen["authority"] else None
    pages_total = max(1, -(-total // PAGE_SIZE))
    filters = _as_query(chosen)
    kept = [(name, value) for name, value in filters if name != "authority"]
    return page("findings/list.html", title="Findings", errors=errors, findings=found, total=total,
                number=number, pages_total=pages_total, types=TYPES, statuses=handling.STATUSES,
                chosen_types=chosen["types"], chosen_statuses=chosen["statuses"], opened=chosen["opened"],
                chosen_authority=chosen["authority"], authority_name=authority_name, groups=groups,
                grouped_total=sum(group.count for group in groups), grouped_type=GROUPED, next_steps=NEXT_STEPS,
                filters=filters, wide=True, stake_words=stake_words,
                status_for=lambda f: handling.status_for(f, actor),
                page_url=lambda n: url_for("pages.findings_page", **_query(filters, n)),
                group_url=lambda code: url_for("pages.findings_page", **_query(
                    [("type", GROUPED), *[(n, v) for n, v in kept if n != "type"], ("authority", code)], 1)),
                export_url=url_for("pages.export_findings_page", **_query(filters, None)),
                back={"href": url_for("pages.findings_page", **_query(kept, None)), "text": "All findings"}
                if chosen["authority"] else None,
                status=400 if errors else 200)


def _query(filters, number):
    query: dict[str, list[str]] = {}
    for name, value in filters:
        query.setdefault(name, []).append(value)
    return {**query, "page": number} if number else query


@pages.get("/findings/export.csv")
@for_roles(*ENFORCEMENT)
def export_findings_page():
    """The findings the list shows (with its filters, out-of-area ones included) as a CSV file.
    The export is a disclosure, so it is audited; its address holds only the filters."""
    errors = {}
    chosen = _filters(errors)
    if errors:  # the list says what is wrong with the filters
        return redirect(url_for("pages.findings_page", **request.args.to_dict(flat=False)))
    with _crosscheck().unit_of_work() as uow:
        text = handling.export_for(uow, current_actor(), base_url=_crosscheck().settings.public_base_url,
                                   types=chosen["types"], statuses=chosen["statuses"],
                                   opened_since=chosen["opened_since"], other_authority=chosen["authority"])
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=crosscheck-findings.csv"})


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
                stake_words=stake_words,
                status_now=handling.status_for(finding, actor), done=request.args.get("done"),
                form=request.form, back={"href": url_for("pages.findings_page"), "text": "All findings"},
                status=400 if errors else 200)
