"""Only one scheduler runs at a time. On PostgreSQL a session advisory lock, held on a dedicated
connection; on SQLite an OS file lock beside the database. Both vanish when the holding process
dies, so a waiting worker takes over without anyone cleaning up.

The lock is taken in the main thread and checked from a scheduler job's thread, so the file lock is
built with thread_local=False (filelock's default lock reads as not held from any other thread)."""

from __future__ import annotations

import logging
import os
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
        self._file_fd: int | None = None

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
        lock = FileLock(str(path), thread_local=False, on_acquired=self._remember_fd)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return False
        self._file_lock = lock
        return True

    def _remember_fd(self, fd: int) -> None:
        self._file_fd = fd

    def acquire(self, *, poll_seconds: float = 2.0, while_waiting=lambda: None) -> None:
        """Wait for the lock, calling while_waiting (the waiting worker's heartbeat) between tries."""
        announced = False
        while not self.try_acquire():
            if not announced:
                log.info("another scheduler holds the lock; waiting to take over")
                announced = True
            while_waiting()
            time.sleep(poll_seconds)
        log.info("scheduler lock acquired")

    def still_held(self) -> bool:
        """False when the database connection carrying the advisory lock has gone, or the lock file
        was deleted or replaced under us (a second worker could then lock the new file): the lock may
        belong to someone else, and this scheduler must stop. Right from any thread."""
        if self._connection is None:
            return self._file_lock is not None and self._file_lock.is_locked and self._same_file_as_path()
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except Exception:
            return False

    def _same_file_as_path(self) -> bool:
        if self._file_fd is None:
            return True  # a soft lock (no flock on this filesystem): its file is its own proof
        try:
            return os.fstat(self._file_fd).st_ino == os.stat(self._file_lock.lock_file).st_ino
        except OSError:
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
            self._file_fd = None
