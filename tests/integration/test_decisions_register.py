"""The decisions register through the API, on both databases: recording, what others see,
decision-driven adverse_elsewhere, and corrections reaching everyone who saw."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from licensing.services import pipeline
from licensing.store.notices import Notice
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.feeds import feed
from tests.statutory import decision_body, keys_with_teams

WOLVERHAMPTON, MANCHESTER, BOLTON = "E08000031", "E08000003", "E08000001"
TARIQ_WOLVERHAMPTON = ("W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,"
                       "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
REASON = "Convicted of harassment of a passenger, March 2026"


@pytest.fixture
def keys(crosscheck, api_key):
    return keys_with_teams(crosscheck, api_key, (WOLVERHAMPTON, MANCHESTER, BOLTON))


def licensed_in_wolverhampton(crosscheck, web, keys):
    assert web.post("/api/v1/feeds/licences", data=feed(TARIQ_WOLVERHAMPTON),
                    headers={**bearer(keys[WOLVERHAMPTON]), "Content-Type": "text/csv"}).status_code == 202
    pipeline.process_feeds(crosscheck)


def record(web, key, **values):
    response = web.post("/api/v1/decisions", headers=bearer(key), json=decision_body(**values))
    assert response.status_code == 201, response.json
    return response.json


def adverse(web, key) -> list[dict]:
    return web.get("/api/v1/findings", headers=bearer(key), query_string={"type": "adverse_elsewhere"}).json["findings"]


def emails(crosscheck) -> list[OutboxMessage]:
    with crosscheck.unit_of_work(write=False) as uow:
        return list(uow.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def notices(web, key) -> list[dict]:
    return web.get("/api/v1/notices", headers=bearer(key)).json["notices"]


def test_a_refusal_elsewhere_reaches_the_licensing_and_home_authorities_without_its_reason(crosscheck, web, keys):
    licensed_in_wolverhampton(crosscheck, web, keys)
    recorded = record(web, keys[MANCHESTER])
    assert recorded["reason"] == REASON and recorded["match_band"] == "certain"
    assert [event["kind"] for event in recorded["history"]] == ["recorded"]
    assert recorded["history"][0]["actor_kind"] == "api_key"

    pipeline.process_feeds(crosscheck)  # the jobs worker's next pass
    finding, = adverse(web, keys[WOLVERHAMPTON])
    assert finding["severity"] == "immediate"
    assert "refused by Manchester City Council" in finding["summary"]
    assert REASON not in str(finding)
    # Manchester is also his home authority (M14): it is told too.
    assert [f["id"] for f in adverse(web, keys[MANCHESTER])] == [finding["id"]]
    alerts = [m for m in emails(crosscheck) if m.kind == "alert"]
    assert {m.to_address for m in alerts} >= {"enforcement@wolverhampton.example", "licensing@wolverhampton.example"}
    assert all(REASON not in m.body and "harassment" not in m.body for m in alerts)

    seen = web.get(f"/api/v1/decisions/{recorded['id']}", headers=bearer(keys[WOLVERHAMPTON])).json
    assert seen["decision"] == "refused" and seen["authority_name"] == "Manchester City Council"
    assert seen["ask"] == "licensing@manchester.example" and seen["own"] is False
    assert "reason" not in seen and "surname" not in seen and seen["history"] == []
    # An authority that was never shown it cannot read it by id.
    assert web.get(f"/api/v1/decisions/{recorded['id']}", headers=bearer(keys[BOLTON])).status_code == 404

    # Raised once: another pass changes nothing.
    again = pipeline.process_feeds(crosscheck)
    assert (again.findings.opened, again.findings.updated) == (0, 0)


def test_a_person_refused_first_and_licensed_later_elsewhere_is_flagged_when_the_licence_arrives(crosscheck, web, keys):
    recorded = record(web, keys[MANCHESTER])
    assert recorded["driver_id"] is None  # no one in the register yet
    # A decision on other grounds stays with its authority: no finding, not in anyone else's search.
    other = record(web, keys[MANCHESTER], grounds="other", decision="suspended")
    licensed_in_wolverhampton(crosscheck, web, keys)
    finding, = adverse(web, keys[WOLVERHAMPTON])
    assert "refused by Manchester City Council" in finding["summary"]
    hit, = web.post("/api/v1/searches", headers=bearer(keys[BOLTON]),
                    json={"driving_licence_number": "MAHMO703159T99AB", "reason": "enforcement"}).json["results"]
    assert [d["id"] for d in hit["decisions"]] == [recorded["id"]]
    assert web.get(f"/api/v1/decisions/{other['id']}", headers=bearer(keys[WOLVERHAMPTON])).status_code == 404
    own = web.get("/api/v1/decisions", headers=bearer(keys[MANCHESTER])).json
    assert own["total"] == 2 and {d["id"] for d in own["decisions"]} == {recorded["id"], other["id"]}


def test_a_decision_about_a_revoked_licence_record_is_the_same_fact_not_a_second_finding(crosscheck, web, keys):
    licensed_in_wolverhampton(crosscheck, web, keys)
    revoked = ("M1,private_hire_driver,revoked,2021-06-01,2027-06-01,Mahmood,Tariq,15/03/1979,MAHMO703159T99AB,"
               "JX112233C,7 Platt Lane,M14 5AA")
    web.post("/api/v1/feeds/licences", data=feed(revoked), headers={**bearer(keys[MANCHESTER]), "Content-Type": "text/csv"})
    pipeline.process_feeds(crosscheck)
    before, = adverse(web, keys[WOLVERHAMPTON])
    record(web, keys[MANCHESTER], decision="revoked", licence_number="M1")
    report = pipeline.process_feeds(crosscheck)
    after, = adverse(web, keys[WOLVERHAMPTON])
    assert after["id"] == before["id"] and report.findings.opened == 0
    assert any("safeguarding grounds" in line for line in after["evidence"])


def test_bad_decisions_are_refused_with_what_to_fix_and_nothing_is_stored(web, keys):
    response = web.post("/api/v1/decisions", headers=bearer(keys[MANCHESTER]),
                        json=decision_body(decided_on=None, effective_from="2020-01-01", date_of_birth=None,
                                           driving_licence_number=None, postcode="XX 99"))
    assert response.status_code == 400
    fields = {error.get("field") for error in response.json["errors"]}
    assert {"effective_from", "postcode"} <= fields
    missing = web.post("/api/v1/decisions", headers=bearer(keys[MANCHESTER]), json={"decision": "refused"})
    assert missing.status_code == 400 and {e["field"] for e in missing.json["errors"]} >= {"reason", "grounds"}
    assert web.get("/api/v1/decisions", headers=bearer(keys[MANCHESTER])).json["total"] == 0


def test_a_withdrawal_reaches_everyone_who_was_shown_the_decision(crosscheck, web, keys):
    licensed_in_wolverhampton(crosscheck, web, keys)
    recorded = record(web, keys[MANCHESTER])
    pipeline.process_feeds(crosscheck)
    # Bolton sees it in a search result; Wolverhampton in its finding.
    hit, = web.post("/api/v1/searches", headers=bearer(keys[BOLTON]),
                    json={"driving_licence_number": "MAHMO703159T99AB", "reason": "enforcement"}).json["results"]
    assert [d["id"] for d in hit["decisions"]] == [recorded["id"]] and "reason" not in hit["decisions"][0]

    url = f"/api/v1/decisions/{recorded['id']}"
    assert web.patch(url, headers=bearer(keys[WOLVERHAMPTON]), json={"note": "x", "withdraw": True}).status_code == 404
    changed = web.patch(url, headers=bearer(keys[MANCHESTER]),
                        json={"note": "Recorded against the wrong person", "withdraw": True})
    assert changed.status_code == 200 and changed.json["state"] == "withdrawn"
    assert [e["kind"] for e in changed.json["history"]] == ["recorded", "withdrawn"]

    for code in (BOLTON, WOLVERHAMPTON):
        told, = [n for n in notices(web, keys[code]) if n["kind"] == "decision_corrected"]
        assert "withdrawn" in told["text"] and REASON not in told["text"]
    assert notices(web, keys[MANCHESTER]) == []
    corrections = [m for m in emails(crosscheck) if m.kind == "notice"]
    assert {m.to_address for m in corrections} == {"licensing@bolton.example", "licensing@wolverhampton.example"}
    assert all("Mahmood" not in m.body and "MAHMO" not in m.body for m in corrections)

    closed = pipeline.process_feeds(crosscheck)
    assert closed.findings.closed == 1
    assert web.patch(url, headers=bearer(keys[MANCHESTER]), json={"note": "again", "withdraw": True}).status_code == 409


def test_an_appeal_allowed_overturns_the_decision_and_an_amendment_is_in_its_history(crosscheck, web, keys):
    licensed_in_wolverhampton(crosscheck, web, keys)
    recorded = record(web, keys[MANCHESTER], decision="revoked")
    pipeline.process_feeds(crosscheck)
    url = f"/api/v1/decisions/{recorded['id']}"
    amended = web.patch(url, headers=bearer(keys[MANCHESTER]),
                        json={"note": "Date corrected", "amend": {"grounds": "road_safety"}}).json
    assert amended["grounds"] == "road_safety"
    assert amended["history"][-1]["changes"] == {"grounds": ["safeguarding", "road_safety"]}
    allowed = web.patch(url, headers=bearer(keys[MANCHESTER]),
                        json={"note": "Magistrates allowed the appeal", "appeal_outcome": "allowed",
                              "appeal_decided_on": recorded["decided_on"]}).json
    assert allowed["state"] == "overturned" and allowed["appeal_outcome"] == "allowed"
    assert pipeline.process_feeds(crosscheck).findings.closed == 1
    with crosscheck.unit_of_work(write=False) as uow:
        told = uow.session.execute(select(Notice.authority_code).where(Notice.kind == "decision_corrected")).scalars().all()
    assert sorted(set(told)) == [WOLVERHAMPTON]


DECISIONS_HEADER = ("reference,decision,licence_type,licence_number,decided_on,effective_from,grounds,surname,"
                    "forenames,date_of_birth,postcode,driving_licence_number,reason")


def decisions_feed(*rows: str) -> bytes:
    return ("\n".join((DECISIONS_HEADER, *rows)) + "\n").encode()


def send_decisions(crosscheck, web, key, body: bytes, **params) -> dict:
    response = web.post("/api/v1/feeds/decisions", data=body, query_string=params,
                        headers={**bearer(key), "Content-Type": "text/csv"})
    assert response.status_code == 202, response.json
    pipeline.process_feeds(crosscheck)
    return web.get(response.headers["Location"], headers=bearer(key)).json


def historic(reference: str, decided_on: str, surname: str = "Mahmood", forenames: str = "Tariq",
             born: str = "1979-03-15", postcode: str = "M14 5AA", dln: str = "MAHMO703159T99AB") -> str:
    return (f"{reference},revoked,private_hire_driver,M{reference},{decided_on},{decided_on},safeguarding,{surname},"
            f"{forenames},{born},{postcode},{dln},Kept with Manchester")


def test_historic_decisions_import_through_the_feed_and_a_truncated_feed_withdraws_nothing(crosscheck, web, keys):
    licensed_in_wolverhampton(crosscheck, web, keys)
    rows = [historic("R1", "2019-05-01")] + [historic(f"R{n}", f"2020-01-{n:02}", surname=f"Okafor{n}", forenames="Grace",
                                                      born=f"1985-06-{n:02}", postcode="M1 1AE", dln="")
                                             for n in range(2, 12)]
    too_old = historic("R0", "2010-01-01")
    imported = send_decisions(crosscheck, web, keys[MANCHESTER], decisions_feed(*rows, too_old), **{"import": "true"})
    assert imported["kind"] == "decisions" and imported["status"] == "applied" and imported["source"] == "import"
    assert imported["counts"]["added"] == 11 and imported["counts"]["rejected"] == 1
    assert any(p["field"] == "decided_on" and "11 years" in p["message"] for p in imported["problems"])
    finding, = adverse(web, keys[WOLVERHAMPTON])
    assert "revoked by Manchester City Council" in finding["summary"]

    # Cut off after two rows: it would withdraw nine of eleven, so it waits.
    truncated = send_decisions(crosscheck, web, keys[MANCHESTER], decisions_feed(*rows[:2]))
    assert truncated["status"] == "needs_confirmation" and truncated["counts"]["ended"] == 9
    assert web.get("/api/v1/decisions", headers=bearer(keys[MANCHESTER])).json["total"] == 11
    assert all(d["state"] == "in_effect" for d in web.get("/api/v1/decisions", headers=bearer(keys[MANCHESTER])).json["decisions"])

    # A feed without R1 withdraws it (one of eleven): the finding closes and Wolverhampton is told.
    applied = send_decisions(crosscheck, web, keys[MANCHESTER], decisions_feed(*rows[1:]))
    assert applied["status"] == "applied" and applied["counts"]["ended"] == 1 and applied["counts"]["unchanged"] == 10
    pipeline.process_feeds(crosscheck)
    assert adverse(web, keys[WOLVERHAMPTON])[0]["status"] == "closed"
    assert [n["kind"] for n in notices(web, keys[WOLVERHAMPTON])] == ["decision_corrected"]


def test_a_decisions_feed_that_cannot_be_read_changes_nothing(crosscheck, web, keys):
    broken = decisions_feed(historic("R1", "2019-05-01")) + b'R2,"revoked,unclosed\n'
    outcome = send_decisions(crosscheck, web, keys[MANCHESTER], broken)
    assert outcome["status"] == "rejected" and "cannot be read" in outcome["message"]
    assert web.get("/api/v1/decisions", headers=bearer(keys[MANCHESTER])).json["total"] == 0


def test_import_decisions_from_the_command_line(crosscheck, settings, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from crosscheck.cli import main

    for name, value in (("DATABASE_URL", settings.database_url), ("CROSSCHECK_VAR_DIR", str(settings.var_dir)),
                        ("CROSSCHECK_REFERENCE_DIR", str(settings.reference_dir))):
        monkeypatch.setenv(name, value)
    file = tmp_path / "decisions.csv"
    file.write_bytes(decisions_feed(*(historic(f"H{n}", f"2018-02-{n:02}", surname=f"Okafor{n}", forenames="Grace",
                                               born=f"1985-06-{n:02}", postcode="M1 1AE", dln="")
                                      for n in range(1, 12)),
                                    historic("H99", "2018-02-30")))
    result = CliRunner().invoke(main, ["import-decisions", MANCHESTER, str(file)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "applied — added 11" in result.output and "row 12, decided_on:" in result.output
    assert "import-decisions" in CliRunner().invoke(main, ["--help"]).output
