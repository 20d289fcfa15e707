from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def london_today() -> date:
    """Licence dates are calendar dates in Great Britain, so 'today' is London's today."""
    return datetime.now(LONDON).date()
