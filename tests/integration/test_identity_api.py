"""Who is who, through the API: records of one person across authorities share a driver_id,
namesakes stay apart, officers' decisions stick, and searches are audited."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from licensing.services import identity, pipeline
from licensing.services.authorities import update_authority_settings
from licensing.actors import Actor
from licensing.store.models import AuditEvent, Licence
from tests.conftest import bearer
from tests.feeds import feed

WOLVERHAMPTON, MANCHESTER, BOLTON = "E08000031", "E08000003", "E08000001"

# One person, as two councils recorded him: a transliteration variant, the same licence number.
IMRAN_AT_WOLVERHAMPTON = "W100,private_hire_driver,active,2024-02-01,2027-02-01,HUSSAIN,Mohammed Imran,1984-07-09,HUSSA807094MI9AB,JX123456A,12 Clarendon Road,M14 5AA"
IMRAN_AT_MANCHESTER = "M200,hackney_carriage_driver,active,2023-05-01,2026-12-01,Hussain,Muhammad Imran,09/07/1984,HUSSA807094MI9AB,JX123456A,12 Clarendon Rd,M14 5AA"
# A different man with the same common name and date of birth, his own numbers.
NAMESAKE_AT_BOLTON = "B300,private_hire_driver,active,2024-03-01,2027-03-01,HUSSAIN,Mohammed Imran,1984-07-09,HUSSA807094MI9XY,JY654321B,4 Chorley New Road,BL1 4AA"


def send(crosscheck, web, key, body: bytes) -> None:
    response = web.post("/api/v1/feeds/licences", data=body, headers={**bearer(key), "Content-Type": "text/csv"})
    assert response.status_code == 202
    pipeline.process_feeds(crosscheck)


@pytest.fixture
def keys(crosscheck, api_key):
    with crosscheck.unit_of_work() as uow:
        update_authority_settings(uow, Actor.service(), MANCHESTER,
                                  {"licensing_email": "taxi.licensing@manchester.example"})
    return {code: api_key(code) for code in (WOLVERHAMPTON, MANCHESTER, BOLTON)}


@pytest.fixture
def three_councils(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(IMRAN_AT_WOLVERHAMPTON))
    send(crosscheck, web, keys[MANCHESTER], feed(IMRAN_AT_MANCHESTER))
    send(crosscheck, web, keys[BOLTON], feed(NAMESAKE_AT_BOLTON))
    return keys


def driver_of(web, key, licence_number: str) -> int:
    licences = web.get("/api/v1/licences", headers=bearer(key)).json["licences"]
    return next(l["driver_id"] for l in licences if l["licence_number"] == licence_number)


def test_one_person_across_authorities_shares_a_driver_and_namesakes_do_not(web, three_councils):
    imran = driver_of(web, three_councils[WOLVERHAMPTON], "W100")
    assert imran is not None
    assert driver_of(web, three_councils[MANCHESTER], "M200") == imran
    assert driver_of(web, three_councils[BOLTON], "B300") != imran


def test_a_driver_view_minimises_other_authorities_records(web, three_councils):
    imran = driver_of(web, three_councils[WOLVERHAMPTON], "W100")
    view = web.get(f"/api/v1/drivers/{imran}", headers=bearer(three_councils[WOLVERHAMPTON])).json
    own = next(l for l in view["licences"] if l["own"])
    other = next(l for l in view["licences"] if not l["own"])
    assert own["licence_number"] == "W100" and own["surname"] == "HUSSAIN"
    assert other["authority_code"] == MANCHESTER and other["licence_type"] == "hackney_carriage_driver"
    assert other["status"] == "active" and other["since"] == "2023-05-01"
    assert other["ask"] == "taxi.licensing@manchester.example"
    assert other["licence_number"] is None and other["surname"] is None and other["date_of_birth"] is None


def test_an_unconcerned_authority_cannot_view_a_driver(web, three_councils, api_key):
    imran = driver_of(web, three_councils[WOLVERHAMPTON], "W100")
    sheffield = api_key("E08000019")
    assert web.get(f"/api/v1/drivers/{imran}", headers=bearer(sheffield)).status_code == 404


def test_an_officers_split_sticks_through_feeds_and_the_nightly_run(crosscheck, web, three_councils):
    key = three_councils[WOLVERHAMPTON]
    licences = {l["licence_number"]: l["id"] for l in web.get("/api/v1/licences", headers=bearer(key)).json["licences"]}
    with crosscheck.unit_of_work(write=False) as uow:
        manchester_id = uow.session.execute(select(Licence.id).where(Licence.licence_number == "M200")).scalar_one()
    response = web.post("/api/v1/identity/decisions", headers=bearer(key), json={
        "licence_a": licences["W100"], "licence_b": manchester_id, "verdict": "different",
        "reason": "Manchester confirmed by phone: a different man, DBS certificates differ"})
    assert response.status_code == 201 and response.json["verdict"] == "different"
    assert driver_of(web, key, "W100") != driver_of(web, three_councils[MANCHESTER], "M200")

    send(crosscheck, web, three_councils[MANCHESTER], feed(IMRAN_AT_MANCHESTER.replace("12 Clarendon Rd", "14 Clarendon Rd")))
    identity.resolve_everyone(crosscheck)
    assert driver_of(web, key, "W100") != driver_of(web, three_councils[MANCHESTER], "M200")


def test_a_decision_needs_a_reason_and_a_record_of_ones_own(web, three_councils):
    key = three_councils[BOLTON]
    body = {"licence_a": 1, "licence_b": 2, "verdict": "same", "reason": ""}
    assert web.post("/api/v1/identity/decisions", headers=bearer(key), json=body).status_code == 400
    body["reason"] = "looks like him"
    others = web.post("/api/v1/identity/decisions", headers=bearer(key), json=body)
    missing = web.post("/api/v1/identity/decisions", headers=bearer(key),
                       json={**body, "licence_a": 9998, "licence_b": 9999})
    # Other authorities' records answer exactly as records that do not exist.
    assert others.status_code == missing.status_code == 404
    assert others.json["errors"][0]["message"].replace("1 and 2", "") == \
        missing.json["errors"][0]["message"].replace("9998 and 9999", "")


def test_unchanged_feeds_resolve_nothing_again(crosscheck, web, three_councils):
    web.post("/api/v1/feeds/licences", data=feed(IMRAN_AT_WOLVERHAMPTON),
             headers={**bearer(three_councils[WOLVERHAMPTON]), "Content-Type": "text/csv"})
    assert pipeline.process_feeds(crosscheck).resolution.records == 0


def test_the_licence_number_is_graded_against_its_holder(crosscheck, three_councils):
    with crosscheck.unit_of_work(write=False) as uow:
        grades = dict(uow.session.execute(select(Licence.licence_number, Licence.dln_grade)).all())
    assert grades["W100"] == "consistent"


def search(web, key, **body):
    return web.post("/api/v1/searches", headers=bearer(key), json=body)


def test_a_search_finds_the_person_first_and_says_why(crosscheck, web, three_councils, api_key):
    sheffield = api_key("E08000019")
    response = search(web, sheffield, surname="Husain", forenames="Mohd Imran", date_of_birth="1984-07-09",
                      driving_licence_number="HUSSA807094MI9AB", reason="licence_application",
                      application_reference="SHF/2026/0042")
    assert response.status_code == 200
    results = response.json["results"]
    imran = driver_of(web, three_councils[WOLVERHAMPTON], "W100")
    assert results[0]["driver_id"] == imran and results[0]["band"] == "certain"
    assert any("driving licence number" in why for why in results[0]["why"])
    assert {l["authority_code"] for l in results[0]["licences"]} == {WOLVERHAMPTON, MANCHESTER}
    assert all(l["licence_number"] is None for l in results[0]["licences"])

    with crosscheck.unit_of_work(write=False) as uow:
        audit = uow.session.execute(select(AuditEvent).where(AuditEvent.kind == "search")).scalars().one()
    assert audit.id == response.json["search_id"]
    assert (audit.authority_code, audit.reason, audit.reference) == ("E08000019", "licence_application", "SHF/2026/0042")
    assert audit.query["driving_licence_number"] == "HUSSA807094MI9AB"
    assert [hit["driver_id"] for hit in audit.shown] == [hit["driver_id"] for hit in results]


def test_namesakes_a_search_cannot_tell_apart_share_the_first_rank(web, three_councils, api_key):
    # Imran and the Bolton namesake have the same name and date of birth: searched by those alone,
    # neither may be shown above the other. The licence number tells them apart.
    sheffield = api_key("E08000019")
    by_name = search(web, sheffield, surname="Hussain", forenames="Mohammed Imran", date_of_birth="1984-07-09",
                     reason="enforcement").json["results"]
    imran, namesake = driver_of(web, three_councils[WOLVERHAMPTON], "W100"), driver_of(web, three_councils[BOLTON], "B300")
    assert {(hit["driver_id"], hit["rank"]) for hit in by_name} == {(imran, 1), (namesake, 1)}
    by_number = search(web, sheffield, surname="Hussain", forenames="Mohammed Imran", date_of_birth="1984-07-09",
                       driving_licence_number="HUSSA807094MI9AB", reason="enforcement").json["results"]
    assert [(hit["driver_id"], hit["rank"]) for hit in by_number] == [(imran, 1), (namesake, 2)]


@pytest.mark.parametrize("body, says", [
    ({"reason": "enforcement"}, "Nothing to search by"),
    ({"surname": "KHAN", "reason": "enforcement"}, "too many"),
    ({"surname": "KHAN", "date_of_birth": "1984-07-09"}, "reason"),
    ({"surname": "KHAN", "date_of_birth": "1984-07-09", "reason": "licence_application"}, "application_reference"),
    ({"surname": "KHAN", "date_of_birth": "09/07/1984", "reason": "enforcement"}, "date"),
])
def test_searches_that_cannot_be_run_say_what_to_add(web, keys, body, says):
    response = search(web, keys[BOLTON], **body)
    assert response.status_code == 400
    assert says.lower() in " ".join(e["message"] for e in response.json["errors"]).lower()


def test_refused_searches_are_not_run_and_personal_data_stays_out_of_urls(crosscheck, web, keys):
    search(web, keys[BOLTON], surname="KHAN", reason="enforcement")
    with crosscheck.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(AuditEvent)).first() is None
    plain = FlaskClient(web.application)  # an undocumented method, so outside the contract check
    assert plain.get("/api/v1/searches?surname=KHAN", headers=bearer(keys[BOLTON])).status_code == 405


def test_an_officer_joining_two_records_keeps_one_driver_and_points_the_other_to_it(crosscheck, web, keys):
    # Both records are Bolton's own, so Bolton may join them (docs/matching.md, who may decide).
    key = keys[BOLTON]
    send(crosscheck, web, key, feed(NAMESAKE_AT_BOLTON, IMRAN_AT_WOLVERHAMPTON))
    bolton_driver = driver_of(web, key, "B300")
    wolverhampton_driver = driver_of(web, key, "W100")
    assert bolton_driver != wolverhampton_driver  # different licence and NI numbers: kept apart
    with crosscheck.unit_of_work(write=False) as uow:
        ids = dict(uow.session.execute(select(Licence.licence_number, Licence.id)).all())
    response = web.post("/api/v1/identity/decisions", headers=bearer(key), json={
        "licence_a": ids["B300"], "licence_b": ids["W100"], "verdict": "same",
        "reason": "Same man: DVLA confirmed the licence number was mistyped"})
    assert response.status_code == 201
    joined = driver_of(web, key, "B300")
    assert joined == driver_of(web, key, "W100")
    old = bolton_driver if joined == wolverhampton_driver else wolverhampton_driver
    followed = web.get(f"/api/v1/drivers/{old}", headers=bearer(key)).json
    assert followed == {"driver_id": old, "merged_into": joined, "licences": [], "decisions": []}
