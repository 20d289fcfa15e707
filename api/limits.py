"""Abuse limits: how often one API key, and one client address, may search, view drivers and
decide identities, and how many failed authentications an address may make.

A stolen or misused key must not be able to copy the register: the numbers below are generous for
the busiest licensing office and make harvesting take months (the arithmetic is in
docs/operations.md, "Abuse limits"). Every limit is per key (or officer) and, as a ceiling over
several keys in one office, per client address. Failed authentications are counted per address
before the key is even looked at, so guessing keys stops after a few tries.

Counters are shared by every gunicorn worker: Redis when CROSSCHECK_RATE_LIMIT_STORAGE names it,
otherwise a file under var/ (api/limit_counters.py). A breach answers 429 in the error shape of
api/errors.py, with Retry-After in seconds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import Flask, g, request
from flask_limiter import ApplicationLimit, Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from limits import parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from api.errors import error_response
from api.limit_counters import SCHEME
from licensing.config import Settings

# Endpoints whose limits hold even through a failed-authentication lockout: a load balancer's
# health checks from the same address must keep working.
_NEVER_LOCKED_OUT = ("health.", "api_contract.")


@dataclass(frozen=True)
class Rule:
    name: str  # CROSSCHECK_RATE_LIMIT_<NAME> overrides it
    endpoint: str | None  # None: every request (failed authentication)
    what: str  # for the 429 message: "Too many <what> ..."
    per_caller: str | None
    per_address: str


# Windows are fixed (the count restarts at the end of each hour or day).
RULES = (
    Rule("SEARCHES", "api_v1.search", "searches", per_caller="200 per hour;1000 per day",
         per_address="400 per hour;2000 per day"),
    Rule("DRIVER_VIEWS", "api_v1.get_driver", "driver views", per_caller="300 per hour;2000 per day",
         per_address="600 per hour;4000 per day"),
    Rule("IDENTITY_DECISIONS", "api_v1.decide", "identity decisions", per_caller="60 per hour;300 per day",
         per_address="120 per hour;600 per day"),
    Rule("FAILED_AUTHENTICATION", None, "failed authentications", per_caller=None,
         per_address="20 per minute;100 per hour"),
)


def install_limits(app: Flask, settings: Settings) -> Limiter | None:
    """Attach the limits to `app`; call once its blueprints are registered. Nothing is attached
    when CROSSCHECK_RATE_LIMITS is off."""
    if settings.proxy_hops:
        # Behind a reverse proxy every request comes from the proxy: the client address is the one
        # the trusted proxies put in X-Forwarded-For (only as many hops as configured are believed).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops)
    rules = {rule.name: _configured(rule, settings) for rule in RULES}
    if not settings.rate_limits_enabled:
        return None
    failed = rules["FAILED_AUTHENTICATION"]
    limiter = Limiter(
        _client_address,
        app=app,
        storage_uri=settings.rate_limit_storage or f"{SCHEME}://{settings.var_dir / 'rate_limits.db'}",
        key_prefix=settings.rate_limit_prefix,
        strategy="fixed-window",
        fail_on_first_breach=True,
        headers_enabled=False,  # Retry-After is set below, from the limit actually breached
        on_breach=_remember_breach,
        # If Redis is unreachable, count per worker in memory rather than refuse every request.
        in_memory_fallback_enabled=True,
        application_limits=[ApplicationLimit(
            failed.per_address, key_function=_client_address, scope="failed-authentication",
            deduct_when=lambda response: response.status_code == 401,
            exempt_when=lambda: (request.endpoint or "").startswith(_NEVER_LOCKED_OUT),
            error_message=_message(failed, "this address"),
        )],
    )
    for rule in rules.values():
        if rule.endpoint is None:
            continue
        view = app.view_functions[rule.endpoint]  # KeyError here: a limited route was renamed
        # Counted in this order, stopping at the first breached: a key over its own limit does not
        # use up its office's (the address's) allowance for the other systems there.
        view = limiter.limit(rule.per_caller, key_func=_caller, error_message=_message(rule, "this API key"))(view)
        view = limiter.limit(rule.per_address, key_func=_client_address, error_message=_message(rule, "this address"))(view)
        app.view_functions[rule.endpoint] = view
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    app.extensions["abuse_limits"] = limiter  # the decorators hold it only weakly
    return limiter


def _configured(rule: Rule, settings: Settings) -> Rule:
    overrides = {}
    for part, field in (("PER_KEY", "per_caller"), ("PER_ADDRESS", "per_address")):
        name = f"CROSSCHECK_RATE_LIMIT_{rule.name}_{part}"
        value = settings.env.get(name)
        if value:
            try:
                parse_many(value)
            except ValueError:
                raise ValueError(f"{name} must read like '200 per hour;1000 per day', not {value!r}") from None
            overrides[field] = value
    return Rule(**{**rule.__dict__, **overrides})


def _message(rule: Rule, source: str) -> str:
    return f"Too many {rule.what} from {source}"


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _caller() -> str:
    caller = g.caller  # set by the blueprint's authentication guard, which runs before the view
    return f"{caller.kind}:{caller.key_id if caller.key_id is not None else caller.user_id}"


def _remember_breach(limit: RequestLimit) -> None:
    # Several limits may be breached at once; the one that frees up last decides Retry-After.
    earlier = g.get("rate_limit_breach")
    if earlier is None or limit.reset_at > earlier.reset_at:
        g.rate_limit_breach = limit


def _too_many_requests(error: RateLimitExceeded):
    breach = g.get("rate_limit_breach")
    wait = max(1, math.ceil(breach.reset_at - time.time())) if breach else 60
    limit = f" (the limit is {breach.limit})" if breach else ""
    response = error_response(429, [{"error": "too_many_requests", "message": (
        f"{error.description}{limit}; try again in {wait} seconds. The limits keep the register from being "
        "copied wholesale; if your office needs more, ask the service operator")}])
    response.headers["Retry-After"] = str(wait)
    return response
