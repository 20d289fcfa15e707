"""The email backends against real servers on 127.0.0.1: aiosmtpd for SMTP (plain and STARTTLS with
AUTH LOGIN) and a small HTTP server speaking the GOV.UK Notify API."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from licensing.mail import (
    NotifyBackend,
    OutboxDirectoryBackend,
    OutgoingEmail,
    PermanentSendError,
    SenderConfigurationError,
    SmtpBackend,
    TransientSendError,
    backend_from_settings,
)
from tests.smtp import Relay, free_port

SENDER = "Crosscheck <alerts@crosscheck.example>"
SMTP_USER = "crosscheck"
SMTP_PASSWORD = "correct horse battery staple"

ALERT = OutgoingEmail(
    message_id="<outbox-123@crosscheck.local>",
    to="licensing@ynysmon.example.gov.uk",
    subject="Licence revoked elsewhere – Ynys Môn",
    body="A driver you license had a licence revoked by another authority.\n.\nSee the register for details.\n",
)


def alert_to(address: str) -> OutgoingEmail:
    return OutgoingEmail(message_id=ALERT.message_id, to=address, subject=ALERT.subject, body=ALERT.body)


# --- SMTP -------------------------------------------------------------------------------------


def accept_one_user(server, session, envelope, mechanism, auth_data):
    accepted = (
        mechanism == "LOGIN"
        and isinstance(auth_data, LoginPassword)
        and auth_data == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
    )
    # handled=False: let aiosmtpd send the 535 reply itself.
    return AuthResult(success=accepted, handled=False, auth_data=auth_data)


@pytest.fixture
def smtp_relay() -> Iterator[tuple[Controller, Relay]]:
    handler = Relay()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_relay(certificate) -> Iterator[tuple[Controller, Relay]]:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    handler = Relay()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_context,
        require_starttls=True,
        authenticator=accept_one_user,
        auth_required=True,
        auth_exclude_mechanism=["PLAIN"],
    )
    controller.start()
    yield controller, handler
    controller.stop()


def plain_backend(relay: Controller, **options) -> SmtpBackend:
    return SmtpBackend(relay.hostname, relay.port, starttls=False, sender=SENDER, **options)


def tls_backend(relay: Controller, certificate, password: str = SMTP_PASSWORD) -> SmtpBackend:
    return SmtpBackend(
        relay.hostname, relay.port, SMTP_USER, password,
        starttls=True, sender=SENDER, tls_context=ssl.create_default_context(cafile=certificate[0]),
    )


def test_smtp_delivers_the_alert_with_its_message_id(smtp_relay):
    relay, handler = smtp_relay

    reference = plain_backend(relay).send(ALERT)

    assert "queued as 4AbCdE" in reference
    (delivery,) = handler.delivered
    assert delivery["mail_from"] == "alerts@crosscheck.example"
    assert delivery["rcpt_tos"] == [ALERT.to]
    message = delivery["message"]
    assert message["To"] == ALERT.to
    assert message["From"] == SENDER
    assert message["Subject"] == ALERT.subject
    assert message["Message-ID"] == ALERT.message_id
    assert message["Date"] is not None
    assert message.get_content().replace("\r\n", "\n") == ALERT.body


def test_smtp_starttls_then_auth_login(tls_relay, certificate):
    relay, handler = tls_relay

    tls_backend(relay, certificate).send(ALERT)

    (delivery,) = handler.delivered
    assert delivery["over_tls"]
    assert delivery["login"] == SMTP_USER
    assert delivery["message"]["Message-ID"] == ALERT.message_id


def test_smtp_wrong_password_is_a_retryable_configuration_error(tls_relay, certificate):
    relay, handler = tls_relay

    with pytest.raises(SenderConfigurationError) as raised:
        tls_backend(relay, certificate, password="guessed").send(ALERT)

    assert isinstance(raised.value, TransientSendError)
    assert "username or password" in str(raised.value)
    assert "guessed" not in str(raised.value)
    assert handler.delivered == []


def test_smtp_untrusted_certificate_is_a_configuration_error(tls_relay):
    relay, handler = tls_relay
    backend = SmtpBackend(relay.hostname, relay.port, SMTP_USER, SMTP_PASSWORD, starttls=True, sender=SENDER)

    with pytest.raises(SenderConfigurationError, match="not trusted"):
        backend.send(ALERT)
    assert handler.delivered == []


def test_smtp_server_down_is_transient():
    backend = SmtpBackend("127.0.0.1", free_port(), starttls=False, sender=SENDER)

    with pytest.raises(TransientSendError):
        backend.send(ALERT)


def test_smtp_server_that_never_answers_is_transient_after_the_timeout():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        backend = SmtpBackend("127.0.0.1", silent.getsockname()[1], starttls=False, sender=SENDER, timeout=0.3)

        with pytest.raises(TransientSendError):
            backend.send(ALERT)


def test_smtp_451_is_transient(smtp_relay):
    relay, handler = smtp_relay

    with pytest.raises(TransientSendError) as raised:
        plain_backend(relay).send(alert_to("busy@ynysmon.example.gov.uk"))

    assert not isinstance(raised.value, SenderConfigurationError)
    assert "451" in str(raised.value)
    assert handler.delivered == []


def test_smtp_unknown_recipient_is_permanent_and_not_quoted_in_the_error(smtp_relay):
    relay, handler = smtp_relay

    with pytest.raises(PermanentSendError) as raised:
        plain_backend(relay).send(alert_to("nobody@ynysmon.example.gov.uk"))

    assert "550" in str(raised.value)
    assert "ynysmon.example.gov.uk" in str(raised.value)
    assert "nobody" not in str(raised.value)


def test_smtp_fault_hook_sees_each_step_in_order(smtp_relay):
    relay, _ = smtp_relay
    steps: list[str] = []

    plain_backend(relay, fault_hook=steps.append).send(ALERT)

    assert steps == ["connected", "data_sent_before_end", "accepted"]


class SimulatedCrash(Exception):
    pass


def test_smtp_crash_before_end_of_data_delivers_nothing(smtp_relay):
    relay, handler = smtp_relay

    def crash_mid_data(step: str) -> None:
        if step == "data_sent_before_end":
            raise SimulatedCrash

    with pytest.raises(SimulatedCrash):
        plain_backend(relay, fault_hook=crash_mid_data).send(ALERT)
    retried = alert_to("retry@ynysmon.example.gov.uk")
    plain_backend(relay).send(retried)

    assert [delivery["rcpt_tos"] for delivery in handler.delivered] == [[retried.to]]


# --- GOV.UK Notify ----------------------------------------------------------------------------

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"crosscheck_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


class NotifyStub(ThreadingHTTPServer):
    """Answers POST /v2/notifications/email as Notify does: 403 for a token not signed with the
    service's key, otherwise the status queued in `reply_status`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), NotifyStubRequest)
        self.payloads: list[dict] = []
        self.reply_status = 201

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class NotifyStubRequest(BaseHTTPRequestHandler):
    server: NotifyStub

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/v2/notifications/email":
            return self._reply(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]})
        try:
            scheme, token = self.headers["Authorization"].split(" ", 1)
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            assert scheme == "Bearer" and claims["iss"] == SERVICE_ID
        except (AttributeError, AssertionError, ValueError, jwt.InvalidTokenError):
            return self._reply(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token: API key not found"}]})
        self.server.payloads.append(payload)
        status = self.server.reply_status
        if status == 201:
            return self._reply(201, {"id": "740e5834-3a29-46b4-9a6f-16142fde533a", "reference": payload.get("reference")})
        errors = {
            400: ("BadRequestError", "email_address Not a valid email address"),
            429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
            500: ("Exception", "Internal server error"),
        }
        error, message = errors[status]
        self._reply(status, {"status_code": status, "errors": [{"error": error, "message": message}]})

    def _reply(self, status: int, body: dict) -> None:
        encoded = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def notify() -> Iterator[NotifyStub]:
    stub = NotifyStub()
    thread = threading.Thread(target=stub.serve_forever, daemon=True)
    thread.start()
    yield stub
    stub.shutdown()
    stub.server_close()


def test_notify_sends_subject_and_body_with_the_message_id_as_reference(notify):
    reference = NotifyBackend(API_KEY, TEMPLATE_ID, notify.base_url).send(ALERT)

    assert reference == "740e5834-3a29-46b4-9a6f-16142fde533a"
    assert notify.payloads == [
        {
            "email_address": ALERT.to,
            "template_id": TEMPLATE_ID,
            "personalisation": {"subject": ALERT.subject, "body": ALERT.body},
            "reference": ALERT.message_id,
        }
    ]


def test_notify_rejected_request_is_permanent(notify):
    notify.reply_status = 400

    with pytest.raises(PermanentSendError, match="Not a valid email address"):
        NotifyBackend(API_KEY, TEMPLATE_ID, notify.base_url).send(ALERT)


def test_notify_rejected_api_key_is_a_retryable_configuration_error(notify):
    revoked_key = f"crosscheck_test-{SERVICE_ID}-{uuid.uuid4()}"

    with pytest.raises(SenderConfigurationError, match="403"):
        NotifyBackend(revoked_key, TEMPLATE_ID, notify.base_url).send(ALERT)
    assert notify.payloads == []


@pytest.mark.parametrize("status", [429, 500])
def test_notify_rate_limit_and_server_error_are_transient(notify, status):
    notify.reply_status = status

    with pytest.raises(TransientSendError) as raised:
        NotifyBackend(API_KEY, TEMPLATE_ID, notify.base_url).send(ALERT)
    assert not isinstance(raised.value, SenderConfigurationError)


def test_notify_unreachable_is_transient():
    with pytest.raises(TransientSendError):
        NotifyBackend(API_KEY, TEMPLATE_ID, f"http://127.0.0.1:{free_port()}").send(ALERT)


# --- outbox directory -------------------------------------------------------------------------


def test_directory_writes_an_eml_a_mail_client_can_open(tmp_path):
    outbox = tmp_path / "var" / "outbox"

    name = OutboxDirectoryBackend(outbox).send(ALERT)

    assert [path.name for path in outbox.iterdir()] == [name]
    assert name.endswith("_outbox-123@crosscheck.local.eml")
    message = email.message_from_bytes((outbox / name).read_bytes(), policy=email.policy.default)
    assert message["To"] == ALERT.to
    assert message["Subject"] == ALERT.subject
    assert message["Message-ID"] == ALERT.message_id
    assert message.get_content().replace("\r\n", "\n") == ALERT.body


def test_directory_lists_messages_in_sending_order(tmp_path):
    backend = OutboxDirectoryBackend(tmp_path)
    first = backend.send(ALERT)
    second = backend.send(OutgoingEmail("<outbox-124@crosscheck.local>", ALERT.to, "Second", "Body"))

    assert sorted(path.name for path in tmp_path.iterdir()) == [first, second]


def test_directory_keeps_a_hostile_message_id_inside_the_outbox(tmp_path):
    outbox = tmp_path / "outbox"

    name = OutboxDirectoryBackend(outbox).send(OutgoingEmail("<../../escape@crosscheck.local>", ALERT.to, "S", "B"))

    assert (outbox / name).is_file()
    assert list(tmp_path.iterdir()) == [outbox]


# --- the message itself -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"message_id": "outbox-123@crosscheck.local"},
        {"subject": "Alert\r\nBcc: everyone@example.org"},
        {"to": "not an address"},
    ],
)
def test_malformed_messages_are_refused_before_sending(fields):
    with pytest.raises(ValueError):
        OutgoingEmail(**{"message_id": ALERT.message_id, "to": ALERT.to, "subject": "S", "body": "B", **fields})


# --- settings ---------------------------------------------------------------------------------


def test_settings_default_to_the_outbox_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    backend_from_settings({}).send(ALERT)

    assert len(list((tmp_path / "var" / "outbox").glob("*.eml"))) == 1


def test_settings_configure_an_smtp_relay(smtp_relay):
    relay, handler = smtp_relay
    backend = backend_from_settings(
        {
            "CROSSCHECK_EMAIL_BACKEND": "smtp",
            "CROSSCHECK_SMTP_HOST": relay.hostname,
            "CROSSCHECK_SMTP_PORT": str(relay.port),
            "CROSSCHECK_SMTP_STARTTLS": "false",
            "CROSSCHECK_SMTP_SENDER": SENDER,
        }
    )

    backend.send(ALERT)

    assert handler.delivered[0]["message"]["Message-ID"] == ALERT.message_id


def test_settings_configure_notify(notify):
    backend = backend_from_settings(
        {
            "CROSSCHECK_EMAIL_BACKEND": "notify",
            "CROSSCHECK_NOTIFY_API_KEY": API_KEY,
            "CROSSCHECK_NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
            "CROSSCHECK_NOTIFY_BASE_URL": notify.base_url,
        }
    )

    backend.send(ALERT)

    assert notify.payloads[0]["reference"] == ALERT.message_id


SMTP_SETTINGS = {
    "CROSSCHECK_EMAIL_BACKEND": "smtp",
    "CROSSCHECK_SMTP_HOST": "smtp.example.gov.uk",
    "CROSSCHECK_SMTP_SENDER": SENDER,
}
NOTIFY_SETTINGS = {
    "CROSSCHECK_EMAIL_BACKEND": "notify",
    "CROSSCHECK_NOTIFY_API_KEY": API_KEY,
    "CROSSCHECK_NOTIFY_TEMPLATE_ID": TEMPLATE_ID,
}


@pytest.mark.parametrize(
    "settings, variable",
    [
        ({**SMTP_SETTINGS, "CROSSCHECK_SMTP_HOST": ""}, "CROSSCHECK_SMTP_HOST"),
        ({k: v for k, v in SMTP_SETTINGS.items() if k != "CROSSCHECK_SMTP_SENDER"}, "CROSSCHECK_SMTP_SENDER"),
        ({**SMTP_SETTINGS, "CROSSCHECK_SMTP_PORT": "smtp"}, "CROSSCHECK_SMTP_PORT"),
        ({**SMTP_SETTINGS, "CROSSCHECK_SMTP_STARTTLS": "maybe"}, "CROSSCHECK_SMTP_STARTTLS"),
        ({**SMTP_SETTINGS, "CROSSCHECK_SMTP_USERNAME": "crosscheck"}, "CROSSCHECK_SMTP_PASSWORD"),
        (
            {**SMTP_SETTINGS, "CROSSCHECK_SMTP_USERNAME": "u", "CROSSCHECK_SMTP_PASSWORD": "p", "CROSSCHECK_SMTP_STARTTLS": "false"},
            "CROSSCHECK_SMTP_STARTTLS",
        ),
        ({k: v for k, v in NOTIFY_SETTINGS.items() if k != "CROSSCHECK_NOTIFY_API_KEY"}, "CROSSCHECK_NOTIFY_API_KEY"),
        ({**NOTIFY_SETTINGS, "CROSSCHECK_NOTIFY_API_KEY": "not-a-key"}, "CROSSCHECK_NOTIFY_API_KEY"),
        ({k: v for k, v in NOTIFY_SETTINGS.items() if k != "CROSSCHECK_NOTIFY_TEMPLATE_ID"}, "CROSSCHECK_NOTIFY_TEMPLATE_ID"),
        ({"CROSSCHECK_EMAIL_BACKEND": "carrier-pigeon"}, "CROSSCHECK_EMAIL_BACKEND"),
    ],
)
def test_settings_name_the_variable_that_is_missing_or_wrong(settings, variable):
    with pytest.raises(ValueError, match=variable):
        backend_from_settings(settings)


def test_settings_error_does_not_echo_the_notify_key():
    with pytest.raises(ValueError) as raised:
        backend_from_settings({**NOTIFY_SETTINGS, "CROSSCHECK_NOTIFY_API_KEY": "secret-value-typed-wrongly"})
    assert "secret-value-typed-wrongly" not in str(raised.value)
