"""The unit of work's writes after reads (a search's audit entry) and lookups (an API key), on both
databases."""

import time

import pytest
from sqlalchemy import func, select

from licensing.services.api_keys import create_api_key
from licensing.store.db import is_postgresql
from licensing.store.models import ApiKey


def keys_stored(crosscheck) -> int:
    with crosscheck.unit_of_work(write=False) as uow:
        return uow.session.execute(select(func.count()).select_from(ApiKey)).scalar_one()


def test_a_write_after_reads_is_kept_once_committed_whatever_happens_after(crosscheck):
    before = keys_stored(crosscheck)
    with pytest.raises(RuntimeError):
        with crosscheck.unit_of_work(write=False) as reading:
            reading.session.execute(select(func.count()).select_from(ApiKey)).scalar_one()
            with reading.then_write() as writing:
                create_api_key(writing, "E08000031", label="audit entry stand-in")
            raise RuntimeError("the page failed to render after the entry was written")
    assert keys_stored(crosscheck) == before + 1


def test_a_write_after_reads_succeeds_when_another_writer_committed_since_the_reads(crosscheck):
    # On SQLite a read transaction cannot become a writer once another has committed since its
    # reads (its snapshot is stale); the write after reads must not depend on it.
    before = keys_stored(crosscheck)
    with crosscheck.unit_of_work(write=False) as reading:
        reading.session.execute(select(func.count()).select_from(ApiKey)).scalar_one()
        with crosscheck.unit_of_work() as jobs_worker:
            create_api_key(jobs_worker, "E08000031", label="written meanwhile")
        with reading.then_write() as writing:
            create_api_key(writing, "E08000031", label="audit entry stand-in")
    assert keys_stored(crosscheck) == before + 2


def test_a_lookup_on_postgresql_holds_no_transaction_open(crosscheck):
    # Before every API request the key is looked up; on PostgreSQL a transaction around that one
    # statement would cost a BEGIN and a ROLLBACK, each a round trip. now() is the time the
    # transaction began, so within one transaction it does not move.
    if not is_postgresql(crosscheck.engine):
        pytest.skip("SQLite's transactions are in this process: a lookup is an ordinary read there")

    def two_readings_of_now(unit_of_work):
        with unit_of_work as uow:
            first = uow.session.execute(select(func.now())).scalar_one()
            time.sleep(0.01)
            return first, uow.session.execute(select(func.now())).scalar_one()

    in_transaction = two_readings_of_now(crosscheck.unit_of_work(write=False))
    looked_up = two_readings_of_now(crosscheck.lookup())
    assert in_transaction[0] == in_transaction[1]
    assert looked_up[1] > looked_up[0]
    with crosscheck.lookup() as uow:  # and the key lookup itself works there
        assert uow.session.execute(select(func.count()).select_from(ApiKey)).scalar_one() == keys_stored(crosscheck)
