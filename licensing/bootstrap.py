"""What every entry point (web, jobs, CLI, tests) builds first: settings, the database engine and
the reference data, wired once."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Engine

from licensing.config import Settings
from licensing.reference.postcodes import PostcodeDirectory
from licensing.store.db import UnitOfWork, make_engine, private_directory


class Crosscheck:
    def __init__(self, settings: Settings | None = None, *, engine: Engine | None = None,
                 postcodes: PostcodeDirectory | None = None):
        self.settings = settings or Settings.from_env()
        private_directory(self.settings.var_dir)
        self.engine = engine or make_engine(self.settings.database_url)
        if postcodes is not None:
            self.postcodes = postcodes

    @cached_property
    def postcodes(self) -> PostcodeDirectory:
        return PostcodeDirectory.open(self.settings.reference_dir)

    def unit_of_work(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write, settings=self.settings)

    def lookup(self) -> UnitOfWork:
        """A unit of work for one reading statement (the API key before every request): it begins
        and ends no transaction, which on PostgreSQL is two round trips fewer."""
        return UnitOfWork(self.engine, write=False, settings=self.settings, autocommit=True)
