"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 14:35:42.952859
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import licensing.store.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authority',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('enforcement_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('licensing_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('alert_digest', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('feed_url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('feed_pull_minutes', sa.Integer(), nullable=True),
    sa.Column('feed_etag', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('feed_last_modified', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('feed_last_pulled_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('feed_pull_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('last_feed_received_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_authority'))
    )
    op.create_table('driver',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['merged_into_id'], ['driver.id'], name=op.f('fk_driver_merged_into_id_driver')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_driver'))
    )
    op.create_table('job_status',
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('last_started_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_finished_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_duration_seconds', sa.Float(), nullable=True),
    sa.Column('last_outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('last_detail', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('last_success_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_status'))
    )
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_api_key_authority_code_authority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_key_prefix'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_authority_code'), ['authority_code'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=998), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('claimed_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('sent_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('provider_reference', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_outbox_message_authority_code_authority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_message_dedupe_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_status_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('query', sa.JSON(), nullable=True),
    sa.Column('shown', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_audit_event_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_authority_code'), ['authority_code'], unique=False)

    op.create_table('feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('body_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('body_bytes', sa.Integer(), nullable=False),
    sa.Column('received_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('total_rows', sa.Integer(), nullable=True),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('ended', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=True),
    sa.Column('confirmed_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_key_id', sa.Integer(), nullable=True),
    sa.Column('applied_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_feed_api_key_id_api_key')),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_feed_authority_code_authority')),
    sa.ForeignKeyConstraint(['confirmed_by_key_id'], ['api_key.id'], name=op.f('fk_feed_confirmed_by_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed'))
    )
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.create_index('ix_feed_authority_status', ['authority_code', 'status', 'id'], unique=False)

    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('fact_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('severity', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('licence_ids', sa.JSON(), nullable=False),
    sa.Column('driver_ids', sa.JSON(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('opened_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('status_changed_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('status_changed_by_key_id', sa.Integer(), nullable=True),
    sa.Column('status_changed_by_authority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['status_changed_by_key_id'], ['api_key.id'], name=op.f('fk_finding_status_changed_by_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
    sa.UniqueConstraint('fact_key', name=op.f('uq_finding_fact_key'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index('ix_finding_status_type', ['status', 'type'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_type'), ['type'], unique=False)

    op.create_table('digest_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('change', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('digested_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_digest_item_authority_code_authority')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_digest_item_finding_id_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_item'))
    )
    with op.batch_alter_table('digest_item', schema=None) as batch_op:
        batch_op.create_index('ix_digest_item_pending', ['authority_code', 'digested_at'], unique=False)

    op.create_table('feed_body',
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['feed.id'], name=op.f('fk_feed_body_feed_id_feed')),
    sa.PrimaryKeyConstraint('feed_id', name=op.f('pk_feed_body'))
    )
    op.create_table('finding_authority',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_finding_authority_authority_code_authority')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_authority_finding_id_finding')),
    sa.PrimaryKeyConstraint('finding_id', 'authority_code', name=op.f('pk_finding_authority'))
    )
    with op.batch_alter_table('finding_authority', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_authority_authority_code'), ['authority_code'], unique=False)

    op.create_table('finding_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=True),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_finding_event_api_key_id_api_key')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_event_finding_id_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_event'))
    )
    with op.batch_alter_table('finding_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_event_finding_id'), ['finding_id'], unique=False)

    op.create_table('licence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('licence_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('licence_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('surname', sa.String(length=200), nullable=False),
    sa.Column('forenames', sa.String(length=200), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('driving_licence_number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('ni_number', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('home_authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('home_district_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('home_precision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('home_share', sa.Float(), nullable=True),
    sa.Column('driver_id', sa.Integer(), nullable=True),
    sa.Column('needs_resolution', sa.Boolean(), nullable=False),
    sa.Column('needs_findings', sa.Boolean(), nullable=False),
    sa.Column('dln_grade', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('first_feed_id', sa.Integer(), nullable=True),
    sa.Column('last_changed_feed_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('ended_by_feed_id', sa.Integer(), nullable=True),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_licence_authority_code_authority')),
    sa.ForeignKeyConstraint(['driver_id'], ['driver.id'], name=op.f('fk_licence_driver_id_driver')),
    sa.ForeignKeyConstraint(['ended_by_feed_id'], ['feed.id'], name=op.f('fk_licence_ended_by_feed_id_feed')),
    sa.ForeignKeyConstraint(['first_feed_id'], ['feed.id'], name=op.f('fk_licence_first_feed_id_feed')),
    sa.ForeignKeyConstraint(['last_changed_feed_id'], ['feed.id'], name=op.f('fk_licence_last_changed_feed_id_feed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence')),
    sa.UniqueConstraint('authority_code', 'licence_number', name='uq_licence_authority_number')
    )
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_driver_id'), ['driver_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_driving_licence_number'), ['driving_licence_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_needs_findings'), ['needs_findings'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_needs_resolution'), ['needs_resolution'], unique=False)

    op.create_table('finding_licence',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_licence_finding_id_finding')),
    sa.ForeignKeyConstraint(['licence_id'], ['licence.id'], name=op.f('fk_finding_licence_licence_id_licence')),
    sa.PrimaryKeyConstraint('finding_id', 'licence_id', name=op.f('pk_finding_licence'))
    )
    with op.batch_alter_table('finding_licence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_licence_licence_id'), ['licence_id'], unique=False)

    op.create_table('identity_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_a', sa.Integer(), nullable=False),
    sa.Column('licence_b', sa.Integer(), nullable=False),
    sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_by_key_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_identity_decision_authority_code_authority')),
    sa.ForeignKeyConstraint(['decided_by_key_id'], ['api_key.id'], name=op.f('fk_identity_decision_decided_by_key_id_api_key')),
    sa.ForeignKeyConstraint(['licence_a'], ['licence.id'], name=op.f('fk_identity_decision_licence_a_licence')),
    sa.ForeignKeyConstraint(['licence_b'], ['licence.id'], name=op.f('fk_identity_decision_licence_b_licence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_decision'))
    )
    with op.batch_alter_table('identity_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_decision_licence_a'), ['licence_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_decision_licence_b'), ['licence_b'], unique=False)

    op.create_table('identity_key',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['licence_id'], ['licence.id'], name=op.f('fk_identity_key_licence_id_licence')),
    sa.PrimaryKeyConstraint('key', 'licence_id', name=op.f('pk_identity_key'))
    )
    with op.batch_alter_table('identity_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_key_licence_id'), ['licence_id'], unique=False)

    op.create_table('identity_link',
    sa.Column('licence_a', sa.Integer(), nullable=False),
    sa.Column('licence_b', sa.Integer(), nullable=False),
    sa.Column('band', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('linked', sa.Boolean(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('prior_weight', sa.Float(), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('scored_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['licence_a'], ['licence.id'], name=op.f('fk_identity_link_licence_a_licence')),
    sa.ForeignKeyConstraint(['licence_b'], ['licence.id'], name=op.f('fk_identity_link_licence_b_licence')),
    sa.PrimaryKeyConstraint('licence_a', 'licence_b', name=op.f('pk_identity_link'))
    )
    with op.batch_alter_table('identity_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_link_licence_b'), ['licence_b'], unique=False)

    op.create_table('licence_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['feed_id'], ['feed.id'], name=op.f('fk_licence_event_feed_id_feed')),
    sa.ForeignKeyConstraint(['licence_id'], ['licence.id'], name=op.f('fk_licence_event_licence_id_licence')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_event'))
    )
    with op.batch_alter_table('licence_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_event_licence_id'), ['licence_id'], unique=False)

    # The audit log is append-only: the database itself refuses to change or delete an entry.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_event_is_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_is_append_only()")
    with op.batch_alter_table('licence_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_event_licence_id'))

    op.drop_table('licence_event')
    with op.batch_alter_table('identity_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_link_licence_b'))

    op.drop_table('identity_link')
    with op.batch_alter_table('identity_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_key_licence_id'))

    op.drop_table('identity_key')
    with op.batch_alter_table('identity_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_decision_licence_b'))
        batch_op.drop_index(batch_op.f('ix_identity_decision_licence_a'))

    op.drop_table('identity_decision')
    with op.batch_alter_table('finding_licence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_licence_licence_id'))

    op.drop_table('finding_licence')
    with op.batch_alter_table('licence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licence_needs_resolution'))
        batch_op.drop_index(batch_op.f('ix_licence_needs_findings'))
        batch_op.drop_index(batch_op.f('ix_licence_driver_id'))
        batch_op.drop_index(batch_op.f('ix_licence_driving_licence_number'))

    op.drop_table('licence')
    with op.batch_alter_table('finding_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_event_finding_id'))

    op.drop_table('finding_event')
    with op.batch_alter_table('finding_authority', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_authority_authority_code'))

    op.drop_table('finding_authority')
    op.drop_table('feed_body')
    with op.batch_alter_table('digest_item', schema=None) as batch_op:
        batch_op.drop_index('ix_digest_item_pending')

    op.drop_table('digest_item')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_type'))
        batch_op.drop_index('ix_finding_status_type')

    op.drop_table('finding')
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_authority_status')

    op.drop_table('feed')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_authority_code'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_due')

    op.drop_table('outbox_message')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_authority_code'))

    op.drop_table('api_key')
    op.drop_table('job_status')
    op.drop_table('driver')
    op.drop_table('authority')
