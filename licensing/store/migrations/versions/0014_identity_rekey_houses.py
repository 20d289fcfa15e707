"""identity: a house found by its street's first letters, and by house number with initials; every
licence re-resolved

Two blocking keys changed: `home` now names the street by its first four letters rather than its
sound (a street run into the next word, or mistyped past its start, still meets), and `hn+in` (house
number with the initials) is new, for a record with a typo in both names and in the date of birth.
Keys are refreshed only for records waiting for resolution, so every licence is marked as waiting:
the next resolution run re-keys them all (as in 0011).

Revision ID: 0014
Revises: 0013
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE licence SET needs_resolution = true")


def downgrade() -> None:
    # The records stay marked: resolving them again under the older keys is what a downgrade needs.
    pass
