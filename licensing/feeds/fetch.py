"""Pulling the licence register an authority publishes at a URL.

The jobs worker calls fetch_published_feed on the authority's schedule and hands the body to the
same parsing path as pushed feeds. This module only judges the download: a body that arrived intact,
within the size limit and labelled as CSV or JSON is returned byte for byte, even if it is not a
register at all; rejecting that is the parser's job.

Content type: an explicit CSV or JSON Content-Type header decides. When the header is missing or
says nothing useful (text/plain, application/octet-stream), the body is refused if it starts like
an HTML/XML page, otherwise the URL suffix (.csv / .json) decides, otherwise the first
non-blank byte ('{' or '[' is JSON, anything else CSV). Any other declared type is refused.

Where from: public https addresses only, checked when each connection opens (public_web.py).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

import requests

from licensing.feeds.public_web import (
    AddressRefused,
    IPAddress,
    address_problem,
    is_public_address,
    mount_public_only,
)
from licensing.feeds.sniff import CSV, JSON, XLSX, media_type

log = logging.getLogger(__name__)

CSV_CONTENT_TYPE, JSON_CONTENT_TYPE, XLSX_CONTENT_TYPE = CSV, JSON, XLSX

_CSV_TYPES = frozenset({"text/csv", "application/csv", "text/comma-separated-values", "text/x-csv"})
_JSON_TYPES = frozenset({"application/json", "text/json"})
# Web servers that do not know the file type label it with one of these, so the label tells us
# nothing and the URL and body have to.
_UNINFORMATIVE_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
_EXPECTED = "expected CSV (text/csv), JSON (application/json) or an Excel workbook (.xlsx)"

_CHUNK_BYTES = 64 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FetchedFeed:
    body: bytes
    content_type: str  # CSV_CONTENT_TYPE or JSON_CONTENT_TYPE; see the module docstring
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class NotModified:
    """The server answered 304: the register is unchanged since the validators we sent."""

    etag: str | None
    last_modified: str | None


class FetchFailed(Exception):
    """The register could not be downloaded, after any retries.

    The message is meant for the operator and the authority alike, so it never contains the URL:
    its query string may carry an access key. `retryable` is True when a later run may succeed
    without anybody changing anything (timeouts, server errors), False when someone has to act
    (wrong address, refused access, wrong file type, too large)."""

    def __init__(self, message: str, *, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 5.0
    read_timeout: float = 30.0  # longest silence from the server, not the whole download
    attempts: int = 3
    backoff_seconds: float = 2.0  # before the 2nd attempt; doubles each time, plus up to 50 % jitter
    max_bytes: int = 50 * 1024 * 1024
    max_retry_after: float = 60.0  # a server's Retry-After is honoured up to this many seconds
    # Both loosened together only by CROSSCHECK_FEED_ALLOW_LOCAL_HTTP, for tests and local demos.
    allow_plain_http: bool = False
    may_connect_to: Callable[[IPAddress], bool] = is_public_address

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a fetch policy needs at least one attempt")


class _TransientFailure(Exception):
    """One attempt failed in a way that the next attempt may not."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def fetch_published_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    policy: FetchPolicy = FetchPolicy(),
    sleep: Callable[[float], object] = time.sleep,
) -> FetchedFeed | NotModified:
    """Download the register at `url`, conditionally when `etag` / `last_modified` from the
    previous download are given. Raises FetchFailed."""
    loggable_url = _loggable_url(url, policy)
    headers = {"Accept": f"{CSV_CONTENT_TYPE}, {JSON_CONTENT_TYPE};q=0.9, */*;q=0.1"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    http = requests.Session()
    mount_public_only(http, policy.may_connect_to, allow_plain_http=policy.allow_plain_http)
    try:
        for attempt in range(1, policy.attempts + 1):
            try:
                return _fetch_once(http, url, headers, policy, etag, last_modified)
            except _TransientFailure as failure:
                last_failure = failure
                if attempt == policy.attempts:
                    break
                if failure.retry_after is not None:
                    delay = min(failure.retry_after, policy.max_retry_after)
                else:
                    delay = _backoff_delay(policy, attempt)
                log.warning(
                    "Published feed %s: attempt %d of %d failed (%s); retrying in %.1f s",
                    loggable_url, attempt, policy.attempts, failure, delay,
                )
                sleep(delay)
    finally:
        http.close()
    tries = "1 attempt" if policy.attempts == 1 else f"{policy.attempts} attempts"
    raise FetchFailed(f"{last_failure} (gave up after {tries})", retryable=True)


def _loggable_url(url: str, policy: FetchPolicy) -> str:
    """The URL without user info, query or fragment; also refuses anything but https (or http
    where allowed) and hosts that are internal addresses written out."""
    problem = address_problem(url, allow_plain_http=policy.allow_plain_http, may_connect_to=policy.may_connect_to)
    if problem:
        raise FetchFailed(problem, retryable=False)
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", ""))


def _fetch_once(
    http: requests.Session,
    url: str,
    headers: dict[str, str],
    policy: FetchPolicy,
    etag: str | None,
    last_modified: str | None,
) -> FetchedFeed | NotModified:
    # Exceptions are re-raised `from None` throughout: the requests exceptions quote the full URL,
    # and a caller logging our exception with its traceback would otherwise log the query string.
    try:
        response = http.get(
            url, headers=headers, timeout=(policy.connect_timeout, policy.read_timeout), stream=True
        )
    except AddressRefused as refusal:
        # Refused before anything was sent, whatever listens there: nobody has to act but the
        # authority, by publishing at a public address.
        raise FetchFailed(str(refusal), retryable=False) from None
    except requests.exceptions.SSLError:
        # Certificates and TLS versions are settings someone has to change, so retrying is futile.
        raise FetchFailed("the secure (TLS) connection to the server failed", retryable=False) from None
    except requests.exceptions.ReadTimeout:
        raise _TransientFailure(f"the server did not answer within {policy.read_timeout:g} s") from None
    except requests.exceptions.ConnectionError:
        raise _TransientFailure("could not connect to the server") from None
    except requests.exceptions.TooManyRedirects:
        raise FetchFailed("the server redirected too many times", retryable=False) from None
    except requests.exceptions.RequestException as exc:
        raise FetchFailed(f"the request could not be completed ({type(exc).__name__})", retryable=False) from None

    with response:
        status = response.status_code
        if status == HTTPStatus.NOT_MODIFIED:
            # A 304 need not repeat the validators; the ones we sent are still the current ones.
            return NotModified(
                etag=response.headers.get("ETag", etag),
                last_modified=response.headers.get("Last-Modified", last_modified),
            )
        if status == HTTPStatus.TOO_MANY_REQUESTS or 500 <= status <= 599:
            raise _TransientFailure(
                _describe_status(status), retry_after=_retry_after_seconds(response.headers.get("Retry-After"))
            )
        if status != HTTPStatus.OK:
            raise FetchFailed(_describe_status(status), retryable=False)

        declared = media_type(response.headers.get("Content-Type"))
        if declared not in _CSV_TYPES | _JSON_TYPES | _UNINFORMATIVE_TYPES | {XLSX_CONTENT_TYPE}:
            raise FetchFailed(f"{_EXPECTED} but the server sent {declared[:100]}", retryable=False)
        _refuse_declared_oversize(response, policy)
        body = _read_body(response, policy)
        return FetchedFeed(
            body=body,
            content_type=_feed_content_type(declared, response.url, body),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


def _describe_status(status: int) -> str:
    try:
        return f"the server answered HTTP {status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return f"the server answered HTTP {status}"


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _backoff_delay(policy: FetchPolicy, failed_attempts: int) -> float:
    nominal = policy.backoff_seconds * 2 ** (failed_attempts - 1)
    # Never shorter than nominal, so a struggling server gets at least that long; the random extra
    # spreads out the retries of authorities whose feeds failed together (a shared host going down).
    return nominal * random.uniform(1.0, 1.5)


def _size_limit(policy: FetchPolicy) -> str:
    if policy.max_bytes >= 1024 * 1024:
        return f"{policy.max_bytes / (1024 * 1024):g} MB"
    return f"{policy.max_bytes} bytes"


def _refuse_declared_oversize(response: requests.Response, policy: FetchPolicy) -> None:
    try:
        declared_length = int(response.headers.get("Content-Length", ""))
    except ValueError:
        return  # absent or nonsense: the streamed count below still enforces the limit
    if declared_length > policy.max_bytes:
        raise FetchFailed(
            f"the feed is {declared_length} bytes, over the {_size_limit(policy)} limit", retryable=False
        )


def _read_body(response: requests.Response, policy: FetchPolicy) -> bytes:
    # Counted after decompression, so a small gzip that inflates past the limit is stopped too.
    body = bytearray()
    try:
        for chunk in response.iter_content(_CHUNK_BYTES):
            body += chunk
            if len(body) > policy.max_bytes:
                raise FetchFailed(f"the feed is over the {_size_limit(policy)} limit", retryable=False)
    except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError):
        raise _TransientFailure("the download stopped part way through") from None
    except requests.exceptions.ContentDecodingError:
        raise FetchFailed("the feed's compression could not be decoded", retryable=False) from None
    return bytes(body)


def _feed_content_type(declared: str, final_url: str, body: bytes) -> str:
    # A workbook is a zip archive, whatever the server calls it.
    if declared == XLSX_CONTENT_TYPE or (declared in _UNINFORMATIVE_TYPES and body.startswith(b"PK\x03\x04")):
        return XLSX_CONTENT_TYPE
    if declared in _CSV_TYPES:
        return CSV_CONTENT_TYPE
    if declared in _JSON_TYPES:
        return JSON_CONTENT_TYPE
    first_byte = body.removeprefix(_UTF8_BOM).lstrip()[:1]
    if first_byte == b"<":
        label = f"labelled {declared}" if declared else "with no content type"
        raise FetchFailed(f"{_EXPECTED} but the server sent an HTML or XML page {label}", retryable=False)
    path = urlsplit(final_url).path.lower()
    if path.endswith(".csv"):
        return CSV_CONTENT_TYPE
    if path.endswith(".json"):
        return JSON_CONTENT_TYPE
    return JSON_CONTENT_TYPE if first_byte in (b"{", b"[") else CSV_CONTENT_TYPE
