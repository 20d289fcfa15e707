"""Only one scheduler runs at a time. On PostgreSQL a session advisory lock, held on a dedicated
connection; on SQLite an OS file lock beside the database. Both vanish when the holding process
dies, so a waiting worker takes over without anyone cleaning up."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text

from licensing.bootstrap import Crosscheck
from licensing.store.db import is_postgresql

log = logging.getLogger(__name__)

# An arbitrary constant naming 'the Crosscheck scheduler' among advisory locks.
ADVISORY_LOCK_KEY = 0x43524F53


class SchedulerLock:
    def __init__(self, app: Crosscheck):
        self.app = app
        self._connection = None
        self._file_lock: FileLock | None = None

    def try_acquire(self) -> bool:
        if is_postgresql(self.app.engine):
            connection = self.app.engine.connect()
            held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
            connection.commit()
            if held:
                self._connection = connection
                return True
            connection.close()
            return False
        path = Path(self.app.settings.var_dir) / "scheduler.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not thread-local: the scheduler checks the lock from its own threads (STYLE.md).
        lock = FileLock(str(path), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        self._file_lock = lock
        return True

    def acquire(self, *, poll_seconds: float = 2.0) -> None:
        announced = False
        while not self.try_acquire():
            if not announced:
                log.info("another scheduler holds the lock; waiting to take over")
                announced = True
            time.sleep(poll_seconds)
        log.info("scheduler lock acquired")

    def still_held(self) -> bool:
        """False when the database connection carrying the advisory lock has gone: the lock may
        then belong to someone else, and this scheduler must stop."""
        if self._connection is None:
            return self._file_lock is not None and self._file_lock.is_locked
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            return False

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None
