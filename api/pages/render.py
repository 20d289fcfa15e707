"""One way to render a page: the title, the menu for the officer's role, who is signed in, the
error summary and the back link."""

from __future__ import annotations

from flask import g, render_template, request, url_for

from licensing.actors import Role
from licensing.services.users import ROLE_NAMES

# What each role's menu offers, in order: (endpoint, text).
MENUS = {
    Role.LICENSING_OFFICER: [("pages.search_page", "Search"), ("pages.identity_reviews_page", "Identity reviews"),
                             ("pages.decisions_page", "Decisions"), ("pages.concerns_page", "Concerns"),
                             ("pages.requests_page", "Requests"), ("pages.overdue_page", "Overdue"),
                             ("pages.notices_page", "Notices")],
    Role.ENFORCEMENT_OFFICER: [("pages.findings_page", "Findings"), ("pages.search_page", "Search"),
                               ("pages.identity_reviews_page", "Identity reviews"),
                               ("pages.concerns_page", "Concerns"), ("pages.requests_page", "Requests"),
                               ("pages.suspensions_page", "Suspensions"),
                               ("pages.overdue_page", "Overdue"), ("pages.notices_page", "Notices")],
    Role.AUTHORITY_ADMIN: [("pages.feeds_page", "Feeds"), ("pages.users_page", "Users"),
                           ("pages.keys_page", "API keys"), ("pages.team_page", "Team and alerts"),
                           ("pages.overdue_page", "Overdue"), ("pages.notices_page", "Notices")],
    Role.OPERATOR: [("pages.status_page", "Service status")],
}


def page(template: str, *, title: str, errors: dict | None = None, back: dict | None = None,
         status: int = 200, wide: bool = False, **context):
    actor = g.get("actor")
    officer = g.get("officer")
    navigation = None
    if actor is not None:
        navigation = [{"href": url_for(endpoint), "text": text, "active": request.endpoint == endpoint}
                      for endpoint, text in MENUS.get(actor.role, [])]
    signed_in = None
    if officer is not None:
        signed_in = {"name": officer.name, "role_name": ROLE_NAMES[actor.role],
                     "authority": g.get("authority_name")}
    html = render_template(template, title=title, errors=errors or {}, back=back, navigation=navigation,
                           signed_in=signed_in, column="govuk-grid-column-full" if wide else None, **context)
    return html, status


def error_link(item: tuple[str, str]) -> dict:
    field, message = item
    return {"text": message, "href": f"#{field}"}


def licence_type_name(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


def long_date(value) -> str:
    """'27 March 2026', as GOV.UK writes dates; times in London's clock, which officers read."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        from licensing.clock import LONDON

        local = value.astimezone(LONDON)
        return f"{local.day} {local:%B %Y} at {local:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def authority_name(code: str | None) -> str:
    """An authority's name from the reference list (the statutory records hold codes)."""
    from licensing.reference.authorities import authority_name as name_of

    return name_of(code) or code or ""


FILTERS = {"error_link": error_link, "licence_type_name": licence_type_name, "long_date": long_date,
           "authority_name": authority_name}
