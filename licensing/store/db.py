"""Engines and the unit of work. SQLite is the embedded default; PostgreSQL in production."""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, make_url
from sqlmodel import Session


_WRITE_OPTION = "crosscheck_write"


def make_engine(database_url: str, **kwargs) -> Engine:
    # Statement parameters are personal data: they must never reach a log or traceback.
    kwargs.setdefault("hide_parameters", True)
    if database_url.startswith("sqlite"):
        _private_sqlite_file(make_url(database_url).database)
        engine = create_engine(database_url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets the web process read while the jobs worker writes.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A writing unit of work takes the write lock at its start, so two writers queue
            # rather than one failing with 'database is locked' half-way through; readers don't.
            write = conn.get_execution_options().get(_WRITE_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        # pysqlite's own transaction handling must be off for the BEGIN above to take effect.
        @event.listens_for(engine, "connect")
        def _sqlite_autocommit_off(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        return engine
    return create_engine(database_url, pool_pre_ping=True, **kwargs)


def private_directory(path: Path) -> None:
    """Create `path` (and missing parents) readable by the service's user only, and tighten it if
    it was created looser: it holds the register, email copies and the locks."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)


def _private_sqlite_file(database: str | None) -> None:
    # SQLite creates the file (and its -wal and -shm files, which copy its mode) with the umask's
    # permissions, usually readable by everyone; make it first, owner-only.
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class UnitOfWork:
    """One use case, one transaction: commit() makes it stick; leaving the block without commit()
    (or with an exception) rolls everything back."""

    def __init__(self, engine: Engine, *, write: bool = True, settings=None, autocommit: bool = False):
        assert not (write and autocommit), "writes need a transaction"
        self.engine = engine
        self.write = write
        self.settings = settings
        self.autocommit = autocommit
        self.session: Session | None = None

    def __enter__(self) -> "UnitOfWork":
        bind = self.engine
        if self.write:
            bind = bind.execution_options(**{_WRITE_OPTION: True})
        elif self.autocommit and is_postgresql(self.engine):
            # PostgreSQL's driver would send BEGIN before the statement and ROLLBACK after it, each a
            # round trip; SQLite's transaction is in this process and costs nothing to begin.
            bind = bind.execution_options(isolation_level="AUTOCOMMIT")
        self.session = Session(bind, expire_on_commit=False)
        return self

    def __exit__(self, *exc_info) -> None:
        # close() rolls back whatever was not committed; objects already loaded stay readable.
        assert self.session is not None
        self.session.close()

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    @contextmanager
    def then_write(self) -> Iterator["UnitOfWork"]:
        """A unit of work for writes that follow this one's reads (the audit entry of a search).
        On PostgreSQL it is this same transaction: a reader that writes blocks nobody, and one
        transaction saves the round trips of a second. On SQLite the reads end here and the writes
        are a short write transaction of their own: writing takes the database's one write lock, a
        read transaction that writes fails if another writer has committed since it began, and the
        write then runs on the connection the reads used (a commit on a second connection would
        empty the first one's page cache)."""
        assert self.session is not None
        if is_postgresql(self.engine):
            yield self
            return
        self.session.close()  # what was read stays readable
        with UnitOfWork(self.engine, settings=self.settings) as writing:
            yield writing


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[UnitOfWork]:
    with UnitOfWork(engine, write=write) as uow:
        yield uow
