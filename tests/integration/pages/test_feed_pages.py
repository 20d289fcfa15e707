"""The admin's feed pages: a dry run of an uploaded file changes nothing and says what the file
would do, and the authority's saved feed mapping is shown — on both databases."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from licensing.actors import Actor
from licensing.services.feed_mappings import save_feed_mapping
from licensing.store.models import Feed, Licence
from tests.feeds import HEADER, feed
from tests.integration.pages.register import BOLTON, csrf_token, email_of, load_register, sign_in

GOOD = "B1,private_hire_driver,active,2024-01-01,2027-01-01,JONES,Alex,1980-01-01,,,1 Deansgate,BL1 1AA"
BAD = "B99,private_hire_driver,active,2024-13-45,2027-01-01,SMITH,Jo,1981-02-03,,,1 Deansgate,BL1 1AA"


@pytest.fixture
def admin(crosscheck, web):
    load_register(crosscheck)
    sign_in(web, email_of("authority_admin", BOLTON))
    return web


def upload(web, body: bytes, action: str, name: str = "register.csv"):
    return web.post("/feeds/upload", data={"csrf_token": csrf_token(web, "/feeds/upload"), "action": action,
                                           "register": (io.BytesIO(body), name)})


def counts(crosscheck) -> tuple[int, int]:
    with crosscheck.unit_of_work(write=False) as uow:
        return (uow.session.execute(select(func.count()).select_from(Feed).where(Feed.authority_code == BOLTON)).scalar_one(),
                uow.session.execute(select(func.count()).select_from(Licence)
                                    .where(Licence.authority_code == BOLTON)).scalar_one())


def test_a_dry_run_shows_the_counts_and_first_row_errors_and_changes_nothing(crosscheck, admin):
    before = counts(crosscheck)
    response = upload(admin, feed(GOOD, BAD), "check")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "What register.csv would do" in body
    # One row in two is bad: the feed would wait for the admin to confirm it.
    assert "It would be held for you to confirm" in body and "1 of its 2 rows are invalid" in body
    assert "First rows it would reject" in body and "not a real calendar date" in body
    assert "Would add" in body and "issued_on" in body
    assert counts(crosscheck) == before  # nothing received, nothing applied
    assert "/feeds/upload" == response.request.path  # the results have no address of their own


def test_a_dry_run_of_an_unreadable_file_says_why_it_would_be_rejected(crosscheck, admin):
    body = upload(admin, f"{HEADER.replace('surname', 'family')}\n{GOOD}\n".encode(), "check").get_data(as_text=True)
    assert "It would be rejected" in body
    assert counts(crosscheck)[0] == 0


def test_a_dry_run_of_a_good_file_says_it_would_be_applied_and_upload_still_receives_it(crosscheck, admin):
    assert "It would be applied" in upload(admin, feed(GOOD), "check").get_data(as_text=True)
    response = upload(admin, feed(GOOD), "upload")
    assert response.status_code == 302 and "/feeds/" in response.headers["Location"]
    assert counts(crosscheck)[0] == 1


def test_the_saved_feed_mapping_is_shown_where_one_exists(crosscheck, admin):
    page = admin.get("/feeds/mapping")
    assert page.status_code == 200 and "has not saved a feed mapping" in page.get_data(as_text=True)
    with crosscheck.unit_of_work() as uow:
        save_feed_mapping(uow, Actor.service(), BOLTON, {"columns": {"Badge No": "licence_number", "Family name": "surname"},
                                                         "values": {"status": {"Current": "active"}}})
    body = admin.get("/feeds/mapping").get_data(as_text=True)
    assert "Badge No" in body and "licence number" in body and "Current" in body and "Family name" in body
    assert "has not saved" not in body
    assert 'href="/feeds/mapping"' in admin.get("/feeds").get_data(as_text=True)
