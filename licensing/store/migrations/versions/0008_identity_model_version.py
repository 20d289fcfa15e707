"""identity models estimated from the register; the model version on every link

Revision ID: 0008
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import licensing.store.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identity_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estimated_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('estimated_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('diagnostics', sa.JSON(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('compared_with', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('adopted_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('adopted_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('retired_at', licensing.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_model'))
    )
    with op.batch_alter_table('identity_link', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model_version', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('identity_link', schema=None) as batch_op:
        batch_op.drop_column('model_version')
    op.drop_table('identity_model')
