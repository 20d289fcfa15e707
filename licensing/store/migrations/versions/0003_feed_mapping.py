"""feed mapping: each authority's own column names and codes; what a feed's values needed interpreting

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import licensing.store.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feed_mapping',
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', licensing.store.types.UtcDateTime(), nullable=False),
    sa.Column('updated_by_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('updated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_api_key_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'], name=op.f('fk_feed_mapping_authority_code_authority')),
    sa.ForeignKeyConstraint(['updated_by_api_key_id'], ['api_key.id'], name=op.f('fk_feed_mapping_updated_by_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('authority_code', name=op.f('pk_feed_mapping'))
    )
    with op.batch_alter_table('feed') as batch:
        batch.add_column(sa.Column('interpreted', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feed') as batch:
        batch.drop_column('interpreted')
    op.drop_table('feed_mapping')
