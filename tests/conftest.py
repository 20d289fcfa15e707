"""Shared fixtures. Every test that touches the database runs twice: on SQLite and on PostgreSQL
(127.0.0.1:5432, trust auth; one database per test worker, created on demand)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text

from licensing.bootstrap import Crosscheck
from licensing.config import Settings
from licensing.reference.authorities import load_authorities
from licensing.reference.postcodes import PostcodeDirectory
from licensing.store.db import make_engine
from licensing.store.migrate import upgrade_to_head
from licensing.store.models import Authority
from licensing.store.types import metadata

REPO = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("CROSSCHECK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postcode_directory() -> PostcodeDirectory:
    # The index is named by a hash of its sources, so one built earlier (by make) is reused.
    return PostcodeDirectory.open(REPO / "var" / "reference")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "crosscheck.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    _insert_authorities(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgresql_url():
    # One database per test process and run, so that concurrent runs never share one.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    name = f"crosscheck_test_{run}_{_worker()}"
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _insert_authorities(engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(Authority.__table__), [
            {"code": a.code, "name": a.name, "country": a.country} for a in load_authorities()
        ])


# The audit log refuses TRUNCATE (migration 0005) for every role the service may run as. The suite
# connects as a superuser, who alone may switch the guards off, here for one transaction only: the
# test-only way to start each test from an empty register, which the product has no path to
# (docs/operations.md). Copying a template database instead was measured slower on a busy machine.
_AUDIT_EVENT_TRIGGERS = ("audit_event_guard_ddl", "audit_event_guard_drop", "audit_event_guard_rewrite")


def _empty_postgresql(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        for name in _AUDIT_EVENT_TRIGGERS:
            connection.execute(text(f"ALTER EVENT TRIGGER {name} DISABLE"))
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        connection.execute(text("ALTER TABLE audit_event ENABLE ALWAYS TRIGGER audit_event_no_truncate"))
        for name in _AUDIT_EVENT_TRIGGERS:
            connection.execute(text(f"ALTER EVENT TRIGGER {name} ENABLE ALWAYS"))
    _insert_authorities(engine)
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "crosscheck.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgresql_url")
    _empty_postgresql(url)
    return url


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    # Abuse limits off: a suite sends more requests from one address than any office would;
    # tests/integration/test_abuse_limits.py switches them on.
    return Settings.from_env({"DATABASE_URL": database_url, "CROSSCHECK_VAR_DIR": str(tmp_path / "var"),
                              "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference"),
                              "CROSSCHECK_RATE_LIMITS": "off"})


@pytest.fixture
def crosscheck(settings, postcode_directory):
    app = Crosscheck(settings, postcodes=postcode_directory)
    yield app
    app.engine.dispose()


@pytest.fixture
def web(crosscheck):
    from api.app import create_app

    from tests.contract import ContractClient

    app = create_app(crosscheck)
    app.testing = True
    app.test_client_class = ContractClient
    return app.test_client()


@pytest.fixture
def api_key(crosscheck):
    """api_key('E08000031') -> a fresh key for that authority; api_key(None) -> an operator key."""
    from licensing.services.api_keys import create_api_key

    def make(authority_code: str | None) -> str:
        with crosscheck.unit_of_work() as uow:
            return create_api_key(uow, authority_code, label="test")

    return make


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}
