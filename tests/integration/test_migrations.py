"""The schema comes from the migrations, and the models agree with them on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from licensing.store.types import metadata


def test_models_and_migrations_agree(crosscheck):
    with crosscheck.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []

