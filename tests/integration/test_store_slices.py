"""Lists of ids in a statement (licensing.store.slices), as each database is given them: arrays on
PostgreSQL, IN lists and a statement per pair on SQLite. The same rows must come back, and go, on both."""

from sqlalchemy import func, insert, select

from licensing.clock import utc_now
from licensing.store.models import Authority, Driver
from licensing.store.slices import among, delete_pairs

driver_table = Driver.__table__


def drivers(crosscheck, count: int, merged_into=None) -> list[int]:
    with crosscheck.unit_of_work() as uow:
        ids = uow.session.execute(insert(driver_table).returning(driver_table.c.id, sort_by_parameter_order=True),
                                  [{"created_at": utc_now(), "merged_into_id": merged_into}] * count).scalars().all()
        uow.commit()
    return list(ids)


def test_among_finds_exactly_the_rows_listed_by_number_and_by_text(crosscheck):
    ids = drivers(crosscheck, 5)
    with crosscheck.unit_of_work(write=False) as uow:
        session = uow.session
        found = session.execute(select(driver_table.c.id).where(among(session, driver_table.c.id, [ids[1], ids[3], -7])))
        codes = session.execute(select(Authority.code).where(among(session, Authority.code, ("E08000031", "TFL", "NOPE"))))
        nothing = session.execute(select(func.count()).where(among(session, driver_table.c.id, [])))
        assert sorted(found.scalars()) == [ids[1], ids[3]]
        assert sorted(codes.scalars()) == ["E08000031", "TFL"]
        assert nothing.scalar_one() == 0


def test_delete_pairs_deletes_only_the_pairs_given_not_their_crossings(crosscheck):
    first, second = drivers(crosscheck, 2)
    into_first = drivers(crosscheck, 3, merged_into=first)
    into_second = drivers(crosscheck, 2, merged_into=second)
    with crosscheck.unit_of_work() as uow:
        # (into_first[1], second) crosses two real pairs: it matches no row and deletes none.
        delete_pairs(uow.session, driver_table.c.id, driver_table.c.merged_into_id,
                     [(into_first[0], first), (into_second[1], second), (into_first[1], second)])
        uow.commit()
    with crosscheck.unit_of_work(write=False) as uow:
        left = set(uow.session.execute(select(driver_table.c.id)).scalars())
    assert left == {first, second, into_first[1], into_first[2], into_second[0]}
