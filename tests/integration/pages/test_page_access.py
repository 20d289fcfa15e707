"""Every page × every role × own or another authority, on both databases: an officer sees only
what their role and their authority allow."""

from __future__ import annotations

import pytest

from tests.integration.pages.register import (
    BOLTON, PASSWORD, ROLES, WOLVERHAMPTON, csrf_token, email_of, load_register, sign_in,
)
from tests.integration.pages.statutory import load_statutory

SEARCH, ENFORCE, ADMIN, OPERATE = ({"licensing_officer", "enforcement_officer"}, {"enforcement_officer"},
                                   {"authority_admin"}, {"operator"})
# The statutory register's pages: licensing work, any officer of the authority, and the 2026 power.
LICENSING, OFFICERS, SUSPEND = ({"licensing_officer", "authority_admin"}, set(ROLES[:3]),
                                {"enforcement_officer", "authority_admin"})
# path template, the roles it is for, and whether it shows one authority's object (404 to others).
PAGES = [
    ("/search", SEARCH, False),
    ("/people/{driver}", SEARCH, True),
    ("/findings", ENFORCE, False),
    ("/findings/{finding}", ENFORCE, True),
    ("/findings?type=out_of_area&authority=E08000003", ENFORCE, False),
    ("/findings/export.csv", ENFORCE, False),
    ("/identity-reviews", SEARCH, False),
    ("/feeds", ADMIN, False),
    ("/feeds/upload", ADMIN, False),
    ("/feeds/{feed}", ADMIN, True),
    ("/feeds/mapping", ADMIN, False),
    ("/users", ADMIN, False),
    ("/users/new", ADMIN, False),
    ("/users/{user}/password", ADMIN, True),
    ("/api-keys", ADMIN, False),
    ("/team", ADMIN, False),
    ("/status", OPERATE, False),
    ("/account/two-factor", set(ROLES), False),
    ("/decisions", LICENSING, False),
    ("/decisions/new", LICENSING, False),
    ("/decisions/{decision}", OFFICERS, True),
    ("/decisions/{decision}/amend", LICENSING, True),
    ("/decisions/{decision}/appeal", LICENSING, True),
    ("/decisions/{decision}/withdraw", LICENSING, True),
    ("/concerns", OFFICERS, False),
    ("/concerns/new?licence={licence}", SEARCH, False),
    ("/concerns/{concern}", OFFICERS, True),
    ("/requests", OFFICERS, False),
    ("/requests/new?licence={licence}", OFFICERS, False),
    ("/requests/{request}", OFFICERS, True),
    ("/suspensions", OFFICERS, False),
    ("/suspensions/new?licence={licence}", SUSPEND, False),
    ("/suspensions/{suspension}", OFFICERS, True),
    ("/overdue", OFFICERS, False),
    ("/notices", OFFICERS, False),
]


@pytest.fixture
def register(crosscheck):
    return load_register(crosscheck)


def test_every_page_answers_each_role_of_each_authority_as_it_should(crosscheck, web, register):
    register = register | load_statutory(crosscheck)
    officers = [(role, code) for role in ROLES[:3] for code in (WOLVERHAMPTON, BOLTON)] + [("operator", None)]
    for role, code in officers:
        web.cookie_jar.clear() if hasattr(web, "cookie_jar") else None
        web.post("/sign-out", data={"csrf_token": csrf_token(web)})
        assert sign_in(web, email_of(role, code)).status_code == 302
        for template, roles, owned in PAGES:
            path = template.format(**register)
            response = web.get(path)
            if role not in roles:
                expected = 403
            elif owned and code == BOLTON:
                expected = 404  # the same answer as for an id that does not exist
            else:
                expected = 200
            assert response.status_code == expected, f"{role} of {code} at {path}"
            body = response.get_data(as_text=True)
            if expected == 404:
                assert "MAHMOOD" not in body.upper()
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
            assert response.headers["Cache-Control"] == "no-store"


def test_pages_need_a_signed_in_officer_and_sign_out_ends_the_session_on_the_server(crosscheck, web, register):
    assert web.get("/findings").headers["Location"].startswith("/sign-in?next=/findings")
    response = sign_in(web, email_of("enforcement_officer", WOLVERHAMPTON))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert web.get("/findings").status_code == 200
    stolen = web.get_cookie("crosscheck_session").value
    assert web.post("/sign-out", data={"csrf_token": csrf_token(web, "/findings")}).status_code == 302
    # The old cookie, replayed, is worth nothing: the session ended on the server.
    web.set_cookie("crosscheck_session", stolen)
    assert web.get("/findings").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(crosscheck, web, register):
    assert web.post("/sign-in", data={"email": email_of("authority_admin", WOLVERHAMPTON),
                                      "password": PASSWORD}).status_code == 400
    sign_in(web, email_of("authority_admin", WOLVERHAMPTON))
    assert web.post("/api-keys", data={"label": "forged"}).status_code == 400
    assert "forged" not in web.get("/api-keys").get_data(as_text=True)


def test_search_takes_no_query_from_the_url_and_its_results_have_no_address(crosscheck, web, register):
    sign_in(web, email_of("licensing_officer", WOLVERHAMPTON))
    assert "MAHMOOD" not in web.get("/search?surname=MAHMOOD&reason=enforcement").get_data(as_text=True)
    response = web.post("/search", data={"csrf_token": csrf_token(web, "/search"), "reason": "enforcement",
                                         "surname": "Mahmood", "forenames": "Tariq", "date_of_birth-day": "15",
                                         "date_of_birth-month": "3", "date_of_birth-year": "1979"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Why this matched" in body and "Manchester" in body
    missing_reference = web.post("/search", data={"csrf_token": csrf_token(web, "/search"),
                                                  "reason": "licence_application", "surname": "Mahmood"})
    assert missing_reference.status_code == 400 and "There is a problem" in missing_reference.get_data(as_text=True)


def test_forms_refuse_other_roles_and_other_authorities_objects(crosscheck, web, register):
    from sqlalchemy import select

    from licensing.services.api_keys import create_api_key
    from licensing.store.findings import Finding
    from licensing.store.models import ApiKey

    with crosscheck.unit_of_work() as uow:
        create_api_key(uow, WOLVERHAMPTON, label="Wolverhampton's system")
        key_id = uow.session.execute(select(ApiKey.id).where(ApiKey.authority_code == WOLVERHAMPTON)).scalar_one()
    sign_in(web, email_of("enforcement_officer", WOLVERHAMPTON))
    token = csrf_token(web, "/findings")
    assert web.post("/api-keys", data={"label": "mine now", "csrf_token": token}).status_code == 403
    assert web.post("/status/emails/1/resend", data={"csrf_token": token}).status_code == 403
    web.post("/sign-out", data={"csrf_token": token})

    sign_in(web, email_of("authority_admin", BOLTON))
    token = csrf_token(web, "/api-keys")
    assert web.post(f"/api-keys/{key_id}/revoke", data={"csrf_token": token}).status_code == 404
    assert web.post(f"/feeds/{register['feed']}/confirm", data={"csrf_token": token}).status_code == 404
    web.post("/sign-out", data={"csrf_token": token})

    sign_in(web, email_of("enforcement_officer", BOLTON))
    token = csrf_token(web, "/findings")
    response = web.post(f"/findings/{register['finding']}", data={"action": "dismiss", "reason": "not ours",
                                                                   "csrf_token": token})
    assert response.status_code == 404 and "MAHMOOD" not in response.get_data(as_text=True).upper()
    with crosscheck.unit_of_work(write=False) as uow:
        assert uow.session.get(ApiKey, key_id).revoked_at is None
        assert uow.session.get(Finding, register["finding"]).status == "open"


def test_a_file_uploaded_from_the_pages_is_a_feed_the_api_reports_too(crosscheck, web, register, api_key):
    import io

    from tests.conftest import bearer
    from tests.feeds import feed

    sign_in(web, email_of("authority_admin", BOLTON))
    wrong = web.post("/feeds/upload", data={"csrf_token": csrf_token(web, "/feeds/upload"),
                                            "register": (io.BytesIO(b"x"), "register.xlsx")})
    assert wrong.status_code == 400 and "CSV (.csv) or JSON (.json)" in wrong.get_data(as_text=True)
    body = feed("B1,private_hire_driver,active,2024-01-01,2027-01-01,JONES,Alex,1980-01-01,,,1 Deansgate,BL1 1AA")
    sent = web.post("/feeds/upload", data={"csrf_token": csrf_token(web, "/feeds/upload"),
                                           "register": (io.BytesIO(body), "register.csv")})
    feed_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    reported = web.get(f"/api/v1/feeds/{feed_id}", headers=bearer(api_key(BOLTON)))
    assert reported.status_code == 200 and reported.json["source"] == "upload"


# Pages that, opened by address, only send the officer on: a concern's finding to the concern
# (test_statutory_pages.py), and a new API key, shown once just after it is made (test_journeys.py).
REDIRECTS = {"/findings/*/concern", "/api-keys/new"}
# Pages whose object needs a register of their own, with their rows in their own module's matrix:
# a pair in the identity review band (test_identity_review_pages.py).
MATRIX_ELSEWHERE = {"/identity-reviews/*/*": SEARCH}


def test_every_page_for_some_roles_is_in_the_matrix_with_those_roles(web):
    import re

    def shape(path: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "*", path.split("?")[0])

    listed = {shape(template): roles for template, roles, _ in PAGES} | MATRIX_ELSEWHERE
    app = web.application
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "roles", None)
        if not rule.endpoint.startswith("pages.") or "GET" not in rule.methods or roles is None:
            continue
        if shape(rule.rule) in REDIRECTS:
            continue
        assert shape(rule.rule) in listed, f"{rule.rule} is not in the page matrix"
        assert set(roles) == listed[shape(rule.rule)], f"{rule.rule}: the matrix and the page disagree on roles"
