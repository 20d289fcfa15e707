"""From a feed being posted to the alert emails being accepted by an SMTP server, with the jobs
worker running as in production (its own process, default schedule).

Manchester has revoked 1,000 drivers; Wolverhampton then posts a register that licenses them all.
That raises 1,000 `adverse_elsewhere` findings, which cannot wait: the clock stops when the SMTP
server has accepted the alert of every team concerned."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from benchmarks.common import REPO, emit, fresh_database
from licensing.services import feeds, pipeline
from licensing.actors import Actor
from licensing.services.authorities import update_authority_settings
from licensing.store.findings import Finding
from licensing.synthetic import feed_csv, generate_register

MANCHESTER, WOLVERHAMPTON = "E08000003", "E08000031"
TIMEOUT_SECONDS = 300


class Inbox:
    def __init__(self):
        self.accepted: list[tuple[float, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append((time.perf_counter(), list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _registers(drivers: int) -> tuple[bytes, bytes]:
    # A little over the number wanted, since the generator also makes some operators' licences.
    register = generate_register(seed=5, authority_codes=[MANCHESTER], licences=int(drivers * 1.1))
    people = [r for r in register.feed_rows(MANCHESTER) if r["licence_type"] != "private_hire_operator"]
    revoked, licensed = [], []
    for number, row in enumerate(people[:drivers]):
        revoked.append({**row, "status": "revoked"})
        licensed.append({**row, "licence_number": f"WPH{number:06d}", "status": "active",
                         "issued_on": "2025-09-01", "expires_on": "2028-09-01"})
    return feed_csv(revoked), feed_csv(licensed)


def run_worker_until_alerted(app, smtp, inbox: Inbox, post, expected: set[str]) -> float:
    """Start the jobs worker as in production, let it settle, post(), and wait until every expected
    address has had an email accepted; returns when post() was called."""
    env = {**os.environ, "DATABASE_URL": app.settings.database_url, "CROSSCHECK_VAR_DIR": str(app.settings.var_dir),
           "CROSSCHECK_REFERENCE_DIR": str(app.settings.reference_dir), "CROSSCHECK_EMAIL_BACKEND": "smtp",
           "CROSSCHECK_SMTP_HOST": "127.0.0.1", "CROSSCHECK_SMTP_PORT": str(smtp.port),
           "CROSSCHECK_SMTP_STARTTLS": "false", "CROSSCHECK_SMTP_SENDER": "alerts@crosscheck.example"}
    worker = subprocess.Popen([sys.executable, "-m", "crosscheck", "jobs"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # the worker is up and idle, as it would be when the change arrives
        inbox.accepted.clear()  # only what the change causes is measured
        posted = time.perf_counter()
        post()
        while time.perf_counter() - posted < TIMEOUT_SECONDS:
            if expected <= {r for _, recipients in inbox.accepted for r in recipients}:
                break
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        smtp.stop()
    return posted


def adverse_findings(app) -> int:
    with app.unit_of_work(write=False) as uow:
        return uow.session.execute(select(func.count()).select_from(Finding)
                                   .where(Finding.type == "adverse_elsewhere")).scalar_one()


def report(db: str, findings: int, inbox: Inbox, posted: float) -> None:
    """From the feed being received to each alert accepted by the relay."""
    times = [at - posted for at, _ in inbox.accepted]
    emit({"db": db, "findings": findings, "emails": len(inbox.accepted),
          "first_alert_s": round(min(times), 1) if times else None,
          "all_alerts_s": round(max(times), 1) if times else None})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--drivers", type=int, default=1_000)
    args = parser.parse_args()

    revoked, licensed = _registers(args.drivers)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    with fresh_database(args.db) as app:
        operator = Actor.service()
        with app.unit_of_work() as uow:
            for code in (MANCHESTER, WOLVERHAMPTON):
                update_authority_settings(uow, operator, code, {"enforcement_email": f"enforcement@{code}.example",
                                                                "licensing_email": f"licensing@{code}.example"})
        with app.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=MANCHESTER, body=revoked, content_type="text/csv", source="push")
        pipeline.process_feeds(app)

        def post():
            with app.unit_of_work() as uow:
                feeds.receive_feed(uow, authority_code=WOLVERHAMPTON, body=licensed, content_type="text/csv",
                                   source="push")

        # Every team of both authorities hears of it: enforcement and licensing, licensing and home.
        posted = run_worker_until_alerted(app, smtp, inbox, post, {
            f"{team}@{code}.example" for code in (MANCHESTER, WOLVERHAMPTON) for team in ("enforcement", "licensing")})
        findings = adverse_findings(app)
    report(args.db, findings, inbox, posted)


if __name__ == "__main__":
    main()
