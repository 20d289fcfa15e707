"""officers: users who sign in, their sessions, authorities' sign-in policy, and the officer on
audit entries and finding events

Revision ID: 0006
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import licensing.store.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('locked_until', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('totp_last_step', sa.Integer(), nullable=True),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_signed_in_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('deactivated_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'],
                            name=op.f('fk_user_account_authority_code_authority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_index(op.f('ix_user_account_authority_code'), 'user_account', ['authority_code'], unique=False)
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('created_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    op.create_index(op.f('ix_user_session_user_id'), 'user_session', ['user_id'], unique=False)
    op.create_table('sign_in_policy',
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('two_factor_required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'],
                            name=op.f('fk_sign_in_policy_authority_code_authority')),
    sa.PrimaryKeyConstraint('authority_code', name=op.f('pk_sign_in_policy'))
    )


def downgrade() -> None:
    op.drop_table('sign_in_policy')
    op.drop_index(op.f('ix_user_session_user_id'), table_name='user_session')
    op.drop_table('user_session')
    op.drop_index(op.f('ix_user_account_authority_code'), table_name='user_account')
    op.drop_table('user_account')
