"""The Flask app factory: the JSON API under /api/v1, health checks and the officers' pages."""

from __future__ import annotations

import logging
import time
import uuid

from datetime import date, datetime

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider

from api.errors import register_error_handlers
from licensing.bootstrap import Crosscheck
from licensing.logs import correlation_id

log = logging.getLogger("api.access")


class IsoJSONProvider(DefaultJSONProvider):
    """Dates and times as ISO 8601, as openapi.yaml promises (Flask's default is RFC 822)."""

    sort_keys = False

    @staticmethod
    def default(value):
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        return DefaultJSONProvider.default(value)


class CrosscheckFlask(Flask):
    json_provider_class = IsoJSONProvider


def create_app(crosscheck: Crosscheck | None = None) -> Flask:
    crosscheck = crosscheck or Crosscheck()
    app = CrosscheckFlask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = crosscheck.settings.feed_max_bytes
    app.extensions["crosscheck"] = crosscheck

    @app.before_request
    def _start_request():
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()
        correlation_id.set(g.request_id)

    @app.after_request
    def _finish_request(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        # Paths carry ids only (personal data is never put in a URL), so the path is safe to log.
        log.info("request", extra={"method": request.method, "path": request.path, "status": response.status_code,
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
    return app


def crosscheck_of(app: Flask) -> Crosscheck:
    return app.extensions["crosscheck"]
