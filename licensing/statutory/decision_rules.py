"""The rules a decision must meet to stand in the register, as plain functions: used by the API,
the decisions feed and amendments alike, so every way in says the same thing about the same fault."""

from __future__ import annotations

from datetime import date

from licensing.identity import SearchQuery, query_breadth_problem
from licensing.statutory.vocabulary import DECISION_LICENCE_TYPES, DecisionKind, Grounds, choices
from licensing.statutory.working_days import years_after
from licensing.values import normalise_driving_licence_number, normalise_ni_number, normalise_postcode


def decision_problems(values: dict, *, today: date, retention_years: int) -> list[dict]:
    """Every reason the values cannot stand as a decision, by field, in words an officer can act on."""
    problems = []

    def problem(field: str, message: str):
        problems.append({"field": field, "message": message})

    if values.get("decision") not in choices(DecisionKind):
        problem("decision", f"decision must be one of {', '.join(choices(DecisionKind))}")
    if values.get("licence_type") not in DECISION_LICENCE_TYPES:
        problem("licence_type", f"licence_type must be one of {', '.join(DECISION_LICENCE_TYPES)}")
    if values.get("grounds") not in choices(Grounds):
        problem("grounds", f"grounds must be one of {', '.join(choices(Grounds))}")
    decided, effective = values.get("decided_on"), values.get("effective_from")
    if decided and decided > today:
        problem("decided_on", "decided_on is in the future: record a decision once it is taken")
    if decided and years_after(decided, retention_years) <= today:
        problem("decided_on", f"the decision is more than {retention_years} years old, past the period entries are "
                              "kept for")
    if decided and effective and effective < decided:
        problem("effective_from", "effective_from is before decided_on: a decision cannot take effect before it is made")
    if not (values.get("surname") or "").strip():
        problem("surname", "surname is required: the person as the authority's records name them")
    if not (values.get("reason") or "").strip():
        problem("reason", "reason is required; it stays with your authority and is never shown to another")
    if values.get("postcode") and not normalise_postcode(values["postcode"]):
        problem("postcode", "postcode is not a UK postcode")
    if not problems and too_vague(values) and not values.get("licence_number"):
        problem("date_of_birth", "the person cannot be told apart from others: give the date of birth, the driving "
                                 "licence or National Insurance number, or the licence number")
    return problems


def too_vague(values: dict) -> str | None:
    """Why the person named cannot be told apart from others (as a search would judge), or None."""
    return query_breadth_problem(SearchQuery(
        surname=values.get("surname"), forenames=values.get("forenames"), date_of_birth=values.get("date_of_birth"),
        driving_licence_number=normalise_driving_licence_number(values.get("driving_licence_number")),
        ni_number=normalise_ni_number(values.get("ni_number")), postcode=normalise_postcode(values.get("postcode"))))
