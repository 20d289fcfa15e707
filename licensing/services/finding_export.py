"""The caller's findings as a CSV file, ranked by what is at stake: for an enforcement team to
work through the thousands of drivers licensed out of area in a spreadsheet. Each licence is named
as the caller may see it (licensing/disclosure.py), every cell passes through csv_safe, and the
export is in the audit log as a disclosure: who, when, which filters, which findings and licences."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Iterable

from licensing import disclosure
from licensing.actors import Actor
from licensing.feeds.export import csv_safe
from licensing.findings.ranking import stake_words
from licensing.findings.wording import name_of
from licensing.services.alerts import finding_page
from licensing.services.findings import list_findings
from licensing.store.db import UnitOfWork
from licensing.store.models import AuditEvent

HEADER = ("Finding", "Type", "What is at stake", "Your status", "Summary", "Licences", "Evidence", "Opened",
          "Last changed", "Page")
# Findings read per query while writing the file: memory stays flat however many there are.
BATCH = 2000


def export_findings(uow: UnitOfWork, caller: Actor, *, base_url: str, types: Iterable[str] = (),
                    statuses: Iterable[str] = (), opened_since: datetime | None = None,
                    other_authority: str | None = None) -> str:
    """The CSV text; records the export in the audit log and commits."""
    types, statuses = list(types), list(statuses)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    shown = []
    page = 1
    while True:
        found, total = list_findings(uow, caller, types=types, statuses=statuses, opened_since=opened_since,
                                     other_authority=other_authority, ranked=True, page=page, page_size=BATCH)
        for finding in found:
            writer.writerow([csv_safe(str(value)) for value in (
                finding.id, name_of(finding.type), "; ".join(stake_words(finding.stake)), finding.status,
                finding.summary, "; ".join(disclosure.describe(licence) for licence in finding.licences),
                " | ".join(finding.evidence), finding.opened_at.isoformat(timespec="seconds"),
                finding.updated_at.isoformat(timespec="seconds"), finding_page(base_url, finding.id))])
            shown.append({"finding_id": finding.id, "licence_ids": [licence.licence_id for licence in finding.licences]})
        if page * BATCH >= total:
            break
        page += 1
    uow.session.add(AuditEvent(
        kind="findings_export", authority_code=caller.authority_code, **caller.recorded("actor"),
        query={"type": types, "status": statuses, "authority": other_authority,
               "opened_since": opened_since.isoformat() if opened_since else None},
        shown=shown))
    uow.commit()
    return out.getvalue()
