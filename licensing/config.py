"""Settings read once from the environment. Every knob an operator may turn lives here, with the
default that `make run` uses."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    # The postcode index is built from packaged data and is the same for every database, so
    # several installations (and test runs) can share one.
    reference_dir: Path
    # A feed that would end more than this share of an authority's live licences, or whose invalid
    # rows exceed it, is held for confirmation: a truncated export must never end thousands.
    feed_hold_share: float = 0.10
    feed_max_bytes: int = 50 * 1024 * 1024
    # Where officers reach the service; alert emails link here.
    public_base_url: str = "http://127.0.0.1:8000"
    # Officers' sessions end after this long unused, and this long after signing in whatever happens.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("CROSSCHECK_VAR_DIR") or "var").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'crosscheck.db'}"
        share = _float(env, "CROSSCHECK_FEED_HOLD_SHARE", 0.10)
        if not 0 <= share <= 1:
            raise ValueError("CROSSCHECK_FEED_HOLD_SHARE must be between 0 and 1")
        return cls(
            database_url=database_url,
            var_dir=var_dir,
            reference_dir=Path(env.get("CROSSCHECK_REFERENCE_DIR") or var_dir / "reference").resolve(),
            feed_hold_share=share,
            feed_max_bytes=_int(env, "CROSSCHECK_FEED_MAX_BYTES", 50 * 1024 * 1024),
            public_base_url=(env.get("CROSSCHECK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            session_idle_minutes=_int(env, "CROSSCHECK_SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=_int(env, "CROSSCHECK_SESSION_HOURS", 10),
            env=env,
        )
