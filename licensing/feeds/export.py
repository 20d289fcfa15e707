"""Values written into CSV files that people will open in a spreadsheet.

Feeds are stored exactly as the authority sent them, so a value such as '=HYPERLINK(...)' is kept as
text. Any CSV Crosscheck produces passes values through csv_safe, because a spreadsheet runs a cell
that starts with = + - @ (or a tab or carriage return) as a formula.
"""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str | None) -> str:
    """The value as a CSV cell that a spreadsheet shows as text: a leading quote disarms a formula."""
    if value is None:
        return ""
    if value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
