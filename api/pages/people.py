"""Search for a person (a POST: the query never appears in a URL, and the results are shown only
in the answer to it), and a person across authorities, minimised by the search service's rule."""

from __future__ import annotations


from flask import current_app, request, url_for

from api.pages import pages
from api.pages.guard import SEARCHERS, current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import WORDS, date_from
from licensing.identity.search import SearchQuery
from licensing.services import search as search_service

REASON_TEXT = {
    "licence_application": "A new licence application",
    "licence_renewal": "A licence renewal",
    "enforcement": "Enforcement",
    "safeguarding_referral": "A safeguarding referral",
}
FIELDS = ("surname", "forenames", "driving_licence_number", "ni_number", "postcode")


@pages.get("/search")
@for_roles(*SEARCHERS)
def search_page():
    return _search_form(values={}, errors={})


def _search_form(*, values: dict, errors: dict, status: int = 200):
    return page("people/search.html", title="Search for a driver", errors=errors, values=values,
                reasons=REASON_TEXT, status=status)


@pages.post("/search")
@for_roles(*SEARCHERS)
def search_results():
    form, errors = request.form, {}
    values = {name: form.get(name, "").strip() for name in (*FIELDS, "reason", "application_reference")}
    values |= {f"date_of_birth-{part}": form.get(f"date_of_birth-{part}", "").strip()
               for part in ("day", "month", "year")}
    if values["reason"] not in REASON_TEXT:
        errors["reason"] = "Select why you are searching"
    elif values["reason"] in search_service.APPLICATION_REASONS and not values["application_reference"]:
        errors["application_reference"] = "Enter the application's reference"
    born = date_from(form, "date_of_birth", errors, label="date of birth")
    if errors:
        return _search_form(values=values, errors=errors, status=400)
    query = SearchQuery(date_of_birth=born, **{name: values[name] or None for name in FIELDS})
    try:
        outcome = search_service.search_drivers(current_app.extensions["crosscheck"], current_actor(), query,
                                                reason=values["reason"],
                                                application_reference=values["application_reference"] or None)
    except search_service.SearchRefused as refused:
        return _search_form(values=values, errors={"surname": refused.message}, status=400)
    return page("people/results.html", title="Search results", results=outcome.results,
                first_rank_shared_by=outcome.first_rank_shared_by, search_id=outcome.search_id,
                reason=REASON_TEXT[values["reason"]], wide=True, words=WORDS,
                back={"href": url_for("pages.search_page"), "text": "New search"})


@pages.get("/people/<int:driver_id>")
@for_roles(*SEARCHERS)
def person_page(driver_id: int):
    view = search_service.view_driver(current_app.extensions["crosscheck"], current_actor(), driver_id)
    if view.merged_into is not None:
        return page("people/merged.html", title="This record has moved", merged_into=view.merged_into)
    own = [licence for licence in view.licences if licence.own]
    return page("people/person.html", title=_name(own) or f"Driver {driver_id}", view=view, own=own,
                others=[licence for licence in view.licences if not licence.own], wide=True, words=WORDS,
                back={"href": url_for("pages.search_page"), "text": "Search again"})


def _name(own) -> str | None:
    for licence in own:
        if licence.surname:
            return f"{licence.forenames or ''} {licence.surname}".strip()
    return None
