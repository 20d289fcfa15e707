"""One place maps errors to responses, in one shape:
{"status_code": 400, "errors": [{"error": "invalid_request", "message": "..."}]}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from api.bounds import too_large_message
from licensing.errors import Conflict, DomainError, Forbidden, NotFound, Unauthorised

log = logging.getLogger(__name__)

_STATUS = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Unauthorised: 401,
}


_HTTP_ERROR_CODES = {400: "invalid_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
                     415: "unsupported_media_type"}


def error_response(status: int, errors: list[dict]):
    response = jsonify({"status_code": status, "errors": errors})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="crosscheck"'
    return response


def _status_for(error: DomainError) -> int:
    for kind, status in _STATUS.items():
        if isinstance(error, kind):
            return status
    return getattr(error, "http_status", 400)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        errors = [{"error": error.code, "message": error.message}]
        errors += [{"error": error.code, **detail} for detail in error.details]
        return error_response(_status_for(error), errors)

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):
        return error_response(400, [
            {"error": "invalid_request", "field": field, "message": " ".join(_flatten(messages))}
            for field, messages in _by_field(error.messages).items()
        ])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = _HTTP_ERROR_CODES.get(error.code, "http_error")
        message = too_large_message() if error.code == 413 else error.description
        response = error_response(error.code or 500, [{"error": code, "message": message}])
        # The headers the error carries (Allow on a 405, say) are part of the answer.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unhandled error")
        return error_response(500, [{"error": "internal_error",
                                     "message": "Something went wrong on our side; it has been logged"}])


def _by_field(messages) -> dict:
    if isinstance(messages, dict):
        return messages
    return {"_schema": messages}


def _flatten(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flatten(value)]
    return [m for value in messages for m in _flatten(value)]
