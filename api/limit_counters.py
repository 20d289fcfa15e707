"""Rate-limit counters in an SQLite file: the embedded default, shared by every gunicorn worker.

Flask-Limiter keeps its counters in a `limits` storage. Its in-memory one is per process, so with
two workers each would allow the full limit; Redis is shared but is one more server to run. This
store is a small SQLite file under var/ (not the register's database, whose write lock a long feed
holds): every process on the host opens the same file, and each count is one atomic upsert, so
the workers never count past each other. SQLite's locking needs a local disk, not a network share;
several hosts need Redis (CROSSCHECK_RATE_LIMIT_STORAGE=redis://...).

Only the fixed-window strategy is served (incr/get/get_expiry), which is the one api/limits.py uses.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage

SCHEME = "crosscheck-file"


class FileCounters(Storage):
    """`crosscheck-file:///absolute/path/rate_limits.db`"""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        self.path = Path((uri or "").removeprefix(f"{SCHEME}://"))
        if not self.path.is_absolute():
            raise ValueError(f"{SCHEME}:// needs an absolute file path, not {uri!r}")
        self._local = threading.local()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # The counters name API keys and client addresses: readable by the service alone.
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # a count lost in a power cut is harmless
            connection.execute("CREATE TABLE IF NOT EXISTS counter "
                               "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at REAL NOT NULL)")
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        # One statement, so atomic across processes: a window that has run out starts afresh.
        (count,) = db.execute(
            "INSERT INTO counter (key, count, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires_at <= ? THEN excluded.count ELSE count + excluded.count END, "
            "expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at ELSE expires_at END "
            "RETURNING count",
            (key, amount, now + expiry, now, now),
        ).fetchone()
        if random.random() < 0.001:  # now and then, forget windows long over
            db.execute("DELETE FROM counter WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM counter WHERE key = ? AND expires_at > ?",
                                 (key, time.time())).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires_at FROM counter WHERE key = ? AND expires_at > ?",
                                 (key, time.time())).fetchone()
        return row[0] if row else time.time()

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counter").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counter WHERE key = ?", (key,))
