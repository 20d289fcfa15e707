"""Licence types and statuses: Crosscheck's own codes, and the forms councils' systems export them in.

This is the one table docs/feeds.md shows to councils ("Codes understood without a mapping"). A
council whose system writes something else saves it in its feed mapping; anything still unknown
rejects the row, naming the value, because a guessed status could end or reinstate a licence.
"""

from __future__ import annotations

import re

LICENCE_TYPES = ("hackney_carriage_driver", "private_hire_driver", "dual_driver", "private_hire_operator")
DRIVER_LICENCE_TYPES = frozenset(("hackney_carriage_driver", "private_hire_driver", "dual_driver"))
STATUSES = ("active", "suspended", "expired", "revoked", "surrendered")

# Keys are written as code_key() leaves them: lower case, letters and digits only. Words whose
# meaning varies between councils ("Cancelled", "Ended", "Pending") are deliberately absent.
COMMON_LICENCE_TYPES = {
    "hcd": "hackney_carriage_driver",
    "hc": "hackney_carriage_driver",
    "hackney": "hackney_carriage_driver",
    "hackneycarriage": "hackney_carriage_driver",
    "hackneycarriagedriver": "hackney_carriage_driver",
    "hackneydriver": "hackney_carriage_driver",
    "taxi": "hackney_carriage_driver",
    "taxidriver": "hackney_carriage_driver",
    "phd": "private_hire_driver",
    "ph": "private_hire_driver",
    "privatehire": "private_hire_driver",
    "privatehiredriver": "private_hire_driver",
    "phvdriver": "private_hire_driver",
    "dual": "dual_driver",
    "dualdriver": "dual_driver",
    "combined": "dual_driver",
    "combineddriver": "dual_driver",
    "hcph": "dual_driver",
    "hcphd": "dual_driver",
    "pho": "private_hire_operator",
    "operator": "private_hire_operator",
    "privatehireoperator": "private_hire_operator",
    "phvoperator": "private_hire_operator",
}

COMMON_STATUSES = {
    "current": "active",
    "granted": "active",
    "valid": "active",
    "live": "active",
    "issued": "active",
    "licensed": "active",
    "renewed": "active",
    "lapsed": "expired",
    "expired": "expired",
    "revoked": "revoked",
    "revocation": "revoked",
    "suspended": "suspended",
    "suspension": "suspended",
    "surrendered": "surrendered",
    "surrender": "surrendered",
}

_NOT_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]+")


def code_key(text: str) -> str:
    """'Hackney Carriage', 'hackney-carriage' and 'HACKNEY_CARRIAGE' are one code: 'hackneycarriage'."""
    return _NOT_LETTER_OR_DIGIT.sub("", text.lower())


def _with_own(table: dict[str, str], own: tuple[str, ...]) -> dict[str, str]:
    return {**table, **{code_key(name): name for name in own}}


BUILT_IN = {
    "licence_type": _with_own(COMMON_LICENCE_TYPES, LICENCE_TYPES),
    "status": _with_own(COMMON_STATUSES, STATUSES),
}
ALLOWED = {"licence_type": LICENCE_TYPES, "status": STATUSES}
