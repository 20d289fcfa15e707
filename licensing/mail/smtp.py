"""Delivery through an SMTP relay (a council's or a provider's), using smtplib."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Callable
from email.utils import parseaddr

from licensing.mail.outgoing import (
    OutgoingEmail,
    PermanentSendError,
    SenderConfigurationError,
    TransientSendError,
    mime_message,
    recipient_domain,
    without_addresses,
)

logger = logging.getLogger(__name__)

FaultHook = Callable[[str], None]


class SmtpBackend:
    """Sends each message over its own SMTP session.

    fault_hook, when given, is called with 'connected' (session ready: greeting, EHLO, STARTTLS and
    login done), 'data_sent_before_end' (the whole message is on the wire but the terminating '.' is
    not) and 'accepted' (the server has replied 250 to the message), so crash tests can stop the
    process at the points where the outbox's guarantees are hardest to keep."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        *,
        starttls: bool,
        sender: str,
        timeout: float = 10,
        tls_context: ssl.SSLContext | None = None,
        fault_hook: FaultHook | None = None,
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both an SMTP username and password, or neither")
        if username is not None and not starttls:
            raise ValueError("SMTP credentials are only sent after STARTTLS; enable starttls")
        envelope_from = parseaddr(sender)[1]
        if "@" not in envelope_from:
            raise ValueError("sender must contain an address, e.g. 'Crosscheck <alerts@example.gov.uk>'")
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.sender = sender
        self.envelope_from = envelope_from
        self.timeout = timeout
        self.tls_context = tls_context or ssl.create_default_context()
        self.fault_hook = fault_hook

    def send(self, email: OutgoingEmail) -> str:
        envelope_to = parseaddr(email.to)[1]
        if not envelope_to.isascii():
            raise PermanentSendError("recipient address is not ASCII (SMTPUTF8 is not supported)")
        content = mime_message(email, self.sender).as_bytes()
        # smtplib exceptions may quote the recipient address; the errors raised here do not, and
        # `from None` keeps the original out of logged tracebacks.
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (smtplib.SMTPException, OSError) as error:
            raise self._send_error(error) from None
        try:
            reply = self._deliver(smtp, envelope_to, content)
        except (smtplib.SMTPException, OSError) as error:
            smtp.close()
            raise self._send_error(error) from None
        except BaseException:
            smtp.close()
            raise
        _quit_politely(smtp)
        logger.debug(
            "email %s accepted by SMTP relay for a recipient at %s", email.message_id, recipient_domain(envelope_to)
        )
        return reply

    def _deliver(self, smtp: smtplib.SMTP, envelope_to: str, content: bytes) -> str:
        smtp.ehlo_or_helo_if_needed()
        if self.starttls:
            smtp.starttls(context=self.tls_context)
            smtp.ehlo_or_helo_if_needed()
        if self.username is not None:
            smtp.login(self.username, self.password)
        self._reached("connected")

        code, reply = smtp.mail(self.envelope_from)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, self.envelope_from)
        code, reply = smtp.rcpt(envelope_to)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({envelope_to: (code, reply)})
        code, reply = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        # smtplib.SMTP.data() sends body and terminator in one go; sending them separately is what
        # lets a crash test stop between the two.
        smtp.send(_dot_stuffed(content))
        self._reached("data_sent_before_end")
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        self._reached("accepted")
        return f"{code} {reply.decode('utf-8', 'replace')}"

    def _reached(self, step: str) -> None:
        if self.fault_hook is not None:
            self.fault_hook(step)

    def _send_error(self, error: Exception) -> Exception:
        server = f"SMTP server {self.host}:{self.port}"
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            ((code, reply),) = error.recipients.values()
            return _by_reply_code(code, reply, f"{server} refused the recipient", PermanentSendError)
        if isinstance(error, smtplib.SMTPDataError):
            return _by_reply_code(
                error.smtp_code, error.smtp_error, f"{server} refused the message", PermanentSendError
            )
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return _by_reply_code(
                error.smtp_code, error.smtp_error, f"{server} rejected the username or password", SenderConfigurationError
            )
        if isinstance(error, smtplib.SMTPResponseException):
            # Greeting, EHLO, STARTTLS and MAIL FROM are the same for every message, so a 5xx there
            # is about our settings (sender address, relay permissions), not about this message.
            return _by_reply_code(
                error.smtp_code, error.smtp_error, f"{server} refused the session", SenderConfigurationError
            )
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return TransientSendError(f"{server} closed the connection: {error}")
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return SenderConfigurationError(f"{server} does not offer what the settings require: {error}")
        if isinstance(error, ssl.SSLCertVerificationError):
            return SenderConfigurationError(f"{server} has a certificate that is not trusted: {error.verify_message}")
        if isinstance(error, smtplib.SMTPException):
            return SenderConfigurationError(f"{server}: {without_addresses(str(error))}")
        return TransientSendError(f"network error talking to {server}: {error!r}")


def _by_reply_code(code: int, reply: bytes | str, what_happened: str, kind_unless_4xx: type[Exception]) -> Exception:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    message = f"{what_happened}: {without_addresses(f'{code} {text}')}"
    return TransientSendError(message) if 400 <= code < 500 else kind_unless_4xx(message)


def _dot_stuffed(content: bytes) -> bytes:
    stuffed = re.sub(rb"(?m)^\.", b"..", content)
    return stuffed if stuffed.endswith(b"\r\n") else stuffed + b"\r\n"


def _quit_politely(smtp: smtplib.SMTP) -> None:
    # The message is already accepted; a relay that drops the line at QUIT must not turn that into
    # a failure, or the outbox would send it again.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
