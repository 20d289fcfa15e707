"""The Flask app factory: the JSON API under /api/v1, health checks and the officers' pages."""

from __future__ import annotations

import logging
import re
import time
import uuid

from datetime import date, datetime

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider

from api.bounds import ApiRequest, RecordIdConverter, check_json_depth, limit_request_body
from api.errors import register_error_handlers
from api.headers import add_security_headers
from api.limits import install_limits
from licensing.bootstrap import Crosscheck
from licensing.logs import correlation_id

log = logging.getLogger("api.access")

# A client's request id is kept only if it cannot carry anything but an id into our logs.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class IsoJSONProvider(DefaultJSONProvider):
    """Dates and times as ISO 8601, as openapi.yaml promises (Flask's default is RFC 822); JSON
    bodies nested only so deep."""

    sort_keys = False

    @staticmethod
    def default(value):
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        return DefaultJSONProvider.default(value)

    def loads(self, s, **kwargs):
        check_json_depth(s)
        return super().loads(s, **kwargs)


class CrosscheckFlask(Flask):
    json_provider_class = IsoJSONProvider
    request_class = ApiRequest


def logged_route() -> str | None:
    """The route the request matched, as written in the code ('/api/v1/drivers/<driver_id>'): the
    raw path is never logged, because a careless client may have put a name or a date in it."""
    rule = request.url_rule
    return _CONVERTER.sub(r"<\1>", rule.rule) if rule is not None else None


def create_app(crosscheck: Crosscheck | None = None) -> Flask:
    crosscheck = crosscheck or Crosscheck()
    app = CrosscheckFlask(__name__)
    app.extensions["crosscheck"] = crosscheck
    # Before any route is added: every <int:...> in a URL is an id that fits the database.
    app.url_map.converters["int"] = RecordIdConverter

    @app.before_request
    def _start_request():
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        correlation_id.set(g.request_id)

    app.before_request(limit_request_body)

    @app.after_request
    def _finish_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        add_security_headers(app, response, behind_tls=crosscheck.settings.behind_tls)
        log.info("request", extra={"method": request.method, "route": logged_route(), "status": response.status_code,
                                   "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1)})
        return response

    register_error_handlers(app)

    from api.health import health
    from api.pages import init_pages
    from api.v1 import api_v1, contract

    app.register_blueprint(health)
    init_pages(app)
    app.register_blueprint(contract, url_prefix="/api/v1")
    app.register_blueprint(api_v1, url_prefix="/api/v1")
    install_limits(app, crosscheck.settings)
    return app


def crosscheck_of(app: Flask) -> Crosscheck:
    return app.extensions["crosscheck"]
