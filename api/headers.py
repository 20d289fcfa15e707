"""Response headers fit for safeguarding data, on every response the app sends.

The Content-Security-Policy is chosen by blueprint: the API (and anything without a policy of its
own, 404s included) gets `default-src 'none'`, which lets a browser render nothing from a JSON
answer. A blueprint that serves pages sets `content_security_policy` on itself to the strict
policy its pages need (its own scripts and styles only, say); frame denial is added to every policy.
"""

from __future__ import annotations

from flask import Flask, Response, request

API_POLICY = "default-src 'none'"
FRAME_DENIAL = "frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def content_security_policy(app: Flask) -> str:
    blueprint = app.blueprints.get(request.blueprint or "")
    policy = getattr(blueprint, "content_security_policy", None) or API_POLICY
    return f"{policy}; {FRAME_DENIAL}"


def add_security_headers(app: Flask, response: Response, *, behind_tls: bool) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    # Answers carry personal data: no browser, proxy or gateway may keep a copy.
    headers["Cache-Control"] = "no-store"
    headers["Content-Security-Policy"] = content_security_policy(app)
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if behind_tls:
        headers["Strict-Transport-Security"] = HSTS
    return response
