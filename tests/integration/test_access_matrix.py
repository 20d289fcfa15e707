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
DECISION = {"licence_a": "{own_licence}", "licence_b": "{sharing_licence}", "verdict": "same",
            "reason": "The same man: both licensing teams agree"}


def row(path: str, outcomes: str, body: dict | None = None) -> dict:
    cells = outcomes.split()
    assert len(cells) == len(CALLERS), f"{path}: one outcome per caller {CALLERS}"
    return {"path": path, "body": body, "outcomes": dict(zip(CALLERS, cells, strict=True))}


#                                                      path                                       own       other     sharing   operator  no_key
MATRIX = {
    ("GET", "/"): row("/", "allowed allowed allowed allowed allowed"),
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
}


def _served_routes(crosscheck) -> set[tuple[str, str]]:
    app = create_app(crosscheck)
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
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
    return web.open(path, method=method, headers=headers, json=_fill(row["body"], ids))


def _without_ids(response) -> str:
    return re.sub(r"\d+", "#", response.get_data(as_text=True))


def test_every_cell_of_the_access_matrix(crosscheck, web, api_key):
    register = build_register(crosscheck, web, api_key)
    held_back = {caller: held_back_from(web, register, caller) for caller in CALLERS}
    failures = []
    for (method, rule), spec in MATRIX.items():
        for caller, outcome in spec["outcomes"].items():
            key = register.keys[caller]
            response = _call(web, method, spec, register.ids, key)
            status, text = response.status_code, response.get_data(as_text=True)
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
