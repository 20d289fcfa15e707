"""Pulled feeds: a real local HTTP server publishes an authority's register; the pull job fetches
it on the authority's schedule and reconciles it like a pushed feed."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from licensing.clock import utc_now
from licensing.errors import DomainError
from licensing.feeds.fetch import FetchPolicy
from licensing.feeds.public_web import NOT_PUBLIC
from licensing.services import feeds
from licensing.services.authorities import update_authority_settings
from licensing.actors import Actor
from licensing.services.pulled_feeds import pull_due_feeds
from licensing.store.models import Authority, Feed, Licence

BOLTON = "E08000001"
REGISTER = (
    b"licence_number,licence_type,status,issued_on,expires_on,surname,forenames,date_of_birth,postcode\n"
    b"B1,private_hire_driver,active,2024-01-01,2027-01-01,AHMED,Bilal,1985-03-02,BL1 1AA\n"
    b"B2,hackney_carriage_driver,active,2024-01-01,2027-01-01,JONES,Sian,1979-11-30,BL1 1AB\n"
)
FAST = FetchPolicy(connect_timeout=0.5, read_timeout=0.3, attempts=2, backoff_seconds=0.01)


class Publisher:
    """A council web server whose behaviour the test sets: body, ETag, delay, status."""

    def __init__(self):
        self.body = REGISTER
        self.etag = '"v1"'
        self.status = 200
        self.delay = 0.0
        self.content_type = "text/csv"
        self.requests = []
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                publisher.requests.append(dict(self.headers))
                time.sleep(publisher.delay)
                if publisher.status != 200:
                    self.send_response(publisher.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == publisher.etag:
                    self.send_response(304)
                    self.send_header("ETag", publisher.etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", publisher.content_type)
                self.send_header("ETag", publisher.etag)
                self.send_header("Content-Length", str(len(publisher.body)))
                self.end_headers()
                self.wfile.write(publisher.body)

            def log_message(self, *args):
                pass

            def handle(self):
                # The client gives up on a slow answer; the broken pipe that follows is expected.
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/taxi-register.csv"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def settings(settings):
    """The publisher is plain http on 127.0.0.1, which only CROSSCHECK_FEED_ALLOW_LOCAL_HTTP permits."""
    return replace(settings, feed_allow_local_http=True)


@pytest.fixture
def publisher():
    server = Publisher()
    yield server
    server.close()


@pytest.fixture
def bolton_publishes(crosscheck, publisher):
    set_feed_url(crosscheck, publisher.url)
    return publisher


def set_feed_url(crosscheck, url: str) -> None:
    with crosscheck.unit_of_work() as uow:
        update_authority_settings(uow, Actor.api_key(key_id=0, authority_code=BOLTON, role="authority"), BOLTON,
                                  {"feed_url": url, "feed_pull_minutes": 60})


def pull(crosscheck, *, later_by_minutes=0):
    return pull_due_feeds(crosscheck, policy=FAST, now=utc_now() + timedelta(minutes=later_by_minutes))


def bolton(crosscheck) -> Authority:
    with crosscheck.unit_of_work(write=False) as uow:
        return uow.session.get(Authority, BOLTON)


def feed_statuses(crosscheck) -> list[str]:
    with crosscheck.unit_of_work(write=False) as uow:
        return list(uow.session.execute(select(Feed.status).order_by(Feed.id)).scalars())


def licence_count(crosscheck) -> int:
    with crosscheck.unit_of_work(write=False) as uow:
        return len(uow.session.execute(select(Licence.id).where(Licence.ended_at.is_(None))).all())


def test_a_published_register_is_pulled_on_schedule_and_reconciled(crosscheck, bolton_publishes):
    assert pull(crosscheck) == {BOLTON: "received"}
    feeds.apply_pending_feeds(crosscheck)
    assert feed_statuses(crosscheck) == ["applied"] and licence_count(crosscheck) == 2
    assert pull(crosscheck, later_by_minutes=10) == {}  # not due again for an hour


def test_an_unchanged_register_is_not_downloaded_again(crosscheck, bolton_publishes):
    pull(crosscheck)
    assert pull(crosscheck, later_by_minutes=61) == {BOLTON: "not_modified"}
    assert bolton_publishes.requests[-1]["If-None-Match"] == '"v1"'
    assert feed_statuses(crosscheck) == ["received"]


def test_a_server_slow_past_the_timeout_is_retried_then_reported(crosscheck, bolton_publishes):
    bolton_publishes.delay = 1.0
    assert pull(crosscheck) == {BOLTON: "failed"}
    assert len(bolton_publishes.requests) == FAST.attempts
    assert bolton(crosscheck).feed_pull_error == "the server did not answer within 0.3 s (gave up after 2 attempts)"
    assert feed_statuses(crosscheck) == []


def test_a_server_error_changes_nothing_and_is_reported(crosscheck, bolton_publishes):
    pull(crosscheck)
    feeds.apply_pending_feeds(crosscheck)
    bolton_publishes.status = 500
    assert pull(crosscheck, later_by_minutes=61) == {BOLTON: "failed"}
    assert "500" in bolton(crosscheck).feed_pull_error
    assert licence_count(crosscheck) == 2
    bolton_publishes.status = 200
    bolton_publishes.etag = '"v2"'
    assert pull(crosscheck, later_by_minutes=122) == {BOLTON: "received"}
    assert bolton(crosscheck).feed_pull_error is None


def test_garbage_is_rejected_and_ends_no_licence(crosscheck, bolton_publishes):
    pull(crosscheck)
    feeds.apply_pending_feeds(crosscheck)
    bolton_publishes.body = b"\x00\x13garbage;not;a;register\n\xff\xfe"
    bolton_publishes.etag = '"v2"'
    pull(crosscheck, later_by_minutes=61)
    feeds.apply_pending_feeds(crosscheck)
    assert feed_statuses(crosscheck) == ["applied", "rejected"]
    assert licence_count(crosscheck) == 2


@pytest.mark.parametrize(("url", "expected"), [
    ("http://feeds.bolton.gov.uk/taxi-register.csv", "feed_url: must be an https:// URL"),
    ("https://192.168.10.4/taxi-register.csv", "feed_url: leads to a private, local or reserved network address"),
    ("https://[fe80::1]/taxi-register.csv", "feed_url: leads to a private, local or reserved network address"),
])
def test_without_the_local_setting_a_feed_address_must_be_public_https(crosscheck_strict, url, expected):
    with pytest.raises(DomainError) as refusal:
        set_feed_url(crosscheck_strict, url)
    assert refusal.value.message.startswith(expected)
    assert bolton(crosscheck_strict).feed_url is None


def test_without_the_local_setting_a_name_inside_is_refused_when_pulled(crosscheck_strict, publisher):
    """'localhost' passes as a name when set; what it resolves to is refused when connecting."""
    set_feed_url(crosscheck_strict, publisher.url.replace("http://127.0.0.1", "https://localhost"))
    assert pull(crosscheck_strict) == {BOLTON: "failed"}
    assert bolton(crosscheck_strict).feed_pull_error == NOT_PUBLIC
    assert publisher.requests == [] and feed_statuses(crosscheck_strict) == []


@pytest.fixture
def crosscheck_strict(crosscheck):
    """The same register with the production setting: feeds only from public https addresses."""
    from licensing.bootstrap import Crosscheck

    strict = Crosscheck(replace(crosscheck.settings, feed_allow_local_http=False), engine=crosscheck.engine,
                        postcodes=crosscheck.postcodes)
    return strict
