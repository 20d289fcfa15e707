"""A real SMTP relay for tests (aiosmtpd on 127.0.0.1) that records what it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
import threading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Relay:
    """Accepts mail like a council's relay, except: nobody@ is an unknown user (550), busy@ a full
    mailbox (451), and while refuse_sender is set the relay will not accept our sender address."""

    def __init__(self) -> None:
        self.delivered: list[dict] = []
        self.refuse_sender = False
        self._lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(address.startswith("busy@") for address in envelope.rcpt_tos):
            return "451 4.3.0 Mailbox temporarily unavailable"
        with self._lock:
            self.delivered.append({
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
                "over_tls": session.ssl is not None,
                "login": session.auth_data.login.decode() if session.authenticated else None,
            })
        return "250 2.0.0 Ok: queued as 4AbCdE"

    @property
    def received(self) -> list[email.message.EmailMessage]:
        with self._lock:
            return [delivery["message"] for delivery in self.delivered]

    def message_ids(self) -> list[str]:
        return [message["Message-ID"] for message in self.received]
