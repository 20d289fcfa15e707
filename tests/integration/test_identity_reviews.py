"""Uncertain pairs go to people: every pair in the review band is listed for the authorities holding
either record, most at stake first, with what is at stake in words."""

from __future__ import annotations

from licensing.bootstrap import Crosscheck
from licensing.config import Settings
from licensing.services import feeds, pipeline
from licensing.services.identity_review import links_for_review
from licensing.actors import Actor
from tests.conftest import bearer
from tests.feeds import feed

WOLVERHAMPTON, MANCHESTER, BOLTON = "E08000031", "E08000003", "E08000001"
# One name and date of birth at three councils, no licence or NI numbers, three addresses: whether
# any two are one man is for an officer to say. Manchester revoked its licence.
AT_WOLVERHAMPTON = "W1,private_hire_driver,active,2024-02-01,2027-02-01,Okafor,Chidi,1979-03-14,,,3 Oak Road,WV1 1AA"
AT_MANCHESTER = "M1,private_hire_driver,revoked,2023-05-01,2026-12-01,Okafor,Chidi,1979-03-14,,,77 Deansgate,M3 2BW"
AT_BOLTON = "B1,private_hire_driver,active,2024-03-01,2027-03-01,Okafor,Chidi,1979-03-14,,,4 Chorley New Road,BL1 4AA"


def load(app: Crosscheck) -> None:
    for code, row in ((WOLVERHAMPTON, AT_WOLVERHAMPTON), (MANCHESTER, AT_MANCHESTER), (BOLTON, AT_BOLTON)):
        with app.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=code, body=feed(row), content_type="text/csv", source="import")
    pipeline.process_feeds(app)


def with_band(settings: Settings, band: str, crosscheck: Crosscheck) -> Crosscheck:
    env = {**settings.env, "CROSSCHECK_IDENTITY_REVIEW_BAND": band}
    return Crosscheck(Settings.from_env(env), postcodes=crosscheck.postcodes)


def test_pairs_in_the_band_are_listed_revoked_first_with_what_is_at_stake(crosscheck, settings, web, api_key):
    load(crosscheck)
    key = api_key(WOLVERHAMPTON)
    every_pair = with_band(settings, "0-1", crosscheck)
    caller = Actor.api_key(key_id=1, authority_code=WOLVERHAMPTON, role="authority")
    reviews = links_for_review(every_pair, caller)
    assert len(reviews) == 2  # Wolverhampton's record with Manchester's and with Bolton's
    first, second = reviews
    assert "revoked" in first.at_stake and "licensed" in first.at_stake
    assert "licensed twice" in second.at_stake
    assert first.why and all(isinstance(reason, str) for reason in first.why)

    # A band below both pairs' probabilities lists neither.
    lowest = min(item.probability for item in reviews)
    assert links_for_review(with_band(settings, f"0-{lowest / 2}", crosscheck), caller) == []

    # Through the API, with the band set by default, what is listed carries its stake.
    response = web.get("/api/v1/identity/reviews", headers=bearer(key))
    assert response.status_code == 200
    assert all("at_stake" in item for item in response.json["reviews"])


def test_a_review_band_that_makes_no_sense_is_refused_with_a_clear_message(crosscheck, settings):
    import pytest

    caller = Actor.api_key(key_id=1, authority_code=WOLVERHAMPTON, role="authority")
    for band in ("high-low", "0.9-0.1"):
        with pytest.raises(ValueError, match="CROSSCHECK_IDENTITY_REVIEW_BAND"):
            links_for_review(with_band(settings, band, crosscheck), caller)
