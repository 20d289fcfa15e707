"""UK value formats shared by every part of the register: postcodes, driving licence numbers,
National Insurance numbers and the date formats councils export.

Each normaliser returns the canonical text, or None when the value is not of that format; callers
decide whether that is an error or a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

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


# The forms councils' systems and spreadsheets write dates in: the issue of a feed lists them, and
# docs/feeds.md shows them to councils. Day before month always: these are British exports.
DATE_FORMS = "DD/MM/YYYY, D/M/YYYY, DD-MM-YYYY, DD.MM.YYYY, 1-Sep-2023, 01 September 2023 or YYYY-MM-DD"

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+)\.?,?[\s-]+(\d{4}|\d{2})", re.IGNORECASE)
# Exports from databases and Excel add the time of day, which on a calendar date is midnight.
_MIDNIGHT = re.compile(r"(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)$")
_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for name in names}


@dataclass(frozen=True, slots=True)
class DateParts:
    """A date as written; year is two digits when short_year, and then the caller picks the century."""

    year: int
    month: int
    day: int
    short_year: bool


def date_parts(raw: str) -> DateParts:
    """Splits a date in one of DATE_FORMS (a trailing midnight time allowed) into its parts. Raises
    InvalidDate naming the value when it is in none of them."""
    text = raw.strip()
    bare = _MIDNIGHT.sub("", text)
    if match := _ISO.fullmatch(bare):
        year, month, day = (int(part) for part in match.groups())
        return DateParts(year, month, day, False)
    if match := _NUMERIC.fullmatch(bare):
        day, _, month, year = match.groups()
        return DateParts(int(year), int(month), int(day), len(year) == 2)
    if (match := _NAMED.fullmatch(bare)) and match.group(2).lower() in _MONTHS:
        day, month, year = match.groups()
        return DateParts(int(year), _MONTHS[month.lower()], int(day), len(year) == 2)
    if bare != text or re.search(r"\d[T ]\d{1,2}:\d{2}", text):
        raise InvalidDate(f"'{text}' has a time of day other than midnight; send the date alone")
    raise InvalidDate(f"'{text}' is not a date in a form Crosscheck reads (YYYY-MM-DD or DD/MM/YYYY, or "
                      f"another of {DATE_FORMS})")


def calendar_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidDate(f"'{text.strip()}' is not a real calendar date") from None


def parse_calendar_date(raw: str) -> date:
    """A date as councils export it (any of DATE_FORMS, with a four-digit year). Raises InvalidDate
    with a message an authority's IT team can act on."""
    parts = date_parts(raw)
    if parts.short_year:
        raise InvalidDate(f"'{raw.strip()}' has a two-digit year; write the year in full")
    return calendar_date(parts.year, parts.month, parts.day, raw)


# Excel counts days from 30 December 1899 (its day 60 is a 29 February 1900 that never was, so
# serials before 1 March 1900 are not read).
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_FIRST_SERIAL = 61
_EXCEL_LAST_SERIAL = 2958465  # 31 December 9999


def excel_serial_date(serial: int) -> date:
    if not _EXCEL_FIRST_SERIAL <= serial <= _EXCEL_LAST_SERIAL:
        raise InvalidDate(f"'{serial}' is not a date: as an Excel date number it is out of range")
    return _EXCEL_EPOCH + timedelta(days=serial)
