"""What the statutory register's pages share: who may use them, the register's words as an officer
reads them, and reading dates and page numbers from a form. The rules themselves live in
licensing/statutory; these only say them in words."""

from __future__ import annotations

from datetime import date

from flask import current_app, request

from licensing.actors import Role
from licensing.statutory.permissions import LICENSING_ROLES, SUSPENDING_ROLES

# The same roles the services allow, less the API key (which never signs in to the pages).
LICENSING = tuple(sorted(LICENSING_ROLES - {Role.AUTHORITY_SYSTEM}))
SUSPENDING = tuple(sorted(SUSPENDING_ROLES - {Role.AUTHORITY_SYSTEM}))
# Concerns, requests for detail and the overdue lists belong to the authority: any of its officers
# may read and answer them (an enforcement officer is sent to a concern by its finding).
AUTHORITY_OFFICERS = (Role.LICENSING_OFFICER, Role.ENFORCEMENT_OFFICER, Role.AUTHORITY_ADMIN)
# A concern or a request is raised from a search hit or a person's page, which these roles see.
RAISING = (Role.LICENSING_OFFICER, Role.ENFORCEMENT_OFFICER)

PAGE_SIZE = 20

DECISIONS = {
    "refused": "Refused a new licence",
    "refused_renewal": "Refused renewal",
    "suspended": "Suspended",
    "interim_suspension": "Suspended pending investigation (interim)",
    "revoked": "Revoked",
    "surrendered_under_investigation": "Surrendered while under investigation",
}
DECISION_LICENCES = {
    "hackney_carriage_driver": "Hackney carriage driver",
    "private_hire_driver": "Private hire driver",
    "dual_driver": "Dual (hackney carriage and private hire) driver",
    "private_hire_operator": "Private hire operator",
}
GROUNDS = {
    "safeguarding": "Safeguarding",
    "road_safety": "Road safety",
    "other": "Other grounds (not shared with other authorities)",
}
DECISION_STATES = {"in_effect": "In effect", "overturned": "Overturned on appeal", "withdrawn": "Withdrawn"}
APPEALS = {
    "pending": "An appeal has been made and is waiting to be heard",
    "dismissed": "Dismissed: the decision stands",
    "allowed": "Allowed: the decision is overturned",
    "varied": "Varied: the court changed the decision (amend the entry to match)",
}
CONCERN_CATEGORIES = {"safeguarding": "Safeguarding", "road_safety": "Road safety"}
HOW_KNOWN = {
    "complaint": "A complaint",
    "police": "The police",
    "enforcement": "Our enforcement work",
    "other_authority": "Another authority",
    "other": "Another way",
}
CONCERN_OUTCOMES = {
    "no_action": "No action",
    "warning": "A warning",
    "suspended": "Suspended the licence",
    "revoked": "Revoked the licence",
    "other_action": "Other action",
}
SUSPENSION_STATES = {"in_force": "In force", "confirmed": "Confirmed by the issuing authority",
                     "replaced": "Replaced by the issuing authority's decision", "lifted": "Lifted", "lapsed": "Lapsed"}
RESPONSES = {
    "confirm": "Confirm it: keep it in force to its end",
    "replace": "Replace it with our own decision on this licence",
    "lift": "Lift it now",
}
WORDS = {"decisions": DECISIONS, "decision_licences": DECISION_LICENCES, "grounds": GROUNDS,
         "decision_states": DECISION_STATES, "appeals": APPEALS, "concern_categories": CONCERN_CATEGORIES,
         "how_known": HOW_KNOWN, "concern_outcomes": CONCERN_OUTCOMES, "suspension_states": SUSPENSION_STATES,
         "responses": RESPONSES}


def crosscheck():
    return current_app.extensions["crosscheck"]


def page_number() -> int:
    try:
        return min(1_000_000, max(1, int(request.args.get("page", "1"))))
    except ValueError:
        return 1


def direction(directions: dict[str, str]) -> str:
    """Which of a list's directions the address asks for; received when it names none of them."""
    asked = request.args.get("direction")
    return asked if asked in directions else "received"


def pages_total(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def date_from(form, name: str, errors: dict, *, label: str, required: bool = False) -> date | None:
    """A GOV.UK date input (`name-day`, `name-month`, `name-year`) as a date; a message under the
    field's first box when it is missing or not a real date."""
    parts = [form.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        if required:
            errors[f"{name}-day"] = f"Enter {label}"
        return None
    try:
        day, month, year = (int(part) for part in parts)
        if year < 1900:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        errors[f"{name}-day"] = f"{label[0].upper()}{label[1:]} must be a real date, like 27 3 2026"
        return None


def date_values(form, *names: str) -> dict:
    return {f"{name}-{part}": form.get(f"{name}-{part}", "").strip()
            for name in names for part in ("day", "month", "year")}


def date_parts(value: date | None, name: str) -> dict:
    """A stored date as the date input's three boxes, to fill a form for amendment."""
    if value is None:
        return {}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}


def problems_as_errors(details: list[dict], fields: dict[str, str]) -> dict:
    """A service's problems by field, placed on the page's own field ids (a date's first box)."""
    errors = {}
    for problem in details:
        field = problem.get("field", "")
        errors.setdefault(fields.get(field, field), problem["message"][:1].upper() + problem["message"][1:])
    return errors


def record_id(value: str | None) -> int | None:
    """An id from a link's query (`?decision=12`); anything else is no id at all."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


def in_page_order(errors: dict, order: tuple[str, ...]) -> dict:
    """The error summary lists problems in the order of the fields on the page."""
    return dict(sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def check_lengths(values: dict, limits: dict[str, int], errors: dict) -> None:
    """The API's length limits, said on the form (the database would refuse longer values)."""
    for name, limit in limits.items():
        if len(values.get(name) or "") > limit:
            errors.setdefault(name, f"This must be {limit:,} characters or fewer")
