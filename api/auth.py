"""Bearer API keys. Each blueprint that needs a caller registers `require_api_key` as its
before_request guard; a test fails if any route is left unguarded."""

from __future__ import annotations

from flask import current_app, g, request

from licensing.errors import Forbidden, Unauthorised
from licensing.actors import Actor
from licensing.services.api_keys import authenticate


def require_api_key() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Unauthorised("Send your API key as 'Authorization: Bearer <key>'")
    with current_app.extensions["crosscheck"].lookup() as uow:
        g.caller = authenticate(uow, presented.strip())


def current_caller() -> Actor:
    return g.caller


def require_operator() -> Actor:
    caller = current_caller()
    if not caller.is_operator:
        raise Forbidden("Only the service operator's keys may do this")
    return caller


def require_authority() -> Actor:
    caller = current_caller()
    if caller.authority_code is None:
        raise Forbidden("This needs an authority's API key")
    return caller
