"""What every email backend shares: the message to send, the two ways a send can fail, and the
MIME form of a message (used on the wire by SMTP and on disk by the outbox directory)."""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

# The outbox guarantees at-least-once delivery, so a retry may reach the recipient twice; a stable
# Message-ID is what lets a mail client (or a person) recognise the second copy.
_MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")

# 7bit keeps non-ASCII bodies encoded (quoted-printable or base64) so they survive relays that do
# not offer 8BITMIME; CRLF is what both SMTP and .eml readers expect.
MIME_POLICY = email.policy.SMTP.clone(cte_type="7bit")

_ADDRESS = re.compile(r"[^\s<>()\[\]@,;:\"']+@([A-Za-z0-9.-]+)")


@dataclass(frozen=True)
class OutgoingEmail:
    message_id: str
    to: str
    subject: str
    body: str

    def __post_init__(self) -> None:
        if not _MESSAGE_ID.match(self.message_id):
            raise ValueError("message_id must look like '<left@right>'")
        if "@" not in self.to:
            raise ValueError("to must be an email address")
        for name in ("to", "subject"):
            if "\r" in getattr(self, name) or "\n" in getattr(self, name):
                raise ValueError(f"{name} must be a single line")


class TransientSendError(Exception):
    """Sending failed but may work later: the outbox should retry with backoff."""


class SenderConfigurationError(TransientSendError):
    """Our side is misconfigured (credentials rejected, TLS unavailable or untrusted). Every message
    will fail the same way until an operator fixes the settings, after which the queued messages
    should go out, so it is retried like any transient failure but deserves an alert."""


class PermanentSendError(Exception):
    """This message will never be accepted (unknown recipient, invalid address): do not retry."""


class EmailBackend(Protocol):
    def send(self, email: OutgoingEmail) -> str:
        """Hand the message over; returns the provider's reference for it."""
        ...


def recipient_domain(address: str) -> str:
    """The only part of an address that may be logged."""
    return address.rpartition("@")[2].strip(">").lower()


def without_addresses(text: str) -> str:
    """Server replies often quote the recipient ('<jo@x.gov.uk>: unknown user'); error messages end
    up in logs and on the operator's screen, so keep only the domain."""
    return _ADDRESS.sub(lambda match: f"…@{match.group(1)}", text)


def mime_message(email: OutgoingEmail, sender: str, now: datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=MIME_POLICY)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now or datetime.now(timezone.utc))
    message["Message-ID"] = email.message_id
    message.set_content(email.body)
    return message
