"""audit log: no statement may change or remove an entry

Revision ID: 0005
Revises: 0001
Create Date: 2026-12-01 20:40:00

0001 refused UPDATE and DELETE. This closes the other ways round (see docs/operations.md, "The
audit log cannot be rewritten"):
- SQLite: `REPLACE INTO` / `INSERT OR REPLACE` deletes the old row without firing delete triggers
  (unless recursive_triggers is on, which a client chooses), and an upsert names an existing id.
  An insert that names an id already present is refused before any conflict handling runs.
- PostgreSQL: TRUNCATE (also reached by `TRUNCATE api_key CASCADE`) is refused by a statement
  trigger; the row triggers fire even under `session_replication_role = replica` (ENABLE ALWAYS);
  and an event trigger refuses DDL that would remove entries or the guards themselves: dropping
  the table, a column, a guard trigger or function, replacing a guard function, disabling or
  renaming, or rewriting the table. Adding a column or an index stays possible, so later
  migrations can still grow the table. Event triggers need a superuser to create; where the
  migrating role is not one, that part is skipped with a warning and the operator's setup in
  docs/operations.md applies.
"""
import logging

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

_REFUSE = "audit_event is append-only"
# Names the event trigger protects; kept in one place so upgrade and downgrade agree.
_ROW_TRIGGER = "audit_event_append_only"
_TRUNCATE_TRIGGER = "audit_event_no_truncate"
# The event triggers' functions live in a schema of their own, owned by the superuser who migrated:
# a role that owns schema public (and could DROP SCHEMA public CASCADE) cannot drop them with it.
_GUARD_SCHEMA = "crosscheck_guard"
_EVENT_TRIGGERS = {"audit_event_guard_ddl": "ddl_command_end", "audit_event_guard_drop": "sql_drop",
                   "audit_event_guard_rewrite": "table_rewrite"}
_GUARD_FUNCTIONS = ("audit_event_is_append_only", *_EVENT_TRIGGERS)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute(
            "CREATE TRIGGER audit_event_no_overwrite BEFORE INSERT ON audit_event "
            "WHEN EXISTS (SELECT 1 FROM audit_event WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSE}'); END"
        )
        return
    op.execute(
        f"CREATE TRIGGER {_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only()"
    )
    for trigger in (_ROW_TRIGGER, _TRUNCATE_TRIGGER):
        op.execute(f"ALTER TABLE audit_event ENABLE ALWAYS TRIGGER {trigger}")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC")
    if not op.get_bind().exec_driver_sql("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar():
        log.warning("audit_event: not a superuser, so the event trigger that refuses DROP and ALTER of the audit "
                    "log was not created; see docs/operations.md")
        return
    functions = ", ".join(f"'{name}'" for name in _GUARD_FUNCTIONS)
    op.execute(f"CREATE SCHEMA {_GUARD_SCHEMA}")
    op.execute(f"REVOKE ALL ON SCHEMA {_GUARD_SCHEMA} FROM PUBLIC")
    guards = {}
    # After any DDL: the audit table, if touched, must still be called audit_event and keep both
    # guard triggers enabled ALWAYS; no guard function may have been replaced. Checking the result
    # rather than parsing the command keeps ADD COLUMN and CREATE INDEX possible.
    guards["audit_event_guard_ddl"] = f"""
        DECLARE command record;
        BEGIN
            FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
                IF command.classid = 'pg_proc'::regclass AND EXISTS (
                    SELECT 1 FROM pg_proc WHERE oid = command.objid AND proname IN ({functions})
                ) THEN
                    RAISE EXCEPTION '{_REFUSE}: its guard functions cannot be replaced';
                END IF;
                IF command.classid = 'pg_class'::regclass AND EXISTS (
                    SELECT 1 FROM pg_trigger WHERE tgrelid = command.objid AND tgname = '{_ROW_TRIGGER}'
                ) AND (
                    (SELECT relname FROM pg_class WHERE oid = command.objid) <> 'audit_event'
                    OR (SELECT count(*) FROM pg_trigger WHERE tgrelid = command.objid
                        AND tgname IN ('{_ROW_TRIGGER}', '{_TRUNCATE_TRIGGER}') AND tgenabled = 'A') <> 2
                ) THEN
                    RAISE EXCEPTION '{_REFUSE}: its name and guard triggers cannot be changed';
                END IF;
            END LOOP;
        END"""
    # Anything dropped: the table, one of its columns, a guard trigger or a guard function.
    guards["audit_event_guard_drop"] = f"""
        BEGIN
            IF EXISTS (
                SELECT 1 FROM pg_event_trigger_dropped_objects()
                -- address_names holds (schema, table[, column or trigger]) or (schema, function)
                WHERE (object_type IN ('table', 'table column') AND address_names[2] = 'audit_event')
                   OR (object_type = 'trigger' AND address_names[3] IN ('{_ROW_TRIGGER}', '{_TRUNCATE_TRIGGER}'))
                   OR (object_type = 'function' AND address_names[2] IN ({functions}))
            ) THEN
                RAISE EXCEPTION '{_REFUSE}: it and its guards cannot be dropped';
            END IF;
        END"""
    # ALTER COLUMN ... TYPE, SET UNLOGGED and the like rewrite every row.
    guards["audit_event_guard_rewrite"] = f"""
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = pg_event_trigger_table_rewrite_oid()
                       AND tgname = '{_ROW_TRIGGER}') THEN
                RAISE EXCEPTION '{_REFUSE}: it cannot be rewritten';
            END IF;
        END"""
    for name, body in guards.items():
        op.execute(f"CREATE FUNCTION {_GUARD_SCHEMA}.{name}() RETURNS event_trigger LANGUAGE plpgsql "
                   f"SET search_path = pg_catalog AS $${body}$$")
    # Only once all exist: the first would otherwise refuse creating the others.
    for name, event in _EVENT_TRIGGERS.items():
        op.execute(f"CREATE EVENT TRIGGER {name} ON {event} EXECUTE FUNCTION {_GUARD_SCHEMA}.{name}()")
        op.execute(f"ALTER EVENT TRIGGER {name} ENABLE ALWAYS")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_overwrite")
        return
    # Event triggers first: they would refuse the rest. Dropping them needs a superuser.
    for name in _EVENT_TRIGGERS:
        op.execute(f"DROP EVENT TRIGGER IF EXISTS {name}")
    op.execute(f"DROP SCHEMA IF EXISTS {_GUARD_SCHEMA} CASCADE")
    op.execute(f"DROP TRIGGER IF EXISTS {_TRUNCATE_TRIGGER} ON audit_event")
    op.execute(f"ALTER TABLE audit_event ENABLE TRIGGER {_ROW_TRIGGER}")
