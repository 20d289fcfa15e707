"""Reading a licence feed: an authority's full current register of licences, posted as CSV or JSON.

parse_feed turns the body into validated rows plus problems the authority's IT team can act on. It
decides nothing about the register itself: the reconciler compares the rows with what is stored.
A feed whose structure cannot be trusted is refused whole (FeedRejected), because a half-read
snapshot would look like a register with licences missing, and missing licences are ended.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Literal

from licensing.clock import london_today
from licensing.values import (
    InvalidDate,
    is_northern_ireland,
    is_northern_ireland_driving_licence_number,
    is_valid_ni_number,
    is_well_formed_gb_driving_licence_number,
    normalise_driving_licence_number,
    normalise_ni_number,
    normalise_postcode,
    parse_calendar_date,
)

LICENCE_TYPES = ("hackney_carriage_driver", "private_hire_driver", "dual_driver", "private_hire_operator")
DRIVER_LICENCE_TYPES = frozenset(("hackney_carriage_driver", "private_hire_driver", "dual_driver"))
STATUSES = ("active", "suspended", "expired", "revoked", "surrendered")

# The order in which a row's values are handled internally; also the order of LicenceRow's fields.
COLUMNS = (
    "licence_number",
    "licence_type",
    "status",
    "issued_on",
    "expires_on",
    "surname",
    "forenames",
    "date_of_birth",
    "driving_licence_number",
    "ni_number",
    "address",
    "postcode",
)
OPTIONAL_COLUMNS = ("driving_licence_number", "ni_number", "address")
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column not in OPTIONAL_COLUMNS)
MINIMUM_AGE = 18

CONTENT_TYPES = ("text/csv", "application/json")

# Listed whole in a duplicate's message up to this many; beyond it the message would dwarf the feed.
_MAX_ROWS_NAMED = 10

_SEPARATORS = re.compile(r"[\s_-]+")


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


class FeedRejected(Exception):
    """The whole feed is unusable, so nothing in the register may change because of it."""

    def __init__(self, message: str, problems: list[RowProblem] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def parse_feed(body: bytes, content_type: str) -> ParsedFeed:
    """Reads a feed posted as text/csv or application/json. Raises FeedRejected when the feed as a
    whole cannot be used; a bad row only rejects that row."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type not in CONTENT_TYPES:
        raise FeedRejected(
            f"Content-Type '{content_type}' is not supported; send the feed as text/csv or application/json."
        )
    if _BLANK.fullmatch(body):
        raise FeedRejected("The feed is empty; send the full current register of licences.")
    encoding = _encoding_of(body)
    if media_type == "text/csv":
        # Decoded as the csv module reads it, so the feed is never held whole as text as well as bytes.
        return _parse_csv(io.TextIOWrapper(io.BytesIO(body), encoding=encoding, newline=""))
    return _parse_json(body.decode(encoding))


_BLANK = re.compile(rb"(?:\xef\xbb\xbf)?\s*")
_CHECK_CHUNK = 1 << 16


def _encoding_of(body: bytes) -> str:
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FeedRejected(
            "The feed is UTF-16 text; save it as UTF-8 (for example 'CSV UTF-8' in Excel) and send it again."
        )
    if body.isascii() or _decodes_as(body, "utf-8"):
        return "utf-8-sig"
    # Councils' older systems and Excel's plain "CSV" save as Windows-1252.
    if _decodes_as(body, "cp1252"):
        return "cp1252"
    raise FeedRejected("The feed is neither UTF-8 nor Windows-1252 text; save it as UTF-8 and send it again.")


def _decodes_as(body: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(body)
    try:
        for start in range(0, len(view), _CHECK_CHUNK):
            decoder.decode(view[start : start + _CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _column_name(raw: str) -> str:
    """'Licence Number ' -> 'licence_number': headers as spreadsheets tend to write them."""
    return _SEPARATORS.sub("_", raw.strip().lower())


_COLUMN_SET = frozenset(COLUMNS)


def _check_columns(present: set[str], unknown: list[str], hint: str = "") -> list[RowProblem]:
    """Refuses the feed when a required column is absent; returns the warning about ignored columns."""
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise FeedRejected(
            f"Required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)}. "
            f"Every feed needs the columns {', '.join(REQUIRED_COLUMNS)}.{hint}",
            [
                RowProblem(None, column, f"Required column {column} is missing from the feed.", "error")
                for column in missing
            ],
        )
    if not unknown:
        return []
    return [
        RowProblem(
            None,
            None,
            f"Column{'s' if len(unknown) > 1 else ''} not used by Crosscheck and ignored: {', '.join(unknown)}.",
            "warning",
        )
    ]


def _parse_csv(text: io.TextIOBase) -> ParsedFeed:
    # Strict, because a stray quote otherwise swallows the rows after it silently, and licences
    # missing from a snapshot are ended.
    reader = csv.reader(text, strict=True)
    try:
        header = next((record for record in reader if any(record)), None)
        if header is None:
            raise FeedRejected("The CSV has no header row; the first line must name the columns.")
        names = [_column_name(cell) for cell in header]
        checker = _RowChecker(_check_csv_header(header, names))
        positions = [names.index(column) if column in names else None for column in COLUMNS]
        licence_number_at = positions[0]
        width = len(header)
        total_rows = 0
        for row, record in enumerate(reader, start=1):
            if not any(record):
                continue  # a blank line, or a row of empty cells left by a spreadsheet
            total_rows += 1
            if len(record) != width:
                if len(record) > width and not any(cell.strip() for cell in record[width:]):
                    record = record[:width]
                else:
                    checker.reject_malformed(
                        row,
                        record[licence_number_at].strip() if licence_number_at < len(record) else "",
                        f"The row has {len(record)} values but the header names {width} columns; check for "
                        "unquoted commas or line breaks inside a value.",
                    )
                    continue
            checker.check(row, [record[at].strip() if at is not None else "" for at in positions], [])
    except csv.Error as exc:
        raise FeedRejected(
            f"The CSV cannot be read at line {reader.line_num}: {exc}. Check that values containing commas, "
            "quotes or line breaks are enclosed in double quotes."
        ) from None
    return checker.finish(total_rows)


def _check_csv_header(header: list[str], names: list[str]) -> list[RowProblem]:
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if duplicated:
        raise FeedRejected(
            f"The header names {', '.join(duplicated)} more than once; each column may appear only once."
        )
    unknown = [
        header[index].strip() or f"(unnamed column {index + 1})"
        for index, name in enumerate(names)
        if name not in _COLUMN_SET
    ]
    hint = ""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        hint = " The file seems to be separated by semicolons or tabs; separate values with commas."
    return _check_columns(set(names), unknown, hint)


# Stands for a value given under two spellings of one column name in the same object.
_TWICE = object()
_JSON_SHAPE = 'Expected a JSON array of licence objects, or an object {"licences": [...]}.'


def _parse_json(text: str) -> ParsedFeed:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedRejected(f"The JSON cannot be read: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    if isinstance(document, dict):
        if "licences" not in document:
            raise FeedRejected(f"The JSON object has no 'licences' member. {_JSON_SHAPE}")
        document = document["licences"]
    if not isinstance(document, list):
        raise FeedRejected(f"The JSON holds no list of licences. {_JSON_SHAPE}")

    records: list[dict[str, object] | None] = []
    present: set[str] = set()
    unknown: dict[str, None] = {}
    for item in document:
        if not isinstance(item, dict):
            records.append(None)
            continue
        record = {}
        for key, value in item.items():
            name = _column_name(key)
            if name in _COLUMN_SET:
                # A key written twice in different cases would otherwise be silently overwritten.
                record[name] = _TWICE if name in record else value
                present.add(name)
            else:
                unknown[key.strip() or "(unnamed)"] = None
        records.append(record)
    header_problems = _check_columns(present, list(unknown)) if records else []

    checker = _RowChecker(header_problems)
    for row, record in enumerate(records, start=1):
        if record is None:
            checker.reject_malformed(row, "", "Each licence must be a JSON object of column names and values.")
            continue
        found: list[RowProblem] = []
        cells = [_json_text(row, column, record.get(column), found) for column in COLUMNS]
        checker.check(row, cells, found)
    return checker.finish(len(records))


def _json_text(row: int, column: str, value: object, found: list[RowProblem]) -> str | None:
    """A JSON value as cell text; None when the value is unusable and its problem already recorded."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is _TWICE:
        message = f"{column} is given more than once in this object; give each column once."
    else:
        message = f"{column} must be a string (or a whole number), not {_json_kind(value)}."
    found.append(RowProblem(row, column, message, "error"))
    return None


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, list):
        return "an array"
    return "an object"


class _RowChecker:
    """Validates rows one by one and keeps what a whole feed needs: the valid rows, every problem,
    and where each licence number was seen, so duplicates can be rejected at the end."""

    def __init__(self, header_problems: list[RowProblem]):
        self.rows: list[LicenceRow] = []
        self.problems = list(header_problems)
        self.rejected_numbers: set[str] = set()
        self.first_row_of: dict[str, int] = {}
        self.duplicate_rows_of: dict[str, list[int]] = {}
        self.today = london_today()
        # A feed repeats the same few thousand dates; parsing each once keeps large feeds fast.
        self.dates: dict[str, date | str] = {}
        # Spellings seen so far, each mapped to the canonical value it means.
        self.licence_types = {name: name for name in LICENCE_TYPES}
        self.statuses = {name: name for name in STATUSES}

    def reject_malformed(self, row: int, licence_number: str, message: str) -> None:
        self.problems.append(RowProblem(row, None, message, "error"))
        if licence_number:
            self._seen(row, licence_number)
            self.rejected_numbers.add(licence_number)

    def check(self, row: int, cells: list[str | None], found: list[RowProblem]) -> None:
        """cells are trimmed, in COLUMNS order: '' means empty, None means already reported."""
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

        licence_type = self._choice(row, "licence_type", licence_type_text, self.licence_types, LICENCE_TYPES, found)
        status = self._choice(row, "status", status_text, self.statuses, STATUSES, found)
        is_driver = licence_type in DRIVER_LICENCE_TYPES

        if surname == "":
            found.append(_missing(row, "surname", "every row needs the holder's surname (or the operator's name)"))
        if forenames == "" and is_driver:
            found.append(_missing(row, "forenames", "driver licences need the holder's forenames"))

        issued_on = self._date(row, "issued_on", issued_text, found) if issued_text else None
        expires_on = self._date(row, "expires_on", expires_text, found) if expires_text else None
        if expires_text == "":
            found.append(_missing(row, "expires_on", "every licence needs its expiry date (YYYY-MM-DD or DD/MM/YYYY)"))
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
        )

    def _seen(self, row: int, licence_number: str) -> None:
        first = self.first_row_of.setdefault(licence_number, row)
        if first != row:
            self.duplicate_rows_of.setdefault(licence_number, []).append(row)

    def _choice(
        self,
        row: int,
        column: str,
        text: str | None,
        known: dict[str, str],
        allowed: tuple[str, ...],
        found: list[RowProblem],
    ) -> str:
        if not text:
            if text == "":
                found.append(_missing(row, column, f"expected one of {', '.join(allowed)}"))
            return ""
        value = known.get(text)
        if value is None:
            # 'Private Hire Driver' and 'PRIVATE-HIRE-DRIVER' mean private_hire_driver.
            value = known.get(_SEPARATORS.sub("_", text.lower()))
            if value is None:
                message = f"{column} '{text}' is not recognised; expected one of {', '.join(allowed)}."
                found.append(RowProblem(row, column, message, "error"))
                return ""
            known[text] = value
        return value

    def _date(self, row: int, column: str, text: str, found: list[RowProblem]) -> date | None:
        parsed = self.dates.get(text)
        if parsed is None:
            try:
                parsed = parse_calendar_date(text)
            except InvalidDate as invalid:
                parsed = str(invalid)
            self.dates[text] = parsed
        if isinstance(parsed, str):
            message = f"{column}: {parsed}; dates must be YYYY-MM-DD or DD/MM/YYYY."
            found.append(RowProblem(row, column, message, "error"))
            return None
        return parsed

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
