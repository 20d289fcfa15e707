"""Dates in a feed: the forms councils write them in, and the one rule for two-digit years.

Two-digit years (docs/feeds.md, "Dates"):
- a date of birth takes the century that makes the holder between 18 and 100 years old on the day
  the feed is read; when neither century does, the row is rejected naming the value;
- a licence date (issued_on, expires_on) is in 2000-2099.
A date read through that rule, or from an Excel date number, counts as interpreted in the feed's
report, so a council sees how many dates Crosscheck had to settle for it.
"""

from __future__ import annotations

from datetime import date

from licensing.values import InvalidDate, calendar_date, date_parts, excel_serial_date

OLDEST_HOLDER = 100
YOUNGEST_HOLDER = 18
BIRTH = "date_of_birth"


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class FeedDates:
    """Reads one feed's dates, each distinct text once: a feed repeats the same few thousand dates."""

    def __init__(self, today: date, *, excel_serials: bool = False):
        self.today = today
        self.excel_serials = excel_serials
        # Per kind of date, each text's reading: a date, (date, True) when interpreted, or the error.
        self._read: dict[bool, dict[str, date | tuple[date, bool] | str]] = {True: {}, False: {}}

    def read(self, column: str, text: str) -> tuple[date, bool]:
        """(the date, whether it was interpreted); raises InvalidDate with the value named."""
        known_of = self._read[column == BIRTH]
        known = known_of.get(text)
        if known is None:
            try:
                parsed, interpreted = self._parse(column == BIRTH, text)
                known = (parsed, True) if interpreted else parsed
            except InvalidDate as invalid:
                known = str(invalid)
            known_of[text] = known
        if isinstance(known, str):
            raise InvalidDate(known)
        return known if isinstance(known, tuple) else (known, False)

    def _parse(self, is_birth: bool, text: str) -> tuple[date, bool]:
        if self.excel_serials and text.isdigit() and len(text) <= 7:
            return excel_serial_date(int(text)), True
        parts = date_parts(text)
        if not parts.short_year:
            return calendar_date(parts.year, parts.month, parts.day, text), False
        if not is_birth:
            return calendar_date(2000 + parts.year, parts.month, parts.day, text), True
        candidates = [
            born
            for century in (1900, 2000)
            if (born := calendar_date(century + parts.year, parts.month, parts.day, text)) <= self.today
            and YOUNGEST_HOLDER <= _age_on(born, self.today) <= OLDEST_HOLDER
        ]
        if len(candidates) != 1:
            raise InvalidDate(
                f"'{text}' has a two-digit year that makes the holder neither {YOUNGEST_HOLDER} to {OLDEST_HOLDER} "
                "years old in the 1900s nor in the 2000s; write the year in full"
            )
        return candidates[0], True
