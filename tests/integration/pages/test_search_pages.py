"""The search results page as an officer reads it: people the search cannot tell apart are shown as
equals, with what to ask for next."""

from __future__ import annotations

from licensing.services import feeds, pipeline
from tests.feeds import feed
from tests.integration.pages.register import (
    BOLTON, WOLVERHAMPTON, csrf_token, email_of, load_register, sign_in,
)

# Another Tariq Mahmood, born the same day: his own licence number, NI number and home.
NAMESAKE_AT_BOLTON = ("B1,private_hire_driver,active,2024-04-01,2027-04-01,MAHMOOD,Tariq,1979-03-15,"
                      "MAHMO703159T99XY,JY445566D,3 Chorley New Road,BL1 4AA")
WARNING = "The first 2 matches are equally strong"


def search(web, **fields):
    return web.post("/search", data={"csrf_token": csrf_token(web, "/search"), "reason": "enforcement",
                                     "surname": "Mahmood", "forenames": "Tariq", "date_of_birth-day": "15",
                                     "date_of_birth-month": "3", "date_of_birth-year": "1979", **fields})


def test_namesakes_born_the_same_day_are_shown_as_equals_until_a_licence_number_tells_them_apart(crosscheck, web):
    load_register(crosscheck)
    with crosscheck.unit_of_work() as uow:
        feeds.receive_feed(uow, authority_code=BOLTON, body=feed(NAMESAKE_AT_BOLTON), content_type="text/csv",
                           source="import")
    pipeline.process_feeds(crosscheck)
    sign_in(web, email_of("licensing_officer", WOLVERHAMPTON))

    by_name = search(web).get_data(as_text=True)
    assert WARNING in by_name and "driving licence number or National Insurance number" in by_name
    assert "Match 2 (as strong as match 1)" in by_name

    by_number = search(web, driving_licence_number="MAHMO703159T99AB").get_data(as_text=True)
    assert "Why this matched" in by_number
    assert WARNING not in by_number and "as strong as" not in by_number
