"""UK value formats shared by every part of the register: postcodes, driving licence numbers,
National Insurance numbers and the date formats councils export.

Each normaliser returns the canonical text, or None when the value is not of that format; callers
decide whether that is an error or a warning.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_SPACES = re.compile(r"\s+")

# Outward code: area letters, district digit, optional digit or letter; inward code: digit + two
# letters (never C, I, K, M, O or V).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(raw: str | None) -> str | None:
    """'sw1a1aa' -> 'SW1A 1AA'; None when the text cannot be a UK postcode."""
    if not raw:
        return None
    compact = _SPACES.sub("", raw).upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.match(compact)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def postcode_sector(postcode: str) -> str:
    """'SW1A 1AA' -> 'SW1A 1' (the postcode must already be normalised)."""
    outward, inward = postcode.split(" ")
    return f"{outward} {inward[0]}"


def postcode_outward(postcode: str) -> str:
    return postcode.split(" ")[0]


def is_northern_ireland(postcode: str) -> bool:
    return postcode.startswith("BT")


# DVLA driver number: surname (5, padded with 9), decade, month (+50 for women), day, year digit,
# two initials (padded with 9), an arbitrary digit, two check characters.
_GB_DRIVER_NUMBER = re.compile(r"^[A-Z9]{5}[0-9](?:[01][0-9]|[56][0-9])[0-3][0-9][0-9][A-Z9]{2}[0-9][A-Z0-9]{2}$")
_NI_DRIVER_NUMBER = re.compile(r"^[0-9]{8}$")


def normalise_driving_licence_number(raw: str | None) -> str | None:
    """Upper-case with spaces removed; None when empty. Format is judged separately, because a
    malformed number is still evidence worth keeping."""
    if not raw:
        return None
    compact = _SPACES.sub("", raw).upper()
    return compact or None


def is_well_formed_gb_driving_licence_number(number: str) -> bool:
    return bool(_GB_DRIVER_NUMBER.match(number))


def is_northern_ireland_driving_licence_number(number: str) -> bool:
    return bool(_NI_DRIVER_NUMBER.match(number))


_NI_NUMBER = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")


def normalise_ni_number(raw: str | None) -> str | None:
    if not raw:
        return None
    compact = _SPACES.sub("", raw).upper()
    return compact or None


def is_valid_ni_number(number: str) -> bool:
    return bool(_NI_NUMBER.match(number))


class InvalidDate(ValueError):
    pass


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_calendar_date(raw: str) -> date:
    """A date as councils export it: YYYY-MM-DD or DD/MM/YYYY. Raises InvalidDate with a message
    an authority's IT team can act on."""
    text = raw.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if re.match(r"^\d{4}-\d{1,2}-\d{1,2}$", text) or re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", text):
        raise InvalidDate(f"'{text}' is not a real calendar date")
    raise InvalidDate(f"'{text}' is not a date in YYYY-MM-DD or DD/MM/YYYY form")
