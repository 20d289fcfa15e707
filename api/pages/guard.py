"""Who may see a page: the signed-in officer's session (kept on the server), their role, and the
headers every page carries."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for

from licensing.actors import Actor, Role
from licensing.services.sessions import resume_session
from licensing.services.users import actor_of
from licensing.store.models import Authority

# No inline script or style anywhere: everything comes from the service's own /static. The app's
# security headers (api/headers.py) send it for the pages' blueprints, with frame denial added.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'")
# What pages carry beyond the app's headers for every response.
_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def security_headers(response):
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def protect_forms() -> None:
    if request.method == "POST":
        from api.pages import csrf

        csrf.protect()


def signed_in_token() -> str | None:
    return session.get("token")


def require_officer():
    """Every page but sign-in needs a fully signed-in officer (password and, where set up, code)."""
    settings = current_app.extensions["crosscheck"].settings
    with current_app.extensions["crosscheck"].unit_of_work(write=False) as uow:
        resumed = resume_session(uow, signed_in_token(), idle=timedelta(minutes=settings.session_idle_minutes),
                                 absolute=timedelta(hours=settings.session_absolute_hours))
        authority = uow.session.get(Authority, resumed.user.authority_code) if resumed and resumed.user.authority_code else None
    if resumed is not None and not resumed.verified:
        # Half-way through signing in: the second factor (or setting one up) comes first.
        return redirect(url_for("sign_in.code_page" if resumed.user.totp_secret else "sign_in.set_up_code_page"))
    if resumed is None:
        session.pop("token", None)
        # Only the path goes into `next`: page URLs carry ids, never personal data.
        return redirect(url_for("sign_in.sign_in_page", next=request.path if request.method == "GET" else None))
    g.officer = resumed.user
    g.actor = actor_of(resumed.user)
    g.authority_name = authority.name if authority else None
    return None


def current_actor() -> Actor:
    return g.actor


def for_roles(*roles: Role):
    """A page for these roles only; anyone else signed in gets 403."""
    def decorate(view):
        view.roles = frozenset(roles)

        @wraps(view)
        def guarded(*args, **kwargs):
            if g.actor.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        guarded.roles = view.roles
        return guarded

    return decorate


SEARCHERS = (Role.LICENSING_OFFICER, Role.ENFORCEMENT_OFFICER)
ENFORCEMENT = (Role.ENFORCEMENT_OFFICER,)
ADMINS = (Role.AUTHORITY_ADMIN,)
OPERATORS = (Role.OPERATOR,)
