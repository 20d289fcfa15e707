"""identity: new blocking keys and a re-estimated packaged model; every licence re-resolved

The blocking keys a record is stored under and the packaged model's parameters both changed. Keys
are refreshed only for records waiting for resolution, and a stored weight is reused only while the
model that gave it is in use, so every licence is marked as waiting: the next resolution run
(`resolve_pending`, a full run when the whole register waits) re-keys and re-scores them all.

Revision ID: 0011
Revises: 0009
"""
from alembic import op


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE licence SET needs_resolution = true")


def downgrade() -> None:
    # The records stay marked: resolving them again under the older keys is what a downgrade needs.
    pass
