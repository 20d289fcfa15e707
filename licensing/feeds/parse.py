"""Reading a licence feed: an authority's full current register of licences, posted as CSV, JSON or
an Excel workbook.

A feed is read in three stages: bytes to rows (this module: encodings, CSV, JSON, workbooks), rows
through the authority's mapping (licensing/feeds/mapping.py: its own headers and codes), then row
checks (licensing/feeds/rows.py). parse_feed decides nothing about the register itself: the
reconciler compares the rows with what is stored. A feed whose structure cannot be trusted is
refused whole (FeedRejected), because a half-read snapshot would look like a register with licences
missing, and missing licences are ended.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from operator import itemgetter

import ijson

from licensing.clock import london_today
from licensing.feeds.codes import DRIVER_LICENCE_TYPES, LICENCE_TYPES, STATUSES  # noqa: F401  (the vocabulary)
from licensing.feeds.mapping import NO_MAPPING, FeedMapping, header_key, missing_columns_message
from licensing.feeds.rows import (  # noqa: F401  (the feed's row types, imported from here by callers)
    COLUMNS,
    MINIMUM_AGE,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    LicenceRow,
    ParsedFeed,
    RowChecker,
    RowProblem,
)
from licensing.feeds.sniff import CONTENT_TYPES, CSV, XLSX, media_type, mismatch
from licensing.feeds.xlsx import UnreadableWorkbook, workbook_rows


class FeedRejected(Exception):
    """The whole feed is unusable, so nothing in the register may change because of it."""

    def __init__(self, message: str, problems: list[RowProblem] = ()):
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


def parse_feed(body: bytes, content_type: str, mapping: FeedMapping = NO_MAPPING) -> ParsedFeed:
    """Reads a feed posted as text/csv, application/json or an .xlsx workbook, through the authority's
    mapping. Raises FeedRejected when the feed as a whole cannot be used; a bad row only rejects that row."""
    kind = media_type(content_type)
    if kind not in CONTENT_TYPES:
        raise FeedRejected(
            f"Content-Type '{content_type}' is not supported; send the feed as text/csv or application/json, "
            f"or as an Excel workbook ({XLSX})."
        )
    if _BLANK.fullmatch(body):
        raise FeedRejected("The feed is empty; send the full current register of licences.")
    wrong = mismatch(body, kind)
    if wrong:
        raise FeedRejected(wrong)
    if kind == XLSX:
        try:
            return _parse_rows(workbook_rows(body, mapping.sheet), mapping, excel_serials=True)
        except UnreadableWorkbook as unreadable:
            raise FeedRejected(str(unreadable)) from None
    encoding = _encoding_of(body)
    if kind == CSV:
        # Decoded as the csv module reads it, so the feed is never held whole as text as well as bytes.
        return _parse_csv(io.TextIOWrapper(io.BytesIO(body), encoding=encoding, newline=""), mapping)
    return _parse_json(body, encoding, mapping)


def reading_key(content_type: str, mapping: FeedMapping, today: date) -> str:
    """What besides its bytes decides how a feed reads: the same bytes with the same key give the same
    rows, problems and warnings, so a re-post of an applied feed need not be read again."""
    document = {"content_type": media_type(content_type), "columns": mapping.columns,
                "values": mapping.values, "sheet": mapping.sheet, "today": today.isoformat()}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode("utf-8")).hexdigest()


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


class _Header:
    """Where each field's cells are in a table's rows, read through the mapping."""

    def __init__(self, header: list[str], mapping: FeedMapping):
        field_of = mapping.field_of()
        labels = [cell.strip() for cell in header]
        targets = [field_of.get(header_key(label)) for label in labels]
        sources: dict[str, list[str]] = {}
        for label, target in zip(labels, targets):
            if target:
                sources.setdefault(target, []).append(label)
        twice = {target: named for target, named in sources.items() if len(named) > 1}
        if twice:
            raise FeedRejected("The header names " + "; ".join(
                f"{target} more than once ({', '.join(repr(n) for n in named)})" for target, named in twice.items())
                + "; each column may appear only once.")
        self.positions = [targets.index(column) if column in targets else None for column in COLUMNS]
        self.width = len(header)
        # Every field present: one C-level pick of the cells, the usual case.
        self._pick = itemgetter(*self.positions) if None not in self.positions else None
        ignored = [label or f"(unnamed column {at + 1})" for at, (label, target) in enumerate(zip(labels, targets))
                   if not target]
        hint = ""
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            hint = " The file seems to be separated by semicolons or tabs; separate values with commas."
        self.problems = _check_columns(set(sources), ignored, hint)

    def cells(self, record: list[str]) -> list[str]:
        if self._pick is not None and len(record) >= self.width:
            return list(map(str.strip, self._pick(record)))
        return [record[at].strip() if at is not None and at < len(record) else "" for at in self.positions]


def _check_columns(present: set[str], ignored: list[str], hint: str = "") -> list[RowProblem]:
    """Refuses the feed when a required column is absent; returns the one warning about ignored columns."""
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise FeedRejected(
            missing_columns_message(missing, ignored, REQUIRED_COLUMNS) + hint,
            [RowProblem(None, column, f"Required column {column} is missing from the feed.", "error")
             for column in missing],
        )
    if not ignored:
        return []
    return [
        RowProblem(None, None, f"Column{'s' if len(ignored) > 1 else ''} not used by Crosscheck and ignored: "
                   f"{', '.join(ignored)}.", "warning")
    ]


def _parse_csv(text: io.TextIOBase, mapping: FeedMapping) -> ParsedFeed:
    # Strict, because a stray quote otherwise swallows the rows after it silently, and licences
    # missing from a snapshot are ended.
    reader = csv.reader(text, strict=True)
    try:
        return _parse_rows(enumerate(reader), mapping)
    except csv.Error as exc:
        raise FeedRejected(
            f"The CSV cannot be read at line {reader.line_num}: {exc}. Check that values containing commas, "
            "quotes or line breaks are enclosed in double quotes."
        ) from None


def _parse_rows(records: Iterable[tuple[int, list[str]]], mapping: FeedMapping, *,
                excel_serials: bool = False) -> ParsedFeed:
    """A table whose first non-empty row is its header; CSV rows count from 1 after it, workbook rows
    are numbered as the spreadsheet numbers them."""
    records = iter(records)
    header_row = next(((row, record) for row, record in records if any(record)), None)
    if header_row is None:
        raise FeedRejected("The feed has no header row; the first line must name the columns.")
    first, header_cells = header_row
    while header_cells and not header_cells[-1].strip() and excel_serials:
        header_cells = header_cells[:-1]  # a workbook's trailing empty columns
    header = _Header(header_cells, mapping)
    checker = RowChecker(header.problems, today=london_today(), mapping=mapping, excel_serials=excel_serials)
    licence_number_at = header.positions[0]
    width = header.width
    total_rows = 0
    for row, record in records:
        if not any(record):
            continue  # a blank line, or a row of empty cells left by a spreadsheet
        total_rows += 1
        if len(record) != width:
            if len(record) > width and not any(cell.strip() for cell in record[width:]):
                record = record[:width]
            elif excel_serials:
                pass  # a workbook leaves trailing empty cells out
            else:
                checker.reject_malformed(
                    row,
                    record[licence_number_at].strip() if licence_number_at < len(record) else "",
                    f"The row has {len(record)} values but the header names {width} columns; check for "
                    "unquoted commas or line breaks inside a value.",
                )
                continue
        checker.check(row if excel_serials else row - first, header.cells(record), [])
    return checker.finish(total_rows)


# Stands for a value given under two spellings of one column name in the same object.
_TWICE = object()
_JSON_SHAPE = 'Expected a JSON array of licence objects, or an object {"licences": [...]}.'
# Broken JSON up to this size is read again by the json module, which says exactly where it breaks.
_LOCATE_ERRORS_UP_TO = 4 * 1024 * 1024


def _parse_json(body: bytes, encoding: str, mapping: FeedMapping) -> ParsedFeed:
    if encoding == "cp1252":
        body = body.decode("cp1252").encode("utf-8")
    elif body.startswith(codecs.BOM_UTF8):
        body = body[len(codecs.BOM_UTF8):]
    field_of = mapping.field_of()
    targets: dict[str, str | None] = {}
    present: set[str] = set()
    ignored: dict[str, None] = {}
    # Rows are checked as they stream in, so the document is never held whole as objects; the
    # header check (which columns the feed has) can only be made at the end.
    checker = RowChecker([], today=london_today(), mapping=mapping)
    total = 0
    try:
        for row, item in enumerate(_json_items(body), start=1):
            total = row
            if not isinstance(item, dict):
                checker.reject_malformed(row, "", "Each licence must be a JSON object of column names and values.")
                continue
            record: dict[str, object] = {}
            for key, value in item.items():
                if key not in targets:
                    targets[key] = field_of.get(header_key(key))
                name = targets[key]
                if name:
                    # A key written twice in different cases would otherwise be silently overwritten.
                    record[name] = _TWICE if name in record else value
                    present.add(name)
                else:
                    ignored[key.strip() or "(unnamed)"] = None
            found: list[RowProblem] = []
            cells = [_json_text(row, column, record.get(column), found) for column in COLUMNS]
            checker.check(row, cells, found)
    except ijson.JSONError as error:
        raise FeedRejected(f"The JSON cannot be read: {_json_error(body, error)}") from None
    if total:
        checker.problems[:0] = _check_columns(present, list(ignored))
    return checker.finish(total)


def _json_items(body: bytes) -> Iterator[object]:
    start = body.lstrip()[:1]
    if start == b"[":
        yield from ijson.items(body, "item", use_float=False)
        return
    if start != b"{":
        raise FeedRejected(f"The JSON holds no list of licences. {_JSON_SHAPE}")
    events = ijson.parse(body, use_float=False)
    shape = {"licences": None}

    def watched():
        for prefix, event, value in events:
            if prefix == "licences" and shape["licences"] is None:
                shape["licences"] = event
            yield prefix, event, value

    yield from ijson.items(watched(), "licences.item")
    if shape["licences"] is None:
        raise FeedRejected(f"The JSON object has no 'licences' member. {_JSON_SHAPE}")
    if shape["licences"] != "start_array":
        raise FeedRejected(f"The JSON's 'licences' member is not a list. {_JSON_SHAPE}")


def _json_error(body: bytes, error: Exception) -> str:
    if len(body) <= _LOCATE_ERRORS_UP_TO:
        try:
            json.loads(body)
        except json.JSONDecodeError as exact:
            return f"{exact.msg} at line {exact.lineno}, column {exact.colno}."
        except (RecursionError, UnicodeDecodeError):
            pass
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else "the document is incomplete"
    return f"{first_line}. Check that it is one JSON document, complete, in UTF-8."


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
    if isinstance(value, (float, Decimal)):
        return "a decimal number"
    if isinstance(value, list):
        return "an array"
    return "an object"
