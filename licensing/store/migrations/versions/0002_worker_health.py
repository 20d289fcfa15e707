"""Worker health: scheduler heartbeats, alerts held for authorities without an address, a feed's later stages

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:31:40.701639
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import licensing.store.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('running_since', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_beat_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('stop_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('schedule', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat'))
    )
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_heartbeat_last_beat_at'), ['last_beat_at'], unique=False)

    op.create_table('held_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('change', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('held_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('released_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_held_alert_authority_code_authority')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_held_alert_finding_id_finding')),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_message.id'], name=op.f('fk_held_alert_outbox_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_alert'))
    )
    with op.batch_alter_table('held_alert', schema=None) as batch_op:
        batch_op.create_index('ix_held_alert_waiting', ['authority_code', 'released_at'], unique=False)

    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('findings_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('findings_opened', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('findings_updated', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('findings_closed', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alerts_queued', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alerts_held', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('feed', schema=None) as batch_op:
        batch_op.drop_column('alerts_held')
        batch_op.drop_column('alerts_queued')
        batch_op.drop_column('findings_closed')
        batch_op.drop_column('findings_updated')
        batch_op.drop_column('findings_opened')
        batch_op.drop_column('findings_at')
        batch_op.drop_column('resolved_at')

    with op.batch_alter_table('held_alert', schema=None) as batch_op:
        batch_op.drop_index('ix_held_alert_waiting')

    op.drop_table('held_alert')
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduler_heartbeat_last_beat_at'))

    op.drop_table('scheduler_heartbeat')
