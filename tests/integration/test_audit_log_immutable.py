"""Nobody can rewrite the audit log: every statement that would change or remove an entry fails,
on both databases, and the entry reads as it was written."""

from __future__ import annotations

from sqlalchemy import text

from licensing.store.db import is_postgresql

WRITTEN = "search"

# Each way of overwriting or removing entry 1 that the database offers (some in two steps).
ON_BOTH = {
    "update": "UPDATE audit_event SET kind = 'edited'",
    "delete": "DELETE FROM audit_event",
    "upsert": "INSERT INTO audit_event (id, at, kind) VALUES (1, CURRENT_TIMESTAMP, 'edited') "
              "ON CONFLICT (id) DO UPDATE SET kind = 'edited'",
    "upsert doing nothing, then update": ("INSERT INTO audit_event (id, at, kind) VALUES (1, CURRENT_TIMESTAMP, 'x') "
                                          "ON CONFLICT DO NOTHING", "UPDATE audit_event SET kind = 'edited'"),
}
ON_SQLITE = {
    "replace": "REPLACE INTO audit_event (id, at, kind) VALUES (1, CURRENT_TIMESTAMP, 'edited')",
    "insert or replace": "INSERT OR REPLACE INTO audit_event (id, at, kind) VALUES (1, CURRENT_TIMESTAMP, 'edited')",
    "update or replace": "UPDATE OR REPLACE audit_event SET kind = 'edited'",
}
ON_POSTGRESQL = {
    "truncate": "TRUNCATE audit_event",
    "truncate by cascade": "TRUNCATE api_key CASCADE",
    "merge": "MERGE INTO audit_event AS a USING (SELECT 1 AS id) AS s ON a.id = s.id "
             "WHEN MATCHED THEN UPDATE SET kind = 'edited'",
    "merge delete": "MERGE INTO audit_event AS a USING (SELECT 1 AS id) AS s ON a.id = s.id WHEN MATCHED THEN DELETE",
    "triggers off for replication": ("SET LOCAL session_replication_role = replica", "DELETE FROM audit_event"),
    "drop table": "DROP TABLE audit_event",
    "drop column": "ALTER TABLE audit_event DROP COLUMN kind",
    "rewrite column": "ALTER TABLE audit_event ALTER COLUMN kind TYPE text USING 'edited'",
    "disable trigger": "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "disable all triggers": "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "triggers for origin only": "ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only",
    "drop trigger": "DROP TRIGGER audit_event_append_only ON audit_event",
    "drop truncate trigger": "DROP TRIGGER audit_event_no_truncate ON audit_event",
    "replace guard function": "CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger "
                              "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    "drop guard function": "DROP FUNCTION audit_event_is_append_only() CASCADE",
    "rename and replace": "ALTER TABLE audit_event RENAME TO audit_event_old",
    "drop schema": "DROP SCHEMA public CASCADE",
}


def _cases(database: str) -> list[tuple[str, str]]:
    extra = ON_POSTGRESQL if database == "postgresql" else ON_SQLITE
    return list({**ON_BOTH, **extra}.items())


def _write_entry(crosscheck) -> None:
    with crosscheck.engine.begin() as connection:
        connection.execute(text(f"INSERT INTO audit_event (at, kind) VALUES (CURRENT_TIMESTAMP, '{WRITTEN}')"))
    assert _entries(crosscheck) == [(1, WRITTEN)]  # the cases name entry 1


def _entries(crosscheck) -> list[tuple[int, str]]:
    with crosscheck.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT id, kind FROM audit_event ORDER BY id"))]


def test_every_way_of_rewriting_the_audit_log_is_refused(crosscheck):
    _write_entry(crosscheck)
    database = "postgresql" if is_postgresql(crosscheck.engine) else "sqlite"
    allowed = []
    for name, statements in _cases(database):
        try:
            with crosscheck.engine.begin() as connection:
                for statement in (statements,) if isinstance(statements, str) else statements:
                    connection.execute(text(statement))
        except Exception as error:  # the database's own error, raised by a guard
            assert "append-only" in str(error), f"{name}: refused for another reason: {error}"
        else:
            allowed.append(name)
        assert _entries(crosscheck) == [(1, WRITTEN)], f"{name} changed the audit log"
    assert allowed == []


def test_entries_are_still_added_and_the_table_can_still_grow(crosscheck):
    """Later migrations may add a column or an index; new entries keep arriving."""
    _write_entry(crosscheck)
    with crosscheck.engine.connect() as connection:
        growing = connection.begin()
        connection.execute(text("INSERT INTO audit_event (at, kind) VALUES (CURRENT_TIMESTAMP, 'driver_view')"))
        connection.execute(text("ALTER TABLE audit_event ADD COLUMN note VARCHAR(20)"))
        connection.execute(text("CREATE INDEX ix_audit_event_kind_test ON audit_event (kind)"))
        entries = [tuple(row) for row in connection.execute(text("SELECT id, kind FROM audit_event ORDER BY id"))]
        growing.rollback()  # the schema stays as the migrations made it, for the tests after this one
    assert entries == [(1, WRITTEN), (2, "driver_view")]
