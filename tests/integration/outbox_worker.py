"""A sender process for the crash tests: one send_due_emails run against an SMTP relay on
127.0.0.1, which kills itself with SIGKILL at the step named by --kill-at.

Steps: 'claimed' (claim committed, before connecting), the SMTP backend's 'connected',
'data_sent_before_end' and 'accepted' (relay replied 250, before QUIT), and 'returned' (the
backend returned the provider reference, before the 'sent' commit).

    DATABASE_URL=... python -m tests.integration.outbox_worker --port 2525 --lease 1 [--kill-at STEP]
"""

from __future__ import annotations

import argparse
import os
import signal

from licensing.bootstrap import Crosscheck
from licensing.config import Settings
from licensing.mail import OutgoingEmail, SmtpBackend
from licensing.services.outbox import send_due_emails

SENDER = "Crosscheck <alerts@crosscheck.example>"
SMTP_STEPS = ("connected", "data_sent_before_end", "accepted")
OUTBOX_STEPS = ("claimed", "returned")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class DiesAround:
    """Wraps the backend to stop the process just before and just after the send itself."""

    def __init__(self, backend: SmtpBackend, kill_at: str | None) -> None:
        self.backend = backend
        self.kill_at = kill_at

    def send(self, email: OutgoingEmail) -> str:
        if self.kill_at == "claimed":
            die()
        reference = self.backend.send(email)
        if self.kill_at == "returned":
            die()
        return reference


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lease", type=float, required=True)
    parser.add_argument("--kill-at", choices=SMTP_STEPS + OUTBOX_STEPS)
    args = parser.parse_args()

    def hook(step: str) -> None:
        if step == args.kill_at:
            die()

    smtp = SmtpBackend("127.0.0.1", args.port, starttls=False, sender=SENDER, timeout=5, fault_hook=hook)
    app = Crosscheck(Settings.from_env())
    report = send_due_emails(app, DiesAround(smtp, args.kill_at), lease_seconds=args.lease)
    print(f"sent={report.sent} retried={report.retried} failed={report.failed}")


if __name__ == "__main__":
    main()
