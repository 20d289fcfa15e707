"""Checking a feed's rows, once they are read from the file and through the council's mapping.

Each row arrives as its cells in COLUMNS order. RowChecker keeps the valid rows, every problem, how
many values of each field a mapping or the built-in tables interpreted, and where each licence number
was seen, so that duplicates can be rejected at the end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date
from operator import gt
from typing import Literal

from licensing.feeds.codes import ALLOWED, BUILT_IN, DRIVER_LICENCE_TYPES, code_key
from licensing.feeds.dates import FeedDates
from licensing.feeds.mapping import FIELDS, FeedMapping
from licensing.feeds.text import MAX_LENGTH, has_unsafe, single_line
from licensing.values import (
    InvalidDate,
    is_northern_ireland,
    is_northern_ireland_driving_licence_number,
    is_valid_ni_number,
    is_well_formed_gb_driving_licence_number,
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
)

# The order in which a row's values are handled internally; also the order of LicenceRow's fields.
COLUMNS = FIELDS
OPTIONAL_COLUMNS = ("driving_licence_number", "ni_number", "address")
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column not in OPTIONAL_COLUMNS)
MINIMUM_AGE = 18

_CAPS = tuple(MAX_LENGTH[column] for column in COLUMNS)

# Listed whole in a duplicate's message up to this many; beyond it the message would dwarf the feed.
_MAX_ROWS_NAMED = 10


@dataclass(frozen=True, slots=True)
class LicenceRow:
    row: int
    licence_number: str
    licence_type: str
    status: str
    issued_on: date | None
    expires_on: date | None
    surname: str
    forenames: str
    date_of_birth: date | None
    driving_licence_number: str | None
    ni_number: str | None
    address: str | None
    postcode: str | None

    def content_key(self) -> tuple:
        """Every field except the row number, so a licence that merely moved in the file is unchanged."""
        return tuple(getattr(self, name) for name in _CONTENT_FIELDS)


_CONTENT_FIELDS = tuple(f.name for f in fields(LicenceRow) if f.name != "row")


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int | None
    field: str | None
    message: str
    severity: Literal["error", "warning"]


@dataclass(frozen=True)
class ParsedFeed:
    rows: list[LicenceRow]
    problems: list[RowProblem]
    total_rows: int
    rejected_licence_numbers: frozenset[str]
    # How many values of each field a mapping or the built-in tables changed, e.g. {"status": 812}.
    interpreted: dict[str, int] = field(default_factory=dict)


class RowChecker:
    """Validates rows one by one and keeps what a whole feed needs: the valid rows, every problem,
    and where each licence number was seen, so duplicates can be rejected at the end."""

    def __init__(self, header_problems: list[RowProblem], *, today: date, mapping: FeedMapping,
                 excel_serials: bool = False):
        self.rows: list[LicenceRow] = []
        self.problems = list(header_problems)
        self.rejected_numbers: set[str] = set()
        self.first_row_of: dict[str, int] = {}
        self.duplicate_rows_of: dict[str, list[int]] = {}
        self.today = today
        self.dates = FeedDates(today, excel_serials=excel_serials)
        self.interpreted: Counter[str] = Counter()
        # The council's codes first, then the built-in table; each spelling seen is remembered.
        self.codes = {name: {**BUILT_IN[name], **mapping.codes_of(name)} for name in ALLOWED}
        self.spellings: dict[str, dict[str, str]] = {name: {} for name in ALLOWED}

    def reject_malformed(self, row: int, licence_number: str, message: str) -> None:
        self.problems.append(RowProblem(row, None, message, "error"))
        if licence_number:
            self._seen(row, licence_number)
            self.rejected_numbers.add(licence_number)

    def check(self, row: int, cells: list[str | None], found: list[RowProblem]) -> None:
        """cells are trimmed, in COLUMNS order: '' means empty, None means already reported."""
        # Both checks at C speed on the usual row (every cell text); a row with None cells, or one
        # that fails a check, takes the slow way.
        try:
            unsafe, over = has_unsafe("".join(cells)), any(map(gt, map(len, cells), _CAPS))
        except TypeError:
            unsafe, over = has_unsafe("".join(cell for cell in cells if cell)), True
        if unsafe:
            cells = self._single_line(row, cells, found)
        if over:
            for at, cell in enumerate(cells):
                if cell and len(cell) > _CAPS[at]:
                    found.append(RowProblem(row, COLUMNS[at], f"{COLUMNS[at]} is {len(cell):,} characters long; "
                                            f"at most {_CAPS[at]} are accepted.", "error"))
                    cells[at] = None
        (
            licence_number,
            licence_type_text,
            status_text,
            issued_text,
            expires_text,
            surname,
            forenames,
            birth_text,
            driving_licence_text,
            ni_text,
            address,
            postcode_text,
        ) = cells

        if licence_number:
            self._seen(row, licence_number)
        elif licence_number == "":
            found.append(_missing(row, "licence_number", "every row needs the authority's licence number"))

        licence_type = self._choice(row, "licence_type", licence_type_text, found)
        status = self._choice(row, "status", status_text, found)
        is_driver = licence_type in DRIVER_LICENCE_TYPES

        if surname == "":
            found.append(_missing(row, "surname", "every row needs the holder's surname (or the operator's name)"))
        if forenames == "" and is_driver:
            found.append(_missing(row, "forenames", "driver licences need the holder's forenames"))

        issued_on = self._date(row, "issued_on", issued_text, found) if issued_text else None
        expires_on = self._date(row, "expires_on", expires_text, found) if expires_text else None
        if expires_text == "":
            found.append(_missing(row, "expires_on", "every licence needs its expiry date (such as 31/03/2027)"))
        elif expires_on and status == "active" and expires_on < self.today:
            found.append(RowProblem(row, "expires_on", f"the licence is active but expired on {expires_on.isoformat()}; "
                                    "check its status and expiry date.", "warning"))
        if issued_on and expires_on and expires_on < issued_on:
            found.append(
                RowProblem(
                    row,
                    "expires_on",
                    f"expires_on {expires_on.isoformat()} is before issued_on {issued_on.isoformat()}; "
                    "a licence cannot expire before it is issued.",
                    "error",
                )
            )

        date_of_birth = self._date(row, "date_of_birth", birth_text, found) if birth_text else None
        if birth_text == "" and is_driver:
            found.append(_missing(row, "date_of_birth", "driver licences need the holder's date of birth"))
        if date_of_birth:
            self._check_age(row, date_of_birth, issued_on, found)

        driving_licence_number = normalise_driving_licence_number(driving_licence_text)
        if (
            driving_licence_number
            and not is_well_formed_gb_driving_licence_number(driving_licence_number)
            and not is_northern_ireland_driving_licence_number(driving_licence_number)
        ):
            found.append(
                RowProblem(
                    row,
                    "driving_licence_number",
                    f"driving_licence_number '{driving_licence_number}' is neither a GB driving licence number "
                    "(16 characters, e.g. MORGA753116SM9IJ) nor a Northern Ireland one (8 digits); it is kept as "
                    "given, but please check it.",
                    "warning",
                )
            )

        ni_number = normalise_ni_number(ni_text)
        if ni_number and not is_valid_ni_number(ni_number):
            found.append(
                RowProblem(
                    row,
                    "ni_number",
                    f"ni_number '{ni_number}' is not a valid National Insurance number (two letters, six digits "
                    "and A, B, C or D, e.g. AB123456C); it is kept as given, but please check it.",
                    "warning",
                )
            )

        postcode = normalise_postcode(postcode_text)
        if postcode_text == "":
            found.append(
                RowProblem(
                    row, "postcode", "postcode is empty, so the holder's home area cannot be determined.", "warning"
                )
            )
        elif postcode is None and postcode_text is not None:
            found.append(
                RowProblem(
                    row,
                    "postcode",
                    f"postcode '{postcode_text}' is not a valid UK postcode, so it is not stored and the holder's "
                    "home area cannot be determined; expected a postcode such as SW1A 1AA.",
                    "warning",
                )
            )
        elif postcode is not None and is_northern_ireland(postcode):
            found.append(
                RowProblem(
                    row,
                    "postcode",
                    f"postcode '{postcode}' is in Northern Ireland, which Crosscheck's postcode data does not cover, "
                    "so the holder's home area cannot be determined; the postcode is kept.",
                    "warning",
                )
            )

        if found:
            self.problems.extend(found)
            if any(problem.severity == "error" for problem in found):
                if licence_number:
                    self.rejected_numbers.add(licence_number)
                return
        self.rows.append(
            LicenceRow(
                row,
                licence_number,
                licence_type,
                status,
                issued_on,
                expires_on,
                surname,
                forenames,
                date_of_birth,
                driving_licence_number,
                ni_number,
                address or None,
                postcode,
            )
        )

    def finish(self, total_rows: int) -> ParsedFeed:
        rows = self.rows
        if self.duplicate_rows_of:
            for licence_number, extra_rows in self.duplicate_rows_of.items():
                all_rows = [self.first_row_of[licence_number], *extra_rows]
                for row in all_rows:
                    named = [other for other in all_rows[: _MAX_ROWS_NAMED + 1] if other != row][:_MAX_ROWS_NAMED]
                    self.problems.append(
                        RowProblem(
                            row,
                            "licence_number",
                            f"licence_number '{licence_number}' also appears on "
                            f"{_rows_text(named, len(all_rows) - 1)}. Every row "
                            "with the same licence number is rejected, because Crosscheck cannot tell which one is "
                            "right; the licence is left as it is until the feed lists it once.",
                            "error",
                        )
                    )
            self.rejected_numbers.update(self.duplicate_rows_of)
            rows = [licence for licence in rows if licence.licence_number not in self.duplicate_rows_of]
            self.problems.sort(key=_problem_order)
        if total_rows == 0:
            self.problems.append(
                RowProblem(None, None, "The feed lists no licences, so it is read as an empty register.", "warning")
            )
        return ParsedFeed(
            rows=rows,
            problems=self.problems,
            total_rows=total_rows,
            rejected_licence_numbers=frozenset(self.rejected_numbers),
            interpreted=dict(sorted(self.interpreted.items())),
        )

    def _seen(self, row: int, licence_number: str) -> None:
        first = self.first_row_of.setdefault(licence_number, row)
        if first != row:
            self.duplicate_rows_of.setdefault(licence_number, []).append(row)

    def _choice(self, row: int, column: str, text: str | None, found: list[RowProblem]) -> str:
        if not text:
            if text == "":
                found.append(_missing(row, column, f"expected one of {', '.join(ALLOWED[column])}"))
            return ""
        known = self.spellings[column]
        value = known.get(text)
        if value is None:
            value = self.codes[column].get(code_key(text))
            if value is None:
                message = (f"{column} '{text}' is not recognised; expected one of {', '.join(ALLOWED[column])}, "
                           "a code in the table in docs/feeds.md, or one saved in the authority's feed mapping.")
                found.append(RowProblem(row, column, message, "error"))
                return ""
            known[text] = value
        if value != text:
            self.interpreted[column] += 1
        return value

    def _date(self, row: int, column: str, text: str, found: list[RowProblem]) -> date | None:
        try:
            parsed, interpreted = self.dates.read(column, text)
        except InvalidDate as invalid:
            found.append(RowProblem(row, column, f"{column}: {invalid}.", "error"))
            return None
        if interpreted:
            self.interpreted[column] += 1
        return parsed

    def _single_line(self, row: int, cells: list[str | None], found: list[RowProblem]) -> list[str | None]:
        cleaned = list(cells)
        for at, cell in enumerate(cells):
            if cell and has_unsafe(cell):
                cleaned[at] = single_line(cell)
                found.append(RowProblem(row, COLUMNS[at], f"{COLUMNS[at]} held line breaks or control or "
                                        "text-direction characters; they were removed, so check the value.",
                                        "warning"))
        return cleaned

    def _check_age(self, row: int, date_of_birth: date, issued_on: date | None, found: list[RowProblem]) -> None:
        if date_of_birth > self.today:
            found.append(
                RowProblem(
                    row, "date_of_birth", f"date_of_birth {date_of_birth.isoformat()} is in the future.", "error"
                )
            )
            return
        on = issued_on or self.today
        age = on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
        if age < MINIMUM_AGE:
            when = f"on issued_on {on.isoformat()}" if issued_on else "today"
            found.append(
                RowProblem(
                    row,
                    "date_of_birth",
                    f"date_of_birth {date_of_birth.isoformat()} makes the holder {age} {when}; a licence holder "
                    f"must be at least {MINIMUM_AGE}. Check the date of birth and issued_on.",
                    "error",
                )
            )


def _missing(row: int, column: str, expected: str) -> RowProblem:
    return RowProblem(row, column, f"{column} is empty; {expected}.", "error")


def _rows_text(named: list[int], count: int) -> str:
    """'row 4', 'rows 3 and 4', or 'rows 1, 2, ... and 90 more' when count exceeds those named."""
    shown = [str(row) for row in named]
    if count > len(named):
        return f"rows {', '.join(shown)} and {count - len(named)} more"
    if len(shown) == 1:
        return f"row {shown[0]}"
    return f"rows {', '.join(shown[:-1])} and {shown[-1]}"


def _problem_order(problem: RowProblem) -> int:
    return 0 if problem.row is None else problem.row
