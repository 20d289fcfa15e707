"""what is at stake in each finding, for ranking them

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing findings start at 0 and take their stake at the next findings refresh (nightly at
    # the latest), which works it out for every finding.
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stake', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_finding_rank', ['stake', 'opened_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_rank')
        batch_op.drop_column('stake')
