"""Working days as the 2022 Act counts them: every day but Saturdays, Sundays and the bank holidays
of the nation the authority is in — England and Wales share theirs; Scotland has its own. The
holidays come from the maintained `holidays` library (pinned in pyproject.toml), never a hand-typed
list, so new and moved bank holidays (a coronation, a jubilee) arrive with an upgrade."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

# authority.country as the reference data writes it -> the `holidays` subdivision of the UK.
_SUBDIVISIONS = {"England": "ENG", "Wales": "WLS", "Scotland": "SCT"}


class UnknownNation(ValueError):
    pass


@lru_cache(maxsize=8)
def _bank_holidays(subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdivision)


def bank_holidays_for(country: str) -> holidays.HolidayBase:
    try:
        return _bank_holidays(_SUBDIVISIONS[country])
    except KeyError:
        raise UnknownNation(f"No bank holiday calendar for {country!r}: expected England, Wales or Scotland") from None


def is_working_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays_for(country)


def last_day_of_period(first_day: date, working_days: int, country: str) -> date:
    """The last day of the period of `working_days` working days beginning with `first_day` (the
    Act's words for s.5: the day of awareness counts when it is itself a working day)."""
    if working_days < 1:
        raise ValueError("a period has at least one working day")
    day, counted = first_day, 0
    while True:
        if is_working_day(day, country):
            counted += 1
            if counted == working_days:
                return day
        day += timedelta(days=1)


def working_days_after(start: date, working_days: int, country: str) -> date:
    """The day `working_days` working days after `start` (start itself not counted): a reply due
    within 20 working days of receiving a request."""
    day, counted = start, 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, country):
            counted += 1
    return day


def working_days_between(start: date, end: date, country: str) -> int:
    """Working days after `start` up to and including `end` (0 when end is not after start)."""
    day, counted = start, 0
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, country):
            counted += 1
    return counted


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year: the period runs to 1 March
        return date(day.year + years, 3, 1)
