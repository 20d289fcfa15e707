"""What a caller sees of a record another authority holds: the one rule, used by every output
(search results, the driver view, findings and their evidence, alert emails and digests, pages and
exports). docs/privacy.md gives the reasons against the 2022 Act.

An authority sees its own licence records in full. Of another authority's record it sees what the
national register (NR3S) would point it to: which authority holds it, the licence type, status and
dates, the record's reference in Crosscheck and whom to ask. Never the licence number, the name as
that authority recorded it, date of birth, driving licence or NI number, address or postcode: those
are the holding authority's to disclose, on a request for detail, for that purpose. The operator
belongs to no authority and sees every record this way.

Another authority's handling of a finding shows only its status: reasons are that authority's
working notes and may name people.

Templates: `disclosure.summarise(...)` returns a plain dataclass; `disclosure.describe(summary)`
gives the one-line wording used in emails and pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from licensing.findings.facts import licence_type_words

# What every caller sees of any record it may see at all.
# `suspended_by` names the English authority whose immediate suspension is in force, and until when:
# a licence must show as suspended everywhere it is shown (the 2026 power).
SHOWN_TO_ALL = ("licence_id", "authority_code", "authority_name", "licence_type", "status", "in_register",
                "since", "expires_on", "ask", "suspended_by")
# What only the holding authority sees.
HOLDER_ONLY = ("licence_number", "surname", "forenames", "date_of_birth")
# Never shown outside the holding authority's own licence list, whoever asks.
NEVER_SHOWN_TO_OTHERS = ("licence_number", "surname", "forenames", "date_of_birth", "driving_licence_number",
                         "ni_number", "address", "postcode")


def sees_in_full(viewer_authority: str | None, holding_authority: str) -> bool:
    """The one question: may this viewer see the holder's own details of this record?"""
    return viewer_authority is not None and viewer_authority == holding_authority


@dataclass(frozen=True)
class LicenceSummary:
    """One licence as the viewer may see it; the holder-only fields are None for another's record."""

    licence_id: int
    authority_code: str
    authority_name: str
    licence_type: str
    status: str
    in_register: bool
    since: date | None
    expires_on: date | None
    ask: str | None  # whom to ask for detail: the holding authority's licensing team
    own: bool
    licence_number: str | None = None
    surname: str | None = None
    forenames: str | None = None
    date_of_birth: date | None = None
    # While another English authority's immediate suspension is in force: which, since and until when.
    suspended_by: dict | None = None


def summarise(licence, *, authority_name: str, ask: str | None, viewer: str | None,
              suspension: dict | None = None) -> LicenceSummary:
    """`licence` is anything with the Licence columns (a row, a model, a LicenceFact-like value);
    `viewer` is the viewing authority's code (None for the operator and the service)."""
    own = sees_in_full(viewer, licence.authority_code)
    return LicenceSummary(
        licence_id=licence.id, authority_code=licence.authority_code, authority_name=authority_name,
        licence_type=licence.licence_type, status=licence.status, in_register=licence.ended_at is None,
        since=licence.issued_on, expires_on=licence.expires_on, ask=ask, own=own,
        **{name: getattr(licence, name) if own else None for name in HOLDER_ONLY}, suspended_by=suspension,
    )


def describe(summary: LicenceSummary) -> str:
    """One line naming a licence as the viewer may see it, for emails, digests and pages."""
    kind = f"{licence_type_words(summary.licence_type)} licence"
    status = summary.status if summary.in_register else f"{summary.status}, no longer in its register"
    if summary.own:
        return f"{summary.forenames} {summary.surname}: {kind} {summary.licence_number}, {summary.authority_name} ({status})"
    ask = f"; ask {summary.ask}" if summary.ask else f"; ask {summary.authority_name}'s licensing team"
    return (f"{summary.authority_name}: {kind} ({status}), Crosscheck record {summary.licence_id}"
            f"{ask} for detail")


@dataclass(frozen=True)
class HandlingSummary:
    """One authority's handling of a finding as the viewer may see it."""

    authority_code: str
    status: str
    changed_at: datetime | None
    own: bool
    reason: str | None = None
    changed_by_kind: str | None = None


def handling(*, authority_code: str, status: str, changed_at: datetime | None, reason: str | None,
             changed_by_kind: str | None, viewer: str | None) -> HandlingSummary:
    own = sees_in_full(viewer, authority_code)
    return HandlingSummary(authority_code=authority_code, status=status, changed_at=changed_at if own else None,
                           own=own, reason=reason if own else None,
                           changed_by_kind=changed_by_kind if own else None)
