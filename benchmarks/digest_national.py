"""The daily digest for an authority with 10,000 open findings: Manchester, where 10,000 drivers
licensed by ten other authorities live (a few of them revoked by Manchester itself). The clock
runs over send_digests, which builds and queues the email; the email's size is measured as queued."""

from __future__ import annotations

import argparse

from sqlalchemy import func, select

from benchmarks.common import Stopwatch, emit, fresh_database
from licensing.actors import Actor
from licensing.services import digest, feeds, pipeline
from licensing.services.authorities import update_authority_settings
from licensing.store.findings import OPEN, Finding, FindingAuthority
from licensing.store.outbox import OutboxMessage
from licensing.synthetic import feed_csv, generate_register

MANCHESTER = "E08000003"
# Where the drivers are licensed: Greater Manchester's other districts and Wolverhampton.
LICENSING = ("E08000001", "E08000002", "E08000004", "E08000005", "E08000006", "E08000007", "E08000008",
             "E08000009", "E08000010", "E08000031")
REVOKED_AT_HOME = 50


def people(count: int) -> list[dict]:
    """Distinct people as the synthetic register makes them (names, dates of birth, driving
    licence numbers), all living in Manchester."""
    # A little over the number wanted, since the generator also makes some operators' licences.
    register = generate_register(seed=11, authority_codes=[MANCHESTER], licences=int(count * 1.1) + 10)
    rows = [row for row in register.feed_rows(MANCHESTER) if row["licence_type"] != "private_hire_operator"]
    return [{**row, "status": "active", "issued_on": "2025-01-10", "expires_on": "2028-01-10",
             "postcode": "M14 5AB" if n % 2 else "M14 5AA"} for n, row in enumerate(rows[:count])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--findings", type=int, default=10_000)
    args = parser.parse_args()

    clock = Stopwatch()
    with fresh_database(args.db) as app:
        with app.unit_of_work() as uow:
            for code in (MANCHESTER, *LICENSING):
                update_authority_settings(uow, Actor.service(), code, {"enforcement_email": f"enforcement@{code}.example",
                                                                       "licensing_email": f"licensing@{code}.example"})
        drivers = people(args.findings)
        revoked = [{**row, "licence_number": f"M{n}", "status": "revoked", "issued_on": "2021-06-01",
                    "expires_on": "2024-06-01"} for n, row in enumerate(drivers[:REVOKED_AT_HOME])]
        by_authority = {code: [] for code in LICENSING}
        for n, row in enumerate(drivers):
            by_authority[LICENSING[n % len(LICENSING)]].append({**row, "licence_number": f"L{n}"})
        for code, rows in ((MANCHESTER, revoked), *by_authority.items()):
            with app.unit_of_work() as uow:
                feeds.receive_feed(uow, authority_code=code, body=feed_csv(rows), content_type="text/csv",
                                   source="import")
        pipeline.process_feeds(app)
        with app.unit_of_work(write=False) as uow:
            open_findings = uow.session.execute(
                select(func.count()).select_from(Finding)
                .join(FindingAuthority, FindingAuthority.finding_id == Finding.id)
                .where(FindingAuthority.authority_code == MANCHESTER, FindingAuthority.role == "for",
                       Finding.status == OPEN)).scalar_one()
            at_stake = uow.session.execute(select(func.count()).select_from(Finding)
                                           .where(Finding.stake > 0)).scalar_one()
        with clock.time("digest_s"):
            emails = digest.send_digests(app)
        with app.unit_of_work(write=False) as uow:
            bodies = uow.session.execute(select(OutboxMessage.body).where(OutboxMessage.kind == "digest",
                                                                          OutboxMessage.authority_code == MANCHESTER)
                                         ).scalars().all()
    emit({"db": args.db, "open_findings": open_findings, "findings_at_stake": at_stake, "emails": emails,
          "email_kb": round(max(len(body.encode()) for body in bodies) / 1024, 1), **clock.figures})


if __name__ == "__main__":
    main()
