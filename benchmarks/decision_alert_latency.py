"""From a decisions feed being posted to the alert emails being accepted by an SMTP server, with the
jobs worker running as in production (its own process, default schedule): the 60 s alert target
for decision-driven adverse_elsewhere.

Wolverhampton licenses 1,000 drivers; Manchester then sends a decisions feed refusing them all on
safeguarding grounds. That raises 1,000 `adverse_elsewhere` findings, which cannot wait: the clock
stops when the SMTP server has accepted the alert of every team concerned."""

from __future__ import annotations

import argparse
import csv
import io

from aiosmtpd.controller import Controller

from benchmarks.alert_latency import (MANCHESTER, WOLVERHAMPTON, Inbox, _free_port, _registers, adverse_findings, report,
                                      run_worker_until_alerted)
from benchmarks.common import fresh_database
from licensing.actors import Actor
from licensing.feeds.decisions import COLUMNS
from licensing.services import feeds, pipeline
from licensing.services.authorities import update_authority_settings


def _decisions_feed(licensed: bytes) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for number, row in enumerate(csv.DictReader(io.StringIO(licensed.decode()))):
        writer.writerow({**row, "reference": f"MCR-{number}", "decision": "refused", "licence_number": "",
                         "decided_on": "2025-06-01", "effective_from": "2025-06-01", "grounds": "safeguarding",
                         "reason": "Kept with Manchester"})
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--drivers", type=int, default=1_000)
    args = parser.parse_args()

    _, licensed = _registers(args.drivers)
    decisions = _decisions_feed(licensed)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    smtp.start()
    with fresh_database(args.db) as app:
        with app.unit_of_work() as uow:
            for code in (MANCHESTER, WOLVERHAMPTON):
                update_authority_settings(uow, Actor.service(), code, {
                    "enforcement_email": f"enforcement@{code}.example", "licensing_email": f"licensing@{code}.example"})
        with app.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=WOLVERHAMPTON, body=licensed, content_type="text/csv", source="push")
        pipeline.process_feeds(app)

        def post():
            with app.unit_of_work() as uow:
                feeds.receive_feed(uow, authority_code=MANCHESTER, body=decisions, content_type="text/csv",
                                   source="push", kind=feeds.DECISIONS)

        posted = run_worker_until_alerted(app, smtp, inbox, post,
                                          {f"{team}@{WOLVERHAMPTON}.example" for team in ("enforcement", "licensing")})
        findings = adverse_findings(app)
    report(args.db, findings, inbox, posted)


if __name__ == "__main__":
    main()
