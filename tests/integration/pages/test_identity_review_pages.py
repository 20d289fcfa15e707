"""The identity review pages: the queue most at stake first, with the reasons in words; a pair
opened and settled by an officer, through the same service as the API's identity decisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from licensing.store.models import IdentityDecision, Licence
from tests.integration.pages.register import add_user, csrf_token, email_of, sign_in
from tests.integration.test_identity_reviews import WOLVERHAMPTON, load, with_band


@pytest.fixture
def web(crosscheck, settings):
    """The pages over a register whose review band holds every pair: on three records the prior makes
    the model surer of them than it would be on a national register."""
    from api.app import create_app

    app = create_app(with_band(settings, "0-1", crosscheck))
    app.testing = True
    return app.test_client()


def test_an_officer_sees_the_queue_opens_a_pair_and_keeps_the_records_apart(crosscheck, web):
    load(crosscheck)
    add_user(crosscheck, "licensing_officer", WOLVERHAMPTON)
    assert sign_in(web, email_of("licensing_officer", WOLVERHAMPTON)).status_code == 302
    with crosscheck.unit_of_work(write=False) as uow:
        ids = dict(uow.session.execute(select(Licence.licence_number, Licence.id)).all())
    w1, m1 = ids["W1"], ids["M1"]

    queue = web.get("/identity-reviews").get_data(as_text=True)
    pair = f"/identity-reviews/{min(w1, m1)}/{max(w1, m1)}"
    # Manchester revoked its record: that pair comes first, and says what is at stake.
    assert queue.index(pair) < queue.index(f"/identity-reviews/{min(w1, ids['B1'])}/{max(w1, ids['B1'])}")
    assert "a revoked driver is licensed" in queue and "date of birth identical" in queue

    opened = web.get(pair)
    assert opened.status_code == 200 and "Are they one person?" in opened.get_data(as_text=True)
    token = csrf_token(web, pair)
    assert web.post(pair, data={"csrf_token": token, "reason": "checked"}).status_code == 400
    done = web.post(pair, data={"csrf_token": token, "verdict": "different",
                                "reason": "Photocard licences checked: two men"})
    assert done.status_code == 302

    with crosscheck.unit_of_work(write=False) as uow:
        decision = uow.session.execute(select(IdentityDecision)).scalar_one()
    assert (decision.licence_a, decision.licence_b, decision.verdict) == (min(w1, m1), max(w1, m1), "different")
    assert pair not in web.get("/identity-reviews").get_data(as_text=True)
    assert web.get(pair).status_code == 404  # decided: no longer in the queue


def test_a_pair_outside_the_officers_authority_is_not_found(crosscheck, web):
    load(crosscheck)
    add_user(crosscheck, "licensing_officer", "E08000025")  # Birmingham holds none of the records
    assert sign_in(web, email_of("licensing_officer", "E08000025")).status_code == 302
    with crosscheck.unit_of_work(write=False) as uow:
        w1, m1 = (uow.session.execute(select(Licence.id).where(Licence.licence_number == n)).scalar_one()
                  for n in ("W1", "M1"))
    assert web.get(f"/identity-reviews/{min(w1, m1)}/{max(w1, m1)}").status_code == 404


def test_a_pair_answers_each_role_of_the_holding_and_another_authority_as_the_matrix_says(crosscheck, web):
    from tests.integration.pages.test_page_access import MATRIX_ELSEWHERE

    load(crosscheck)
    with crosscheck.unit_of_work(write=False) as uow:
        w1, m1 = (uow.session.execute(select(Licence.id).where(Licence.licence_number == n)).scalar_one()
                  for n in ("W1", "M1"))
    pair = f"/identity-reviews/{min(w1, m1)}/{max(w1, m1)}"
    for role in ("licensing_officer", "enforcement_officer", "authority_admin", "operator"):
        for code in ((WOLVERHAMPTON, "E08000025") if role != "operator" else (None,)):
            add_user(crosscheck, role, code)
            web.post("/sign-out", data={"csrf_token": csrf_token(web)})
            assert sign_in(web, email_of(role, code)).status_code == 302
            expected = (403 if role not in MATRIX_ELSEWHERE["/identity-reviews/*/*"]
                        else 200 if code == WOLVERHAMPTON else 404)
            response = web.get(pair)
            assert response.status_code == expected, f"{role} of {code}"
            if expected != 200:
                assert "MAHMOOD" not in response.get_data(as_text=True).upper()
