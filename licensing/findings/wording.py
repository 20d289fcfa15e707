"""What each type of finding is called and what the officer is expected to do next: written once,
read by the pages, the alert emails, the daily digest and the CSV export."""

from __future__ import annotations

# The title of an alert email or a finding's page heading in a sentence.
TITLES = {
    "out_of_area": "Driver licensed elsewhere who lives in your area",
    "adverse_elsewhere": "Licensed driver refused, suspended or revoked by another authority",
    "multiple_licences": "Driver licensed by more than one authority",
    "identity_conflict": "Possible identity problem with a driving licence number",
    "concern_shared": "Safeguarding or road-safety concern about a driver you license",
}
# The short name a list or a filter shows.
NAMES = {
    "adverse_elsewhere": "Revoked or suspended elsewhere",
    "concern_shared": "Concern shared by another authority",
    "identity_conflict": "Identity conflict",
    "multiple_licences": "Licensed in several places",
    "out_of_area": "Licensed out of area",
}
# What the officer is expected to do next, by type.
NEXT_STEPS = {
    "adverse_elsewhere": "Ask the deciding authority for its reasons (it must answer within 20 working days) "
                         "and consider suspending or revoking your licence.",
    "identity_conflict": "Check the driver's photocard licence against your record, and correct your record "
                         "or tell the other authority.",
    "multiple_licences": "Check the driver told you of the other licences, and agree with the other "
                         "authorities who will check what.",
    "concern_shared": "Consider the concern and whether to suspend or revoke your licence, then record your "
                      "decision so that it goes back to the sending authority (it is due in 20 working days).",
    "out_of_area": "Note where the driver lives: your enforcement officers may meet them working in your area. "
                   "Look first at those ranked highest; the rest need no action one by one.",
}


def title_of(finding_type: str) -> str:
    return TITLES.get(finding_type, finding_type)


def name_of(finding_type: str) -> str:
    return NAMES.get(finding_type, finding_type)
