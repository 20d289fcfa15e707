"""Signing in (password, then the code from an authenticator app where the officer has one),
setting up that second factor, and signing out."""

from __future__ import annotations

from flask import current_app, g, redirect, request, session, url_for

from api.pages import pages, sign_in
from api.pages.guard import signed_in_token
from api.pages.render import MENUS, page
from licensing.errors import DomainError
from licensing.services import sessions, users


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _next_page() -> str:
    # Only a path on this site: never an open redirect.
    target = request.values.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else url_for("pages.home")


def _begin(user_id: int, *, verified: bool) -> None:
    with _crosscheck().unit_of_work() as uow:
        token = sessions.start_session(uow, user_id, verified=verified)
    session.clear()  # a fresh cookie (and CSRF token) for the signed-in session
    session["token"] = token


@sign_in.route("/sign-in", methods=["GET", "POST"])
def sign_in_page():
    errors, email = {}, ""
    if request.method == "POST":
        email, password = request.form.get("email", "").strip(), request.form.get("password", "")
        if not email:
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            try:
                with _crosscheck().unit_of_work() as uow:
                    outcome = users.check_password(uow, email, password)
            except users.SignInRefused as refused:
                errors["email"] = refused.message
            else:
                _begin(outcome.user.id, verified=not (outcome.needs_code or outcome.needs_setup))
                if outcome.needs_code:
                    return redirect(url_for("sign_in.code_page", next=request.values.get("next")))
                if outcome.needs_setup:
                    return redirect(url_for("sign_in.set_up_code_page"))
                return redirect(_next_page())
    return page("account/sign_in.html", title="Sign in to Crosscheck", errors=errors, email=email,
                next=request.values.get("next") or "", status=400 if errors else 200)


def _half_signed_in():
    with _crosscheck().unit_of_work() as uow:
        return sessions.resume_session(uow, signed_in_token())


@sign_in.route("/sign-in/code", methods=["GET", "POST"])
def code_page():
    resumed = _half_signed_in()
    if resumed is None:
        return redirect(url_for("sign_in.sign_in_page"))
    errors = {}
    if request.method == "POST":
        try:
            with _crosscheck().unit_of_work() as uow:
                users.check_code(uow, resumed.user.id, request.form.get("code", ""))
                token = sessions.verify_session(uow, signed_in_token())
        except users.SignInRefused as refused:
            errors["code"] = refused.message
        else:
            session.clear()
            session["token"] = token
            return redirect(_next_page())
    return page("account/code.html", title="Enter the code from your authenticator app", errors=errors,
                next=request.values.get("next") or "", status=400 if errors else 200)


def _set_up(resumed_user, *, then: str):
    errors = {}
    secret = session.get("new_totp_secret") or users.new_totp_secret()
    session["new_totp_secret"] = secret
    if request.method == "POST":
        try:
            with _crosscheck().unit_of_work() as uow:
                users.set_up_two_factor(uow, resumed_user.id, secret, request.form.get("code", ""))
                token = sessions.verify_session(uow, signed_in_token())
        except DomainError as error:
            errors["code"] = error.message
        else:
            session.clear()
            session["token"] = token
            return redirect(then)
    return page("account/set_up_code.html", title="Set up an authenticator app", errors=errors, secret=secret,
                uri=users.totp_uri(resumed_user, secret), status=400 if errors else 200,
                back={"href": url_for("pages.home")} if g.get("actor") else None)


@sign_in.route("/sign-in/set-up-code", methods=["GET", "POST"])
def set_up_code_page():
    """Where an authority requires a second factor, an officer without one sets it up before going on."""
    resumed = _half_signed_in()
    if resumed is None:
        return redirect(url_for("sign_in.sign_in_page"))
    return _set_up(resumed.user, then=url_for("pages.home"))


@pages.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_page():
    return _set_up(g.officer, then=url_for("pages.home"))


@sign_in.post("/sign-out")
def sign_out():
    with _crosscheck().unit_of_work() as uow:
        sessions.end_session(uow, signed_in_token())
    session.clear()
    return redirect(url_for("sign_in.signed_out_page"))


@sign_in.get("/signed-out")
def signed_out_page():
    return page("account/signed_out.html", title="You have signed out")


@sign_in.get("/help")
def help_page():
    return page("account/help.html", title="Help and privacy")


@pages.get("/")
def home():
    """Each role starts where its work is."""
    endpoint, _ = MENUS[g.actor.role][0]
    return redirect(url_for(endpoint))
