"""The officers' pages: GOV.UK Design System pages for licensing officers, enforcement officers,
authority admins and the national operator. Two blueprints: `sign_in` (the only pages open to
someone not signed in) and `pages` (everything else, guarded by `require_officer`). Both send a
strict Content-Security-Policy and check a CSRF token on every form."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from api.pages.guard import CSP, protect_forms, require_officer, security_headers
from api.pages.render import FILTERS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

sign_in = Blueprint("sign_in", __name__)
sign_in.unauthenticated = True
sign_in.content_security_policy = CSP
sign_in.before_request(protect_forms)
sign_in.after_request(security_headers)

pages = Blueprint("pages", __name__)
pages.content_security_policy = CSP
pages.before_request(protect_forms)
pages.before_request(require_officer)
pages.after_request(security_headers)

csrf = CSRFProtect()


def init_pages(app: Flask) -> None:
    settings = app.extensions["crosscheck"].settings
    app.secret_key = _secret_key(settings)
    # The session cookie holds only the server-side session's token and the CSRF token.
    local = settings.public_base_url.startswith(("http://127.0.0.1", "http://localhost"))
    app.config.update(
        SESSION_COOKIE_NAME="crosscheck_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # Lax, not Strict: a link in an alert email must arrive signed in
        # Browsers keep Secure cookies only over HTTPS; the local demo is served over plain HTTP.
        SESSION_COOKIE_SECURE=not local,
        # The token is checked by the pages' own guard (protect_forms), never on the bearer-key API.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # the session's own timeouts bound it
    )
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(TEMPLATES),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ])
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(FILTERS)
    csrf.init_app(app)
    app.register_blueprint(sign_in)
    app.register_blueprint(pages)


# Routes and error pages attach to the blueprints once, when this package is first imported.
from api.pages import account, admin, errors, feeds, findings, identity_reviews, operator, people  # noqa: E402,F401
from api.pages import concerns, decisions, detail_requests, notices, overdue, suspensions  # noqa: E402,F401


def _secret_key(settings) -> str:
    """CROSSCHECK_SECRET_KEY in production (the same for every web worker); otherwise one made once
    and kept under the var directory, so the demo's sessions survive a restart."""
    configured = settings.env.get("CROSSCHECK_SECRET_KEY")
    if configured:
        return configured
    path = settings.var_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        key = secrets.token_urlsafe(48)
        file.write(key)
    return key
