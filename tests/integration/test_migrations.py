"""The schema comes from the migrations, and the models agree with them on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import pytest

from licensing.store.types import metadata


def test_models_and_migrations_agree(crosscheck):
    with crosscheck.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_audit_log_refuses_changes(crosscheck):
    with crosscheck.engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_event (at, kind) VALUES (CURRENT_TIMESTAMP, 'search')"))
    for statement in ("UPDATE audit_event SET kind = 'edited'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            with crosscheck.engine.begin() as connection:
                connection.execute(text(statement))
