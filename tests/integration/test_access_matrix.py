"""The access matrix: every route × caller × outcome, checked cell by cell.

HOW TO ADD A ROUTE. Add one row to MATRIX, keyed by the method and the Flask rule exactly as
`app.url_map` spells it, with the request (path and JSON body, where `{name}` is one of the ids of
tests/integration/boundaries.py: driver, feed, finding, decision, own_licence, sharing_licence,
other_licence) and five outcomes, one per caller, in this order:

    own       Wolverhampton, which holds the record (W100) the request is about
    other     Bolton, which shares nothing with it
    sharing   Manchester, which holds another record of the same driver
    operator  the service operator's key
    no_key    no Authorization header

Outcomes:
    allowed    the caller reaches the record (any answer but 401, 403 or 404; 409 is a business rule)
    minimised  2xx, and nothing of W100 that docs/privacy.md keeps from this caller appears in it
    not_found  404, and exactly the answer a request for an id that does not exist gets
    forbidden  401 (no key) or 403

A route served but missing from MATRIX fails test_every_route_has_a_row, and so does a row for a
route no longer served. Rows run in order against one register, so a row that changes state (a
handling action, a decision) must leave the register as later rows expect.
"""

from __future__ import annotations

import json
import re

from api.app import create_app
from tests.conftest import bearer
from tests.integration.boundaries import CALLERS, build_register, held_back_from

ALLOWED, MINIMISED, NOT_FOUND, FORBIDDEN = "allowed", "minimised", "not_found", "forbidden"
SEARCH = {"surname": "Hussain", "forenames": "Mohammed Imran", "date_of_birth": "1984-07-09", "reason": "enforcement"}
DECISION_ENTRY = {"decision": "refused", "licence_type": "private_hire_driver", "decided_on": "2026-10-01",
                  "effective_from": "2026-10-01", "grounds": "road_safety", "surname": "Mahmood", "forenames": "Tariq",
                  "date_of_birth": "1979-03-15", "reason": "Three convictions for speeding in a year"}
CONCERN = {"category": "safeguarding", "what_happened": "Passenger reported unwanted comments",
           "where": "Piccadilly Gardens, Manchester", "how_known": "complaint", "became_aware_on": "2026-11-30"}
SUSPENSION = {"licence_id": "{own_licence}", "grounds": "safeguarding", "reason": "Arrested on a safeguarding matter",
              "officer_name": "J. Patel, authorised officer"}
DECISION = {"licence_a": "{own_licence}", "licence_b": "{sharing_licence}", "verdict": "same",
            "reason": "The same man: both licensing teams agree"}


def row(path: str, outcomes: str, body: dict | None = None) -> dict:
    cells = outcomes.split()
    assert len(cells) == len(CALLERS), f"{path}: one outcome per caller {CALLERS}"
    return {"path": path, "body": body, "outcomes": dict(zip(CALLERS, cells, strict=True))}


#                                                      path                                       own       other     sharing   operator  no_key
MATRIX = {
    ("GET", "/healthz"): row("/healthz", "allowed allowed allowed allowed allowed"),
    ("GET", "/readyz"): row("/readyz", "allowed allowed allowed allowed allowed"),
    ("GET", "/api/v1/openapi.yaml"): row("/api/v1/openapi.yaml", "allowed allowed allowed allowed allowed"),
    ("GET", "/api/v1/licences"): row("/api/v1/licences", "allowed minimised minimised forbidden forbidden"),
    ("GET", "/api/v1/feeds/<int:feed_id>"): row("/api/v1/feeds/{feed}", "allowed not_found not_found allowed forbidden"),
    ("POST", "/api/v1/feeds/<int:feed_id>/confirm"): row("/api/v1/feeds/{feed}/confirm",
                                                        "allowed not_found not_found forbidden forbidden"),
    ("GET", "/api/v1/authorities/<code>/settings"): row("/api/v1/authorities/E08000031/settings",
                                                       "allowed forbidden forbidden allowed forbidden"),
    ("PATCH", "/api/v1/authorities/<code>/settings"): row("/api/v1/authorities/E08000031/settings",
                                                         "allowed forbidden forbidden allowed forbidden",
                                                         {"alert_digest": "daily"}),
    ("POST", "/api/v1/searches"): row("/api/v1/searches", "allowed minimised minimised minimised forbidden", SEARCH),
    ("GET", "/api/v1/drivers/<int:driver_id>"): row("/api/v1/drivers/{driver}",
                                                   "allowed not_found minimised minimised forbidden"),
    ("GET", "/api/v1/identity/reviews"): row("/api/v1/identity/reviews", "allowed minimised minimised forbidden forbidden"),
    ("POST", "/api/v1/identity/decisions"): row("/api/v1/identity/decisions",
                                               "allowed not_found allowed forbidden forbidden", DECISION),
    ("GET", "/api/v1/identity/decisions/<int:decision_id>"): row("/api/v1/identity/decisions/{decision}",
                                                                "allowed not_found allowed not_found forbidden"),
    ("GET", "/api/v1/findings"): row("/api/v1/findings", "allowed minimised minimised minimised forbidden"),
    ("GET", "/api/v1/findings/<int:finding_id>"): row("/api/v1/findings/{finding}",
                                                     "allowed not_found minimised minimised forbidden"),
    ("POST", "/api/v1/findings/<int:finding_id>/acknowledge"): row("/api/v1/findings/{finding}/acknowledge",
                                                                  "allowed not_found allowed forbidden forbidden"),
    ("POST", "/api/v1/findings/<int:finding_id>/action"): row("/api/v1/findings/{finding}/action",
                                                             "allowed not_found allowed forbidden forbidden",
                                                             {"reason": "Licence suspended pending review"}),
    ("POST", "/api/v1/findings/<int:finding_id>/dismiss"): row("/api/v1/findings/{finding}/dismiss",
                                                              "allowed not_found allowed forbidden forbidden",
                                                              {"reason": "Already dealt with"}),
    ("GET", "/api/v1/status"): row("/api/v1/status", "forbidden forbidden forbidden allowed forbidden"),
    # Pushing a feed is about the caller's own register: every authority may, the operator may not.
    ("POST", "/api/v1/feeds/licences"): row("/api/v1/feeds/licences", "allowed allowed allowed forbidden forbidden"),
    ("POST", "/api/v1/feeds/decisions"): row("/api/v1/feeds/decisions", "allowed allowed allowed forbidden forbidden"),
    # A council's mapping and the templates hold no personal data; the mapping is its own and the operator's.
    ("GET", "/api/v1/authorities/<code>/feed-mapping"): row("/api/v1/authorities/E08000031/feed-mapping",
                                                           "allowed forbidden forbidden allowed forbidden"),
    ("PUT", "/api/v1/authorities/<code>/feed-mapping"): row("/api/v1/authorities/E08000031/feed-mapping",
                                                           "allowed forbidden forbidden allowed forbidden",
                                                           {"columns": {"Licence No": "licence_number"}}),
    ("GET", "/api/v1/feeds/template.csv"): row("/api/v1/feeds/template.csv", "allowed allowed allowed allowed forbidden"),
    ("GET", "/api/v1/feeds/template.xlsx"): row("/api/v1/feeds/template.xlsx",
                                               "allowed allowed allowed allowed forbidden"),
    # The statutory register (tests/integration/boundaries.py: `entry` is Wolverhampton's own; Manchester
    # sent the `concern`, asked for the `detail` and made the immediate `suspension`).
    ("POST", "/api/v1/decisions"): row("/api/v1/decisions", "allowed allowed allowed forbidden forbidden", DECISION_ENTRY),
    ("GET", "/api/v1/decisions"): row("/api/v1/decisions", "allowed minimised minimised forbidden forbidden"),
    # Bolton has been shown the entry by its search above (a search hit names the decisions), so it may
    # read it, minimised; an authority never shown an entry gets 404 (test_decisions_register.py).
    ("GET", "/api/v1/decisions/<int:decision_id>"): row("/api/v1/decisions/{entry}",
                                                       "allowed minimised minimised minimised forbidden"),
    ("POST", "/api/v1/concerns"): row("/api/v1/concerns", "allowed allowed allowed forbidden forbidden",
                                      {**CONCERN, "licence_id": "{own_licence}"}),
    ("GET", "/api/v1/concerns"): row("/api/v1/concerns", "allowed minimised allowed forbidden forbidden"),
    ("GET", "/api/v1/concerns/<int:concern_id>"): row("/api/v1/concerns/{concern}",
                                                     "allowed not_found allowed not_found forbidden"),
    ("POST", "/api/v1/concerns/<int:concern_id>/outcome"): row(
        "/api/v1/concerns/{concern}/outcome", "allowed not_found forbidden not_found forbidden",
        {"outcome": "suspended", "consideration": "Interviewed the driver; suspended pending review"}),
    ("POST", "/api/v1/detail-requests"): row("/api/v1/detail-requests", "allowed allowed allowed forbidden forbidden",
                                             {"decision_id": "{entry}", "question": "What led to it?"}),
    ("GET", "/api/v1/detail-requests"): row("/api/v1/detail-requests", "allowed minimised allowed forbidden forbidden"),
    ("GET", "/api/v1/detail-requests/<int:request_id>"): row("/api/v1/detail-requests/{detail}",
                                                            "allowed not_found allowed not_found forbidden"),
    ("POST", "/api/v1/detail-requests/<int:request_id>/answer"): row(
        "/api/v1/detail-requests/{detail}/answer", "allowed not_found forbidden not_found forbidden",
        {"answer": "Arrested on 1 November; the papers are held by our licensing team"}),
    ("POST", "/api/v1/immediate-suspensions"): row("/api/v1/immediate-suspensions",
                                                   "allowed allowed allowed forbidden forbidden", SUSPENSION),
    ("GET", "/api/v1/immediate-suspensions"): row("/api/v1/immediate-suspensions",
                                                  "allowed minimised allowed forbidden forbidden"),
    ("GET", "/api/v1/immediate-suspensions/<int:suspension_id>"): row("/api/v1/immediate-suspensions/{suspension}",
                                                                     "allowed not_found allowed not_found forbidden"),
    ("POST", "/api/v1/immediate-suspensions/<int:suspension_id>/response"): row(
        "/api/v1/immediate-suspensions/{suspension}/response", "allowed not_found forbidden not_found forbidden",
        {"action": "confirm"}),
    ("GET", "/api/v1/notices"): row("/api/v1/notices", "allowed minimised minimised forbidden forbidden"),
    ("POST", "/api/v1/notices/<int:notice_id>/read"): row("/api/v1/notices/{notice}/read",
                                                         "allowed not_found not_found not_found forbidden"),
    # Last: it withdraws the entry the rows above read.
    ("PATCH", "/api/v1/decisions/<int:decision_id>"): row("/api/v1/decisions/{entry}",
                                                         "allowed not_found not_found forbidden forbidden",
                                                         {"note": "Recorded against the wrong person", "withdraw": True}),
}


# The officers' pages have their own matrix, every page × role × own or another authority
# (tests/integration/pages/test_page_access.py); this one is the API's and the health checks'.
PAGE_BLUEPRINTS = ("pages.", "sign_in.")


def _served_routes(crosscheck) -> set[tuple[str, str]]:
    app = create_app(crosscheck)
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.endpoint.startswith(PAGE_BLUEPRINTS)
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_a_row(crosscheck):
    served = _served_routes(crosscheck)
    assert sorted(served - MATRIX.keys()) == [], "routes with no row in the access matrix: add one (see the top)"
    assert sorted(MATRIX.keys() - served) == [], "rows for routes no longer served"


def _fill(template, ids: dict):
    if template is None:
        return None
    text = json.dumps(template)
    for name, value in ids.items():
        text = text.replace(f'"{{{name}}}"', str(value)).replace(f"{{{name}}}", str(value))
    return json.loads(text)


def _call(web, method: str, row: dict, ids: dict, key: str | None):
    headers = bearer(key) if key else {}
    path = _fill(row["path"], ids)
    if method == "POST" and path.endswith("/feeds/licences"):
        from tests.feeds import feed
        return web.post(path, data=feed(), headers={**headers, "Content-Type": "text/csv"})
    if method == "POST" and path.endswith("/feeds/decisions"):
        return web.post(path, data=b"reference,decision,licence_type,decided_on\n",
                        headers={**headers, "Content-Type": "text/csv"})
    return web.open(path, method=method, headers=headers, json=_fill(row["body"], ids))


def _without_ids(response) -> str:
    return re.sub(r"\d+", "#", response.get_data().decode("utf-8", "replace"))


def test_every_cell_of_the_access_matrix(crosscheck, web, api_key):
    register = build_register(crosscheck, web, api_key)
    held_back = {caller: held_back_from(web, register, caller) for caller in CALLERS}
    failures = []
    for (method, rule), spec in MATRIX.items():
        for caller, outcome in spec["outcomes"].items():
            key = register.keys[caller]
            response = _call(web, method, spec, register.ids, key)
            status, text = response.status_code, response.get_data().decode("utf-8", "replace")
            where = f"{method} {rule} as {caller} ({outcome}): {status}"
            if outcome == ALLOWED and status in (401, 403, 404):
                failures.append(where)
            elif outcome == MINIMISED and not (200 <= status < 300 and not [v for v in held_back[caller] if v in text]):
                failures.append(f"{where} shows {[v for v in held_back[caller] if v in text]}")
            elif outcome == NOT_FOUND:
                missing = _call(web, method, spec, register.missing, key)
                if status != 404 or _without_ids(response) != _without_ids(missing):
                    failures.append(f"{where}, unlike a missing id: {text} / {missing.get_data(as_text=True)}")
            elif outcome == FORBIDDEN and status not in (401, 403):
                failures.append(where)
    assert failures == []
