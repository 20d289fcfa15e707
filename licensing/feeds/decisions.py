"""Reading a decisions feed: an authority's decisions (its full list for the retention period, or a
historic import), as CSV. Bytes to text as licence feeds are read (licensing.feeds.parse), then
each row checked by the rules every decision meets (licensing.statutory.decision_rules).

Each row is keyed by the authority's own `reference`. A feed whose structure cannot be trusted is
refused whole: a half-read list would look like decisions withdrawn."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from licensing.clock import london_today
from licensing.feeds.parse import FeedRejected, RowProblem, _encoding_of
from licensing.feeds.sniff import CSV, media_type
from licensing.statutory.decision_rules import decision_problems
from licensing.values import InvalidDate, parse_calendar_date

COLUMNS = ("reference", "decision", "licence_type", "licence_number", "decided_on", "effective_from", "grounds",
           "surname", "forenames", "date_of_birth", "address", "postcode", "ni_number", "driving_licence_number",
           "reason")
REQUIRED = ("reference", "decision", "licence_type", "decided_on", "effective_from", "grounds", "surname", "reason")
DATES = ("decided_on", "effective_from", "date_of_birth")
_SEPARATORS = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class DecisionRow:
    row: int
    values: dict  # COLUMNS -> value (dates parsed, empty optional text as None)

    @property
    def reference(self) -> str:
        return self.values["reference"]


@dataclass(frozen=True)
class ParsedDecisions:
    rows: list[DecisionRow]
    problems: list[RowProblem]
    total_rows: int
    rejected_references: frozenset[str]


def parse_decision_feed(body: bytes, content_type: str, *, retention_years: int) -> ParsedDecisions:
    if media_type(content_type) != CSV:
        raise FeedRejected("A decisions feed is sent as text/csv.")
    text = io.TextIOWrapper(io.BytesIO(body), encoding=_encoding_of(body), newline="")
    reader = csv.reader(text, strict=True)
    today = london_today()
    rows, problems, rejected, seen = [], [], set(), {}
    total = 0
    try:
        header = next((record for record in reader if any(record)), None)
        if header is None:
            raise FeedRejected("The CSV has no header row; the first line must name the columns.")
        names = [_SEPARATORS.sub("_", cell.strip().lower()) for cell in header]
        missing = [column for column in REQUIRED if column not in names]
        if missing:
            raise FeedRejected(f"Required columns missing: {', '.join(missing)}. A decisions feed needs "
                               f"{', '.join(REQUIRED)}.", [RowProblem(None, c, f"Required column {c} is missing", "error")
                                                          for c in missing])
        at = {column: names.index(column) for column in COLUMNS if column in names}
        for number, record in enumerate(reader, start=1):
            if not any(record):
                continue
            total += 1
            if len(record) != len(header):
                # A short last row is what a truncated upload looks like: refuse it, never guess.
                problems.append(RowProblem(number, None, f"The row has {len(record)} values but the header names "
                                                         f"{len(header)} columns.", "error"))
                reference = record[at["reference"]].strip() if at["reference"] < len(record) else ""
                rejected.add(reference)
                continue
            row, found = _row(number, {c: record[i].strip() for c, i in at.items()}, today, retention_years)
            if found:
                problems += found
                rejected.add(row["reference"])
            elif row["reference"] in seen:
                problems.append(RowProblem(number, "reference", f"reference {row['reference']!r} is also on row "
                                                                f"{seen[row['reference']]}; each decision once.", "error"))
                rejected.add(row["reference"])
            else:
                seen[row["reference"]] = number
                rows.append(DecisionRow(number, row))
    except csv.Error as exc:
        raise FeedRejected(f"The CSV cannot be read at line {reader.line_num}: {exc}. Check that values containing "
                           "commas, quotes or line breaks are enclosed in double quotes.") from None
    duplicated = rejected & set(seen)
    rows = [row for row in rows if row.reference not in duplicated]
    return ParsedDecisions(rows, problems, total, frozenset(rejected))


def _row(number: int, cells: dict, today: date, retention_years: int) -> tuple[dict, list[RowProblem]]:
    values: dict = {column: (cells.get(column) or None) for column in COLUMNS}
    values["forenames"] = values["forenames"] or ""
    found = []
    for column in DATES:
        if values[column]:
            try:
                values[column] = parse_calendar_date(values[column])
            except InvalidDate as error:
                found.append(RowProblem(number, column, str(error), "error"))
                values[column] = None
    if not values["reference"]:
        found.append(RowProblem(number, "reference", "reference is required: your own reference for the decision",
                                "error"))
        values["reference"] = ""
    for problem in decision_problems(values, today=today, retention_years=retention_years):
        found.append(RowProblem(number, problem["field"], problem["message"], "error"))
    return values, found
