"""The statutory periods and the rules still awaiting regulations, read from the environment with
the Act's (or the best reported) defaults. docs/statutory-duties.md says where each comes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


@dataclass(frozen=True)
class StatutorySettings:
    # NR3S keeps an entry for 11 years from the decision; adverse_elsewhere looks back as far.
    decision_retention_years: int = 11
    concern_send_working_days: int = 10      # s.5: send within 10 working days of awareness
    detail_reply_working_days: int = 20      # s.3 guidance: reply within 20 working days
    # The Act sets no period for reporting back a concern's outcome (s.6): a working default.
    concern_outcome_working_days: int = 20
    reminder_working_days: int = 3           # a reminder this many working days before a due date
    # The 2026 power's duration awaits regulations; one trade report says 48 hours (unconfirmed).
    immediate_suspension_hours: int = 48
    # Whether the suspending authority may act only on licences issued in England (as reported).
    immediate_suspension_england_only: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> StatutorySettings:
        return cls(
            decision_retention_years=_positive(env, "CROSSCHECK_DECISION_RETENTION_YEARS", 11),
            concern_outcome_working_days=_positive(env, "CROSSCHECK_CONCERN_OUTCOME_WORKING_DAYS", 20),
            reminder_working_days=_positive(env, "CROSSCHECK_REMINDER_WORKING_DAYS", 3),
            immediate_suspension_hours=_positive(env, "CROSSCHECK_IMMEDIATE_SUSPENSION_HOURS", 48),
            immediate_suspension_england_only=(env.get("CROSSCHECK_IMMEDIATE_SUSPENSION_ENGLAND_ONLY", "true")
                                               .strip().lower() not in ("0", "false", "no")),
        )


def statutory_settings(settings) -> StatutorySettings:
    return StatutorySettings.from_env(getattr(settings, "env", None) or {})
