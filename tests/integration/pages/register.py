"""A small register for the pages' tests: Tariq, licensed by Wolverhampton while living in
Manchester, where his licence was revoked; and officers of every role in two authorities."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import select

from licensing.actors import Actor
from licensing.services import feeds, pipeline, users
from licensing.services.authorities import update_authority_settings
from licensing.store.findings import Finding
from licensing.store.models import Feed, Licence
from tests.feeds import feed

WOLVERHAMPTON, MANCHESTER, BOLTON = "E08000031", "E08000003", "E08000001"
PASSWORD = "a long pass phrase"
ROLES = ("licensing_officer", "enforcement_officer", "authority_admin", "operator")
TARIQ_WOLVERHAMPTON = ("W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,"
                       "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
TARIQ_MANCHESTER_REVOKED = ("M1,private_hire_driver,revoked,2021-06-01,2024-06-01,Mahmood,Tariq,15/03/1979,"
                            "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
LOCAL_DRIVER = "W2,hackney_carriage_driver,active,2024-01-01,2027-01-01,EVANS,Gareth,1970-01-01,,,1 Queen Square,WV1 1AA"


def email_of(role: str, code: str | None) -> str:
    return f"{role}@{(code or 'operator').lower()}.example"


def load_register(crosscheck) -> dict:
    with crosscheck.unit_of_work() as uow:
        for code in (WOLVERHAMPTON, MANCHESTER, BOLTON):
            update_authority_settings(uow, Actor.service(), code, {
                "enforcement_email": f"enforcement@{code.lower()}.example",
                "licensing_email": f"licensing@{code.lower()}.example"})
    for code, rows in ((MANCHESTER, (TARIQ_MANCHESTER_REVOKED,)), (WOLVERHAMPTON, (TARIQ_WOLVERHAMPTON, LOCAL_DRIVER))):
        with crosscheck.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=code, body=feed(*rows), content_type="text/csv", source="import")
        pipeline.process_feeds(crosscheck)
    made = {(role, code): add_user(crosscheck, role, code) for code in (WOLVERHAMPTON, BOLTON) for role in ROLES[:3]}
    add_user(crosscheck, "operator", None)
    with crosscheck.unit_of_work(write=False) as uow:
        session = uow.session
        tariq = session.execute(select(Licence.driver_id).where(Licence.licence_number == "W1")).scalar_one()
        finding = session.execute(select(Finding.id).where(Finding.type == "adverse_elsewhere")).scalar_one()
        feed_id = session.execute(select(Feed.id).where(Feed.authority_code == WOLVERHAMPTON)).scalar_one()
    return {"driver": tariq, "finding": finding, "feed": feed_id,
            "user": made[("licensing_officer", WOLVERHAMPTON)].id}


def add_user(crosscheck, role: str, code: str | None, *, email: str | None = None):
    with crosscheck.unit_of_work() as uow:
        return users.create_user(uow, Actor.service(), email=email or email_of(role, code), name=f"Test {role}",
                                 role=role, authority_code=code, password=PASSWORD)


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(web, path: str = "/sign-in") -> str:
    return _TOKEN.search(web.get(path).get_data(as_text=True)).group(1)


def sign_in(web, email: str, password: str = PASSWORD):
    return web.post("/sign-in", data={"email": email, "password": password, "csrf_token": csrf_token(web)})


@contextmanager
def cheap_password_hashing():
    """argon2 with its cheapest parameters: the same code, at a cost of milliseconds rather than the
    second a production hash takes on a busy test machine."""
    from argon2 import PasswordHasher, profiles

    saved = users._hasher
    users._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    try:
        yield
    finally:
        users._hasher = saved


# Two more drivers living in Manchester, neither with anything against them: one licensed by
# Wolverhampton (beside Tariq, whom Manchester revoked), one by Bolton.
SALMA_WOLVERHAMPTON = ("W3,private_hire_driver,active,2025-02-01,2028-02-01,BIBI,Salma,1990-05-05,,,"
                       "2 Wilmslow Road,M14 5AB")
OWEN_BOLTON = "B7,hackney_carriage_driver,active,2025-03-01,2028-03-01,PRICE,Owen,1985-07-07,,,3 Wilmslow Road,M14 5AB"


def load_out_of_area(crosscheck) -> None:
    """After load_register: Manchester has three drivers licensed elsewhere living in its area
    (two by Wolverhampton, one by Bolton) and an enforcement officer to see them."""
    for code, rows in ((WOLVERHAMPTON, (TARIQ_WOLVERHAMPTON, LOCAL_DRIVER, SALMA_WOLVERHAMPTON)),
                       (BOLTON, (OWEN_BOLTON,))):
        with crosscheck.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=code, body=feed(*rows), content_type="text/csv", source="import")
        pipeline.process_feeds(crosscheck)
    add_user(crosscheck, "enforcement_officer", MANCHESTER)
