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


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _float(env, name, default)
    if value <= 0:
        raise ValueError(f"{name} must be a number of seconds above 0, not {value!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0 (true or false), not {raw!r}")


def _rate_limit_storage(env: Mapping[str, str]) -> str | None:
    uri = env.get("CROSSCHECK_RATE_LIMIT_STORAGE") or None
    if uri and uri.startswith("memory:"):
        raise ValueError("CROSSCHECK_RATE_LIMIT_STORAGE=memory:// would give each gunicorn worker its own counters; "
                         "leave it unset (a file under the var directory) or name a Redis server")
    return uri


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
    # How often the jobs worker checks it still holds the scheduler lock and records its heartbeat.
    lock_check_seconds: float = 10.0
    # A scheduler silent for longer than this is taken for dead or stuck: /readyz answers 503.
    scheduler_stale_seconds: float = 120.0
    # Browsers reach the service over TLS (directly or through a proxy that terminates it), so
    # responses tell them never to use plain HTTP for it again (HSTS).
    behind_tls: bool = False
    # Pulled feeds from plain http and from this machine or a private network: tests and local
    # demos only. Off, a feed is fetched only from a public https address.
    feed_allow_local_http: bool = False
    # Abuse limits (api/limits.py): on unless switched off; counters in Redis when this names it
    # (redis://host:6379/0), otherwise in a file under var_dir shared by the workers of one host.
    rate_limits_enabled: bool = True
    rate_limit_storage: str | None = None
    rate_limit_prefix: str = "crosscheck"  # distinct per installation sharing one Redis
    # Reverse proxies in front of the service whose X-Forwarded-For is believed (client addresses).
    proxy_hops: int = 0
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
        public_base_url = (env.get("CROSSCHECK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
        return cls(
            database_url=database_url,
            var_dir=var_dir,
            reference_dir=Path(env.get("CROSSCHECK_REFERENCE_DIR") or var_dir / "reference").resolve(),
            feed_hold_share=share,
            feed_max_bytes=_int(env, "CROSSCHECK_FEED_MAX_BYTES", 50 * 1024 * 1024),
            lock_check_seconds=_positive(env, "CROSSCHECK_LOCK_CHECK_SECONDS", 10.0),
            scheduler_stale_seconds=_positive(env, "CROSSCHECK_SCHEDULER_STALE_SECONDS", 120.0),
            public_base_url=public_base_url,
            behind_tls=_flag(env, "CROSSCHECK_BEHIND_TLS", public_base_url.startswith("https://")),
            feed_allow_local_http=_flag(env, "CROSSCHECK_FEED_ALLOW_LOCAL_HTTP"),
            rate_limits_enabled=_flag(env, "CROSSCHECK_RATE_LIMITS", True),
            rate_limit_storage=_rate_limit_storage(env),
            rate_limit_prefix=env.get("CROSSCHECK_RATE_LIMIT_PREFIX") or "crosscheck",
            proxy_hops=_int(env, "CROSSCHECK_PROXY_HOPS", 0),
            session_idle_minutes=_int(env, "CROSSCHECK_SESSION_IDLE_MINUTES", 30),
            session_absolute_hours=_int(env, "CROSSCHECK_SESSION_HOURS", 10),
            env=env,
        )
