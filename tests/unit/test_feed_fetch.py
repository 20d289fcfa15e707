"""Pulling a published register over HTTP, against a real local server."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

from licensing.feeds.fetch import (
    CSV_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    FetchedFeed,
    FetchFailed,
    FetchPolicy,
    NotModified,
    fetch_published_feed,
)
from licensing.feeds.public_web import NOT_PUBLIC, AddressRefused, any_address, is_public_address, mount_public_only

def local_policy(**overrides) -> FetchPolicy:
    """The test servers speak plain http on 127.0.0.1, allowed as CROSSCHECK_FEED_ALLOW_LOCAL_HTTP does."""
    return FetchPolicy(**{"allow_plain_http": True, "may_connect_to": any_address, **overrides})


def fetch(url: str, **kwargs):
    kwargs.setdefault("policy", local_policy())
    return fetch_published_feed(url, **kwargs)


REGISTER_CSV = b"licence_number,licence_type,expiry_date\nHC-00123,hackney_carriage,2026-03-31\n"
REGISTER_JSON = b'[{"licence_number": "PH-00456", "licence_type": "private_hire"}]'

# Short enough that a stalled server costs the suite well under a second per test.
QUICK = local_policy(connect_timeout=1.0, read_timeout=0.3)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # silence before the status line
    send_length: bool = True  # False: the body ends when the connection closes
    stall_after: int | None = None  # send this many body bytes, then go silent


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]


class FeedServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.scripts: dict[str, list[Reply | Callable[[SeenRequest], Reply]]] = {}
        self.seen: list[SeenRequest] = []
        self.release = threading.Event()  # set at teardown so stalled handlers end

    def serve(self, path: str, *replies: Reply | Callable[[SeenRequest], Reply]) -> str:
        """Answer requests for `path` with `replies` in turn, repeating the last one."""
        self.scripts[path] = list(replies)
        return self.url(path)

    def url(self, path_and_query: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path_and_query}"

    def handle_error(self, request, client_address) -> None:
        pass  # the client hanging up on a stalled or oversize reply is what those tests do


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:
        seen = SeenRequest(urlsplit(self.path).path, dict(self.headers.items()))
        self.server.seen.append(seen)
        script = self.server.scripts.get(seen.path, [Reply(404)])
        reply = script.pop(0) if len(script) > 1 else script[0]
        if callable(reply):
            reply = reply(seen)
        if reply.delay:
            self.server.release.wait(reply.delay)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.send_length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.stall_after is None:
            self.wfile.write(reply.body)
        else:
            self.wfile.write(reply.body[: reply.stall_after])
            self.wfile.flush()
            self.server.release.wait(5)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def server():
    feed_server = FeedServer()
    thread = threading.Thread(target=feed_server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield feed_server
    feed_server.release.set()
    feed_server.shutdown()
    feed_server.server_close()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def csv_reply(body: bytes = REGISTER_CSV, **headers: str) -> Reply:
    return Reply(200, body, {"Content-Type": "text/csv; charset=utf-8", **headers})


def assert_backoff_schedule(sleeps: list[float], backoff_seconds: float = 2.0) -> None:
    """Exponential from backoff_seconds, each with up to 50 % jitter on top."""
    for failed_attempts, slept in enumerate(sleeps, start=1):
        nominal = backoff_seconds * 2 ** (failed_attempts - 1)
        assert nominal <= slept <= nominal * 1.5


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- successful downloads -------------------------------------------------------------------------


def test_first_download_returns_body_and_validators(server):
    url = server.serve(
        "/register.csv",
        csv_reply(ETag='"v1"', **{"Last-Modified": "Mon, 03 Nov 2025 09:00:00 GMT"}),
    )

    fetched = fetch(url)

    assert fetched == FetchedFeed(
        body=REGISTER_CSV,
        content_type=CSV_CONTENT_TYPE,
        etag='"v1"',
        last_modified="Mon, 03 Nov 2025 09:00:00 GMT",
    )
    assert "If-None-Match" not in server.seen[0].headers
    assert "If-Modified-Since" not in server.seen[0].headers


def test_unchanged_register_is_not_downloaded_again(server):
    def conditional(request: SeenRequest) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return csv_reply(ETag='"v1"', **{"Last-Modified": "Mon, 03 Nov 2025 09:00:00 GMT"})

    url = server.serve("/register.csv", conditional)
    first = fetch(url)

    second = fetch(url, etag=first.etag, last_modified=first.last_modified)

    # The 304 left out Last-Modified, so the one we already held is still current.
    assert second == NotModified(etag='"v1"', last_modified="Mon, 03 Nov 2025 09:00:00 GMT")
    assert server.seen[1].headers["If-None-Match"] == '"v1"'
    assert server.seen[1].headers["If-Modified-Since"] == "Mon, 03 Nov 2025 09:00:00 GMT"


def test_json_register_is_labelled_json(server):
    url = server.serve("/api/licences", Reply(200, REGISTER_JSON, {"Content-Type": "application/json; charset=utf-8"}))

    fetched = fetch(url)

    assert (fetched.body, fetched.content_type) == (REGISTER_JSON, JSON_CONTENT_TYPE)


@pytest.mark.parametrize(
    ("declared", "path", "body", "expected"),
    [
        (None, "/register.json", REGISTER_JSON, JSON_CONTENT_TYPE),
        ("application/octet-stream", "/register.csv", REGISTER_CSV, CSV_CONTENT_TYPE),
        ("text/plain", "/export", b'  \n{"licences": []}', JSON_CONTENT_TYPE),
        ("text/plain", "/export", b"\xef\xbb\xbf" + REGISTER_CSV, CSV_CONTENT_TYPE),
        # The URL names the format even when the body would look otherwise.
        ("text/plain", "/register.CSV", b"[odd first cell],x\n", CSV_CONTENT_TYPE),
    ],
)
def test_unlabelled_register_is_recognised_from_url_then_body(server, declared, path, body, expected):
    headers = {"Content-Type": declared} if declared else {}
    url = server.serve(path, Reply(200, body, headers))

    fetched = fetch(url)

    assert (fetched.body, fetched.content_type) == (body, expected)


def test_garbage_labelled_csv_is_handed_over_unchanged_for_the_parser_to_reject(server):
    garbage = b"\x00\x9f\xffnot,a\x00register\r\n\xde\xad\xbe\xef" * 50
    url = server.serve("/register.csv", Reply(200, garbage, {"Content-Type": "text/csv"}))

    fetched = fetch(url)

    assert fetched.body == garbage
    assert fetched.content_type == CSV_CONTENT_TYPE


def test_moved_register_is_followed(server):
    server.serve("/old/register.csv", Reply(301, headers={"Location": "/new/register.csv"}))
    server.serve("/new/register.csv", csv_reply())

    fetched = fetch(server.url("/old/register.csv"))

    assert fetched.body == REGISTER_CSV
    assert [request.path for request in server.seen] == ["/old/register.csv", "/new/register.csv"]


# --- retries ----------------------------------------------------------------------------------------


def test_server_errors_are_retried_with_exponential_backoff_until_success(server, sleeps):
    url = server.serve("/register.csv", Reply(500), Reply(503), csv_reply())

    fetched = fetch(url, sleep=sleeps.append)

    assert fetched.body == REGISTER_CSV
    assert len(server.seen) == 3
    assert len(sleeps) == 2
    assert_backoff_schedule(sleeps)


def test_persistent_server_error_fails_after_every_attempt_is_used(server, sleeps):
    url = server.serve("/register.csv", Reply(500))
    policy = local_policy(attempts=4, backoff_seconds=1.0)

    with pytest.raises(FetchFailed) as failure:
        fetch(url, policy=policy, sleep=sleeps.append)

    assert failure.value.retryable is True
    assert "HTTP 500" in str(failure.value)
    assert "4 attempts" in str(failure.value)
    assert len(server.seen) == 4
    assert len(sleeps) == 3  # none after the last attempt
    assert_backoff_schedule(sleeps, backoff_seconds=1.0)


def test_server_that_stays_silent_past_the_read_timeout_is_retried_then_fails(server, sleeps):
    url = server.serve("/register.csv", Reply(delay=3.0, body=REGISTER_CSV))

    started = time.monotonic()
    with pytest.raises(FetchFailed) as failure:
        fetch(url, policy=QUICK, sleep=sleeps.append)

    assert time.monotonic() - started < 2.0
    assert failure.value.retryable is True
    assert "did not answer within 0.3 s" in str(failure.value)
    assert len(server.seen) == QUICK.attempts
    assert len(sleeps) == QUICK.attempts - 1
    assert_backoff_schedule(sleeps)


def test_download_that_stalls_part_way_is_retried_then_fails(server, sleeps):
    url = server.serve("/register.csv", Reply(200, REGISTER_CSV * 100, {"Content-Type": "text/csv"}, stall_after=20))

    with pytest.raises(FetchFailed) as failure:
        fetch(url, policy=QUICK, sleep=sleeps.append)

    assert failure.value.retryable is True
    assert "stopped part way" in str(failure.value)
    assert len(server.seen) == QUICK.attempts


def test_too_many_requests_waits_as_long_as_the_server_asks(server, sleeps):
    url = server.serve("/register.csv", Reply(429, headers={"Retry-After": "7"}), csv_reply())

    fetched = fetch(url, sleep=sleeps.append)

    assert fetched.body == REGISTER_CSV
    assert sleeps == [7.0]


def test_retry_after_as_a_date_is_honoured(server, sleeps):
    in_thirty_seconds = formatdate(time.time() + 30, usegmt=True)
    url = server.serve("/register.csv", Reply(503, headers={"Retry-After": in_thirty_seconds}), csv_reply())

    fetch(url, sleep=sleeps.append)

    assert len(sleeps) == 1
    assert 25 <= sleeps[0] <= 30


def test_retry_after_longer_than_the_cap_is_cut_to_the_cap(server, sleeps):
    url = server.serve("/register.csv", Reply(429, headers={"Retry-After": "86400"}), csv_reply())

    fetch(url, policy=local_policy(max_retry_after=45.0), sleep=sleeps.append)

    assert sleeps == [45.0]


def test_refused_connection_is_retried_then_fails(sleeps):
    url = f"http://127.0.0.1:{closed_port()}/register.csv"

    with pytest.raises(FetchFailed) as failure:
        fetch(url, policy=QUICK, sleep=sleeps.append)

    assert failure.value.retryable is True
    assert "could not connect" in str(failure.value)
    assert len(sleeps) == QUICK.attempts - 1
    assert_backoff_schedule(sleeps)


# --- failures nobody should retry -------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_error_fails_at_once_with_the_status(server, sleeps, status):
    url = server.serve("/register.csv", Reply(status))

    with pytest.raises(FetchFailed) as failure:
        fetch(url, sleep=sleeps.append)

    assert failure.value.retryable is False
    assert f"HTTP {status}" in str(failure.value)
    assert len(server.seen) == 1
    assert sleeps == []


def test_html_page_instead_of_register_fails_saying_what_came_and_what_was_expected(server):
    page = b"<!DOCTYPE html><html><body>Page not found</body></html>"
    url = server.serve("/register.csv", Reply(200, page, {"Content-Type": "text/html; charset=utf-8"}))

    with pytest.raises(FetchFailed) as failure:
        fetch(url)

    message = str(failure.value)
    assert failure.value.retryable is False
    assert "text/html" in message
    assert "text/csv" in message and "application/json" in message
    assert len(server.seen) == 1


def test_html_page_without_a_useful_label_is_refused(server):
    page = b"\n  <html><body>Maintenance</body></html>"
    url = server.serve("/register.csv", Reply(200, page, {"Content-Type": "text/plain"}))

    with pytest.raises(FetchFailed) as failure:
        fetch(url)

    assert failure.value.retryable is False
    assert "HTML" in str(failure.value)


def test_register_declared_larger_than_the_limit_is_refused_before_downloading(server):
    body = REGISTER_CSV * 100
    url = server.serve("/register.csv", csv_reply(body))

    with pytest.raises(FetchFailed) as failure:
        fetch(url, policy=local_policy(max_bytes=1000))

    assert failure.value.retryable is False
    assert f"is {len(body)} bytes, over the 1000 bytes limit" in str(failure.value)
    assert len(server.seen) == 1


def test_register_streamed_past_the_limit_without_a_length_is_refused(server):
    huge = Reply(200, b"x" * 300_000, {"Content-Type": "text/csv"}, send_length=False)
    url = server.serve("/register.csv", huge)

    with pytest.raises(FetchFailed) as failure:
        fetch(url, policy=local_policy(max_bytes=100_000))

    assert failure.value.retryable is False
    assert "over the 100000 bytes limit" in str(failure.value)


def test_register_exactly_at_the_limit_is_accepted(server):
    body = b"y" * 1000
    url = server.serve("/register.csv", Reply(200, body, {"Content-Type": "text/csv"}, send_length=False))

    assert fetch(url, policy=local_policy(max_bytes=1000)).body == body


def test_redirect_loop_fails_without_retrying(server, sleeps):
    url = server.serve("/register.csv", Reply(302, headers={"Location": "/register.csv"}))

    with pytest.raises(FetchFailed) as failure:
        fetch(url, sleep=sleeps.append)

    assert failure.value.retryable is False
    assert "redirected too many times" in str(failure.value)
    assert sleeps == []


def test_redirect_away_from_http_is_refused(server, sleeps):
    url = server.serve("/register.csv", Reply(301, headers={"Location": "ftp://127.0.0.1/register.csv"}))

    with pytest.raises(FetchFailed) as failure:
        fetch(url, sleep=sleeps.append)

    assert failure.value.retryable is False
    assert sleeps == []


def test_register_with_broken_compression_is_refused(server):
    url = server.serve(
        "/register.csv", Reply(200, b"not gzip at all", {"Content-Type": "text/csv", "Content-Encoding": "gzip"})
    )

    with pytest.raises(FetchFailed) as failure:
        fetch(url)

    assert failure.value.retryable is False
    assert "compression" in str(failure.value)


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/register.csv", "file:///srv/register.csv", "127.0.0.1/register.csv", "http:///register.csv"],
)
def test_only_http_and_https_addresses_are_fetched(url):
    with pytest.raises(FetchFailed) as failure:
        fetch(url)

    assert failure.value.retryable is False
    assert "http:// or https://" in str(failure.value)


def test_policy_without_any_attempt_is_rejected():
    with pytest.raises(ValueError):
        FetchPolicy(attempts=0)


# --- what reaches logs and operators ----------------------------------------------------------------


def test_secrets_in_the_address_stay_out_of_logs_and_messages(server, sleeps, caplog):
    server.serve("/register.csv", Reply(500))
    url = server.url("/register.csv?access_key=k3y-s3cret").replace("http://", "http://feeds:pa55word@")

    with caplog.at_level(logging.WARNING, logger="licensing.feeds.fetch"):
        with pytest.raises(FetchFailed) as failure:
            fetch(url, sleep=sleeps.append)

    assert server.url("/register.csv") in caplog.text  # the retries are logged, naming the feed
    for secret in ("k3y-s3cret", "pa55word"):
        assert secret not in caplog.text
        assert secret not in "".join(traceback.format_exception(failure.value))


def test_failed_secure_connection_is_not_retried_and_keeps_the_access_key_out_of_the_traceback(
    server, sleeps
):
    server.serve("/register.csv", csv_reply())
    # The local server speaks plain HTTP, so the TLS handshake fails.
    url = server.url("/register.csv?access_key=k3y-s3cret").replace("http://", "https://")

    with pytest.raises(FetchFailed) as failure:
        fetch(url, sleep=sleeps.append)

    assert failure.value.retryable is False
    assert "TLS" in str(failure.value)
    assert sleeps == []
    assert "k3y-s3cret" not in "".join(traceback.format_exception(failure.value))


# --- addresses inside are never reached (CROSSCHECK_FEED_ALLOW_LOCAL_HTTP off) ----------------------


@pytest.fixture
def nothing_leaves_the_machine(monkeypatch):
    """A tripwire, not a stand-in: if a refusal failed, the test fails before any packet is sent
    to an address off this machine."""
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else ""
        assert host in ("127.0.0.1", "::1"), f"a connection to {host} was attempted"
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


INTERNAL_ADDRESSES = [
    "https://127.0.0.1:{port}/register.csv",
    "https://10.20.30.40/register.csv",
    "https://172.16.5.4/register.csv",
    "https://192.168.1.10/register.csv",
    "https://100.100.100.200/latest/meta-data/",  # shared address space: a cloud's metadata service
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://[::1]:{port}/register.csv",
    "https://[fc00::1]/register.csv",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://[fe80::1]/register.csv",
    "https://[::ffff:127.0.0.1]:{port}/register.csv",
    "https://0.0.0.0:{port}/register.csv",
    "https://localhost:{port}/register.csv",  # a name: refused on what it resolves to, when connecting
]


@pytest.mark.parametrize("address", INTERNAL_ADDRESSES)
def test_a_feed_inside_the_network_is_refused_without_being_contacted(server, sleeps, nothing_leaves_the_machine,
                                                                      address):
    server.serve("/register.csv", csv_reply())

    with pytest.raises(FetchFailed) as failure:
        fetch_published_feed(address.format(port=server.server_address[1]), sleep=sleeps.append)

    assert str(failure.value) == NOT_PUBLIC
    assert failure.value.retryable is False
    assert server.seen == [] and sleeps == []


def test_an_open_port_and_a_closed_port_inside_read_the_same(server, nothing_leaves_the_machine):
    """Nothing tells the authority whether something listens there."""
    server.serve("/register.csv", csv_reply())
    answers = set()
    for port in (server.server_address[1], closed_port()):
        with pytest.raises(FetchFailed) as failure:
            fetch_published_feed(f"https://localhost:{port}/register.csv")
        answers.add(str(failure.value))
    assert answers == {NOT_PUBLIC}


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/register.csv",
                                    "http://127.0.0.2:{port}/register.csv", "http://10.0.0.8/register.csv"])
def test_a_redirect_inside_is_refused_like_the_address_itself(server, nothing_leaves_the_machine, target):
    # The first server stands in for a public one: only its own address is let through.
    first_server_only = local_policy(may_connect_to=lambda ip: ip == ipaddress.ip_address("127.0.0.1"))
    server.serve("/register.csv", Reply(302, headers={"Location": target.format(port=server.server_address[1])}))

    with pytest.raises(FetchFailed) as failure:
        fetch(server.url("/register.csv"), policy=first_server_only)

    assert str(failure.value) == NOT_PUBLIC
    assert [request.path for request in server.seen] == ["/register.csv"]


def test_plain_http_is_refused(server):
    server.serve("/register.csv", csv_reply())

    with pytest.raises(FetchFailed) as failure:
        fetch_published_feed(server.url("/register.csv"))

    assert "must be an https:// URL" in str(failure.value)
    assert server.seen == []


def test_a_redirect_to_plain_http_is_refused():
    session = requests.Session()
    mount_public_only(session, is_public_address, allow_plain_http=False)

    with pytest.raises(AddressRefused, match="https://"):
        session.get("http://192.0.2.1/register.csv")  # refused before any connection is made


def test_public_addresses_are_accepted():
    for address in ("8.8.8.8", "2606:4700::1111", "81.2.69.142"):
        assert is_public_address(ipaddress.ip_address(address))
    for address in ("64:ff9b::a00:1", "2002:c0a8:101::1", "192.0.0.192", "224.0.0.1", "::"):
        assert not is_public_address(ipaddress.ip_address(address))
