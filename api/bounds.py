"""Bounded requests: every view accepts a body of a size that fits it, checked before a byte of the
body is read; JSON is nested only so deep; ids in URLs fit the database's integer columns.

A view states its own limit with `@body_limit(...)` under its route decorator; a view that states
none gets DEFAULT_BODY_LIMIT, which fits every JSON request of the API (a search, a status change, a
settings change: a few hundred bytes). Only feed uploads opt into the operator's large feed limit."""

from __future__ import annotations

from marshmallow import validate

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Request, current_app, g, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.routing import IntegerConverter

from licensing.config import Settings

DEFAULT_BODY_LIMIT = 16 * 1024
# Deep enough for any body the API takes (the deepest is a JSON feed: an object, a list, rows);
# far below the depth at which a parser recurses out of stack.
MAX_JSON_DEPTH = 16
# Ids are INTEGER columns on both databases; a larger number cannot name a record.
LARGEST_ID = 2**31 - 1
# For ids inside request bodies: beyond the largest id a record can have is a 400, never a 500.
RECORD_ID = validate.Range(min=1, max=LARGEST_ID)


@dataclass(frozen=True)
class BodyLimit:
    bytes_for: Callable[[Settings], int]
    # The setting an operator turns to change it, named in the 413 answer; None for a fixed limit.
    setting: str | None = None


def body_limit(limit: int | BodyLimit):
    """Declare the largest body a view accepts."""
    declared = limit if isinstance(limit, BodyLimit) else BodyLimit(lambda _settings: limit)

    def declare(view):
        view.body_limit = declared
        return view

    return declare


FEED_BODY_LIMIT = BodyLimit(lambda settings: settings.feed_max_bytes, setting="CROSSCHECK_FEED_MAX_BYTES")


def limit_request_body() -> None:
    """Runs before any other request hook (so before authentication), while the body is unread."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    declared = getattr(view, "body_limit", None) or BodyLimit(lambda _settings: DEFAULT_BODY_LIMIT)
    g.body_limit = declared
    g.body_limit_bytes = declared.bytes_for(current_app.extensions["crosscheck"].settings)
    # A body that announces its length is refused here, unread.
    request.max_content_length = g.body_limit_bytes
    if request.content_length is not None and request.content_length > g.body_limit_bytes:
        raise RequestEntityTooLarge()
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # Werkzeug stops reading a streamed body at the limit but hands over what it read as if
        # it were all; so read one byte more than the limit (no further) to tell "too large" from
        # "exactly at the limit". The view then gets the body from the request's cache.
        request.max_content_length = g.body_limit_bytes + 1
        if len(request.get_data(cache=True)) > g.body_limit_bytes:
            raise RequestEntityTooLarge()


def too_large_message() -> str:
    limit, declared = g.get("body_limit_bytes"), g.get("body_limit")
    message = f"The request body is larger than this request's limit of {limit} bytes; nothing was stored."
    if declared is not None and declared.setting:
        message += f" The operator sets the limit ({declared.setting})."
    return message


# A JSON string (possessive, so scanning stays linear whatever the input) or a bracket.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


class JsonTooDeep(ValueError):
    pass


def check_json_depth(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` before it is parsed: a deep enough body makes any
    recursive parser (json, marshmallow) overflow the stack."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > limit:
                raise JsonTooDeep(f"it is nested more than {limit} levels deep")
        elif bracket in "]}":
            depth -= 1


class ApiRequest(Request):
    def on_json_loading_failed(self, e: ValueError | None):
        # Flask hides the reason outside debug mode; the caller needs it to put the request right.
        if e is None:
            raise UnsupportedMediaType("Send the body as JSON, with 'Content-Type: application/json'")
        raise BadRequest(f"The body is not valid JSON: {e}")


def json_body(*, optional: bool = False):
    """The request's JSON body; with `optional`, an empty body reads as {} (but a body that is
    there must still be JSON)."""
    if optional and not request.content_length and not request.get_data(cache=True):
        return {}
    return request.get_json()


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits naming a number that fits an id column, so a
    20-digit id is simply not found (404) instead of overflowing the database driver."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = LARGEST_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
