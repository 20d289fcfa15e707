"""The migration to per-authority handling keeps who did what: a finding's one status becomes the
handling of the authority that set it, and key-only "who" columns become an Actor, on both
databases; the audit log refuses changes again afterwards."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from licensing.store.migrate import migrate

WOLVERHAMPTON = "E08000031"


def test_handled_findings_and_who_acted_survive_the_migration(crosscheck):
    engine = crosscheck.engine
    migrate(engine, command.downgrade, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO api_key (id, authority_code, role, prefix, secret_hash, label, created_at) "
            "VALUES (1, :code, 'authority', 'cc_test', 'x', 'test', CURRENT_TIMESTAMP)"), {"code": WOLVERHAMPTON})
        connection.execute(text(
            "INSERT INTO finding (id, type, fact_key, status, severity, summary, evidence, licence_ids, driver_ids, "
            "fingerprint, opened_at, updated_at, status_changed_at, status_changed_by_key_id, "
            "status_changed_by_authority, status_reason) VALUES (1, 'out_of_area', 'k', 'actioned', 'digest', 's', "
            "'[]', '[]', '[]', 'f', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, :code, "
            "'Visit booked')"), {"code": WOLVERHAMPTON})
        connection.execute(text(
            "INSERT INTO finding_event (finding_id, kind, at, api_key_id, authority_code, reason) "
            "VALUES (1, 'actioned', CURRENT_TIMESTAMP, 1, :code, 'Visit booked')"), {"code": WOLVERHAMPTON})
        connection.execute(text("INSERT INTO audit_event (at, kind, api_key_id, authority_code) "
                                "VALUES (CURRENT_TIMESTAMP, 'search', 1, :code)"), {"code": WOLVERHAMPTON})
    migrate(engine, command.upgrade, "head")

    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM finding")).scalar_one() == "open"
        assert connection.execute(text(
            "SELECT authority_code, status, reason, changed_by_kind, changed_by_api_key_id FROM finding_handling"
        )).one() == (WOLVERHAMPTON, "actioned", "Visit booked", "api_key", 1)
        assert connection.execute(text(
            "SELECT actor_kind, actor_api_key_id, actor_authority_code FROM finding_event")).one() == \
            ("api_key", 1, WOLVERHAMPTON)
        assert connection.execute(text(
            "SELECT actor_kind, actor_api_key_id, actor_authority_code FROM audit_event")).one() == \
            ("api_key", 1, WOLVERHAMPTON)
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET kind = 'edited'"))
