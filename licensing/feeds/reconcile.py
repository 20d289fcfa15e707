"""Reconciling a full snapshot of an authority's register with what the register holds.

A feed is the authority's whole current register: new licence numbers are added, changed ones
updated, and live licences missing from the snapshot are ended (kept, never deleted). The plan is
computed here without touching the database, so the safety rules can be checked, and shown to the
authority, before anything changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable

from licensing.feeds.parse import LicenceRow, ParsedFeed


def content_hash(row: LicenceRow) -> str:
    return hashlib.sha1(repr(row.content_key()).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CurrentLicence:
    id: int
    licence_number: str
    content_hash: str
    ended: bool


@dataclass
class ReconciliationPlan:
    total_rows: int
    rejected_rows: int
    live_before: int
    to_add: list[LicenceRow] = field(default_factory=list)
    to_reinstate: list[tuple[int, LicenceRow]] = field(default_factory=list)
    to_change: list[tuple[int, LicenceRow]] = field(default_factory=list)
    to_end: list[int] = field(default_factory=list)
    unchanged: int = 0

    @property
    def added(self) -> int:
        return len(self.to_add) + len(self.to_reinstate)

    @property
    def changed(self) -> int:
        return len(self.to_change)

    @property
    def ended(self) -> int:
        return len(self.to_end)

    def hold_reason(self, hold_share: float) -> str | None:
        """Why this feed must wait for the authority's confirmation, or None if it is safe.

        A truncated or half-broken export looks like a register that lost most of its licences;
        applying it would end thousands of live licences, so it is held instead."""
        reasons = []
        if self.live_before and self.ended / self.live_before > hold_share:
            reasons.append(
                f"it would end {self.ended} of the {self.live_before} live licences "
                f"({self.ended / self.live_before:.0%}), more than the {hold_share:.0%} allowed without confirmation"
            )
        if self.total_rows and self.rejected_rows / self.total_rows > hold_share:
            reasons.append(
                f"{self.rejected_rows} of its {self.total_rows} rows are invalid "
                f"({self.rejected_rows / self.total_rows:.0%}), more than the {hold_share:.0%} allowed without confirmation"
            )
        if not reasons:
            return None
        return "Held for confirmation because " + " and ".join(reasons) + ". Nothing has changed yet."


def plan_reconciliation(parsed: ParsedFeed, current: Iterable[CurrentLicence]) -> ReconciliationPlan:
    by_number = {licence.licence_number: licence for licence in current}
    rejected_rows = len({p.row for p in parsed.problems if p.severity == "error" and p.row is not None})
    plan = ReconciliationPlan(
        total_rows=parsed.total_rows,
        rejected_rows=rejected_rows,
        live_before=sum(1 for licence in by_number.values() if not licence.ended),
    )
    seen: set[str] = set()
    for row in parsed.rows:
        seen.add(row.licence_number)
        existing = by_number.get(row.licence_number)
        if existing is None:
            plan.to_add.append(row)
        elif existing.ended:
            plan.to_reinstate.append((existing.id, row))
        elif existing.content_hash != content_hash(row):
            plan.to_change.append((existing.id, row))
        else:
            plan.unchanged += 1
    # A licence whose row was rejected is neither changed nor ended: a bad row is not evidence
    # that the licence is gone.
    keep = seen | parsed.rejected_licence_numbers
    plan.to_end = [
        licence.id
        for number, licence in by_number.items()
        if not licence.ended and number not in keep
    ]
    return plan
