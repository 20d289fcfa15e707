"""Signing in through the pages: the second factor, a required one, and coming back to the page an
alert email linked to."""

from __future__ import annotations

import re

import pyotp

from licensing.services import users
from tests.integration.pages.register import WOLVERHAMPTON, add_user, csrf_token, sign_in

EMAIL = "enforcement_officer@e08000031.example"


def test_an_alert_link_leads_through_sign_in_to_its_page_and_never_off_the_site(crosscheck, web):
    add_user(crosscheck, "enforcement_officer", WOLVERHAMPTON)
    assert web.get("/findings/7").headers["Location"] == "/sign-in?next=/findings/7"
    response = web.post("/sign-in", data={"email": EMAIL, "password": "a long pass phrase", "next": "/findings/7",
                                          "csrf_token": csrf_token(web)})
    assert response.headers["Location"] == "/findings/7"
    web.post("/sign-out", data={"csrf_token": csrf_token(web, "/findings")})
    response = web.post("/sign-in", data={"email": EMAIL, "password": "a long pass phrase",
                                          "next": "//elsewhere.example/", "csrf_token": csrf_token(web)})
    assert response.headers["Location"] == "/"


def test_an_officer_with_an_authenticator_app_needs_its_code(crosscheck, web):
    user = add_user(crosscheck, "enforcement_officer", WOLVERHAMPTON)
    secret = users.new_totp_secret()
    with crosscheck.unit_of_work() as uow:
        users.set_up_two_factor(uow, user.id, secret, pyotp.TOTP(secret).now())
        uow.session.get(type(user), user.id).totp_last_step = None  # let the current code sign in
        uow.commit()
    assert sign_in(web, EMAIL).headers["Location"].startswith("/sign-in/code")
    # Half signed in is not signed in.
    assert web.get("/findings").headers["Location"] == "/sign-in/code"
    wrong = web.post("/sign-in/code", data={"code": "12345", "csrf_token": csrf_token(web, "/sign-in/code")})
    assert wrong.status_code == 400 and "There is a problem" in wrong.get_data(as_text=True)
    right = web.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now(),
                                            "csrf_token": csrf_token(web, "/sign-in/code")})
    assert right.status_code == 302 and web.get("/findings").status_code == 200


def test_where_the_authority_requires_a_second_factor_an_officer_sets_one_up_before_going_on(crosscheck, web):
    admin = add_user(crosscheck, "authority_admin", WOLVERHAMPTON)
    with crosscheck.unit_of_work() as uow:
        users.set_two_factor_required(uow, users.actor_of(admin), WOLVERHAMPTON, True)
    add_user(crosscheck, "enforcement_officer", WOLVERHAMPTON)
    assert sign_in(web, EMAIL).headers["Location"] == "/sign-in/set-up-code"
    assert web.get("/findings").headers["Location"] == "/sign-in/set-up-code"
    page = web.get("/sign-in/set-up-code").get_data(as_text=True)
    secret = re.search(r'id="totp-key">([A-Z2-7]+)<', page).group(1)
    done = web.post("/sign-in/set-up-code", data={"code": pyotp.TOTP(secret).now(),
                                                  "csrf_token": csrf_token(web, "/sign-in/set-up-code")})
    assert done.status_code == 302 and web.get("/findings").status_code == 200


def test_an_admin_sets_a_new_password_for_a_locked_out_colleague(crosscheck, web):
    officer = add_user(crosscheck, "enforcement_officer", WOLVERHAMPTON)
    for _ in range(users.MAX_FAILED_SIGN_INS):
        sign_in(web, EMAIL, "a wrong pass phrase")
    assert "locked" in sign_in(web, EMAIL).get_data(as_text=True)
    add_user(crosscheck, "authority_admin", WOLVERHAMPTON)
    sign_in(web, "authority_admin@e08000031.example")
    path = f"/users/{officer.id}/password"
    short = web.post(path, data={"password": "short", "csrf_token": csrf_token(web, path)})
    assert short.status_code == 400 and "at least 12" in short.get_data(as_text=True)
    assert web.post(path, data={"password": "a brand new phrase", "csrf_token": csrf_token(web, path)}).status_code == 302
    web.post("/sign-out", data={"csrf_token": csrf_token(web, "/users")})
    assert sign_in(web, EMAIL, "a brand new phrase").headers["Location"] == "/"


def test_a_service_on_https_sends_its_session_cookie_secure_only(crosscheck, settings, postcode_directory):
    from dataclasses import replace

    from api.app import create_app
    from licensing.bootstrap import Crosscheck

    public = Crosscheck(replace(settings, public_base_url="https://crosscheck.example"), engine=crosscheck.engine,
                        postcodes=postcode_directory)
    client = create_app(public).test_client()
    add_user(crosscheck, "enforcement_officer", WOLVERHAMPTON)
    response = sign_in(client, EMAIL)
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
