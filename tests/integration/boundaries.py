"""One small register in which authorities' boundaries can be tried: Wolverhampton licenses Imran,
who lives in Manchester; Manchester revoked him earlier and recorded him with another spelling;
Bolton licenses a namesake. Used by the access matrix and the disclosure test.

The callers, as the access matrix names them, are relative to Wolverhampton's record W100:
`own` (Wolverhampton), `other` (Bolton: shares nothing with him), `sharing` (Manchester: holds a
record of the same driver), `operator`, and `no_key`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from licensing.actors import Actor
from licensing.services import pipeline
from licensing.services.authorities import update_authority_settings
from licensing.store.findings import Finding
from licensing.store.models import Feed, Licence
from tests.conftest import bearer
from tests.feeds import feed

WOLVERHAMPTON, MANCHESTER, BOLTON = "E08000031", "E08000003", "E08000001"
IMRAN_AT_WOLVERHAMPTON = ("W100,private_hire_driver,active,2024-02-01,2027-02-01,HUSSAIN,Mohammed Imran,1984-07-09,"
                          "HUSSA807094MI9AB,JX123456A,12 Clarendon Road,M14 5AA")
IMRAN_AT_MANCHESTER = ("M200,private_hire_driver,revoked,2021-05-01,2024-05-01,Hussain,Muhammad Imran,09/07/1984,"
                       "HUSSA807094MI9AB,JX123456A,12 Clarendon Rd,M14 5AA")
NAMESAKE_AT_BOLTON = ("B300,private_hire_driver,active,2024-03-01,2027-03-01,HUSSAIN,Mohammed Imran,1984-07-09,"
                      "HUSSA807094MI9XY,JY654321B,4 Chorley New Road,BL1 4AA")
# What Wolverhampton alone may see of W100: its number, the name and date of birth as it recorded them,
# and the identifiers no other authority ever sees.
HELD_BACK = ("W100", "Mohammed Imran", "HUSSA807094MI9AB", "JX123456A", "12 Clarendon Road")
CALLERS = ("own", "other", "sharing", "operator", "no_key")
MISSING = 987654


@dataclass
class Register:
    keys: dict[str, str | None]  # caller -> API key (None for no_key)
    ids: dict[str, int]  # names used in request templates: driver, feed, finding, decision, ...
    missing: dict[str, int]  # the same names, for ids that do not exist


def post_feed(crosscheck, web, key: str, body: bytes) -> int:
    response = web.post("/api/v1/feeds/licences", data=body, headers={**bearer(key), "Content-Type": "text/csv"})
    assert response.status_code == 202
    pipeline.process_feeds(crosscheck)
    return response.json["id"]


def build_register(crosscheck, web, api_key) -> Register:
    with crosscheck.unit_of_work() as uow:
        for code, name in ((WOLVERHAMPTON, "wolverhampton"), (MANCHESTER, "manchester"), (BOLTON, "bolton")):
            update_authority_settings(uow, Actor.service(), code, {"enforcement_email": f"enforcement@{name}.example",
                                                                   "licensing_email": f"licensing@{name}.example"})
    keys = {"own": api_key(WOLVERHAMPTON), "other": api_key(BOLTON), "sharing": api_key(MANCHESTER),
            "operator": api_key(None), "no_key": None}
    post_feed(crosscheck, web, keys["own"], feed(IMRAN_AT_WOLVERHAMPTON))
    post_feed(crosscheck, web, keys["sharing"], feed(IMRAN_AT_MANCHESTER))
    post_feed(crosscheck, web, keys["other"], feed(NAMESAKE_AT_BOLTON))
    with crosscheck.unit_of_work(write=False) as uow:
        licences = {l.licence_number: l for l in uow.session.execute(select(Licence)).scalars()}
        own_feed = uow.session.execute(select(Feed.id).where(Feed.authority_code == WOLVERHAMPTON)).scalar_one()
        adverse = uow.session.execute(select(Finding.id).where(Finding.type == "adverse_elsewhere")).scalar_one()
    assert licences["W100"].driver_id == licences["M200"].driver_id != licences["B300"].driver_id
    decision = web.post("/api/v1/identity/decisions", headers=bearer(keys["own"]), json={
        "licence_a": licences["W100"].id, "licence_b": licences["M200"].id, "verdict": "same",
        "reason": "Manchester's licensing team confirmed it is the same man"})
    assert decision.status_code == 201
    ids = {"driver": licences["W100"].driver_id, "feed": own_feed, "finding": adverse, "decision": decision.json["id"],
           "own_licence": licences["W100"].id, "sharing_licence": licences["M200"].id,
           "other_licence": licences["B300"].id, **_statutory_records(crosscheck, web, keys, licences["W100"].id)}
    return Register(keys=keys, ids=ids, missing={name: MISSING + n for n, name in enumerate(ids)})


def _statutory_records(crosscheck, web, keys, own_licence: int) -> dict[str, int]:
    """Wolverhampton's own entry in the decisions register about its driver, a concern Manchester
    sends it about him, Manchester's request for the detail of Wolverhampton's entry, and
    Manchester's immediate suspension of Wolverhampton's licence: each between own and sharing."""
    from tests.statutory import concern_body, decision_body

    def made(response) -> int:
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json["id"]

    person = {"surname": "HUSSAIN", "forenames": "Mohammed Imran", "date_of_birth": "1984-07-09",
              "driving_licence_number": "HUSSA807094MI9AB"}
    entry = made(web.post("/api/v1/decisions", headers=bearer(keys["own"]),
                          json=decision_body(decision="suspended", licence_number="W100", **person)))
    concern = made(web.post("/api/v1/concerns", headers=bearer(keys["sharing"]),
                            json=concern_body(licence_id=own_licence)))
    suspension = made(web.post("/api/v1/immediate-suspensions", headers=bearer(keys["sharing"]), json={
        "licence_id": own_licence, "grounds": "safeguarding", "reason": "Arrested on a safeguarding matter",
        "officer_name": "J. Patel, authorised officer"}))
    pipeline.process_feeds(crosscheck)
    # Manchester is shown the entry by a search before a renewal; it asks for the detail.
    shown = web.post("/api/v1/searches", headers=bearer(keys["sharing"]), json={
        "surname": "Hussain", "forenames": "Muhammad Imran", "date_of_birth": "1984-07-09",
        "reason": "licence_renewal", "application_reference": "MAN/2026/0042"})
    assert shown.status_code == 200, shown.get_data(as_text=True)
    detail = made(web.post("/api/v1/detail-requests", headers=bearer(keys["sharing"]),
                           json={"decision_id": entry, "question": "What led to the suspension?"}))
    notice = web.get("/api/v1/notices", headers=bearer(keys["own"])).json["notices"][0]["id"]
    return {"entry": entry, "concern": concern, "suspension": suspension, "detail": detail, "notice": notice}


def held_back_from(web, register: Register, caller: str) -> list[str]:
    """Wolverhampton's details of W100 that this caller must never be shown (less what the caller
    holds itself: Manchester's own record has the same licence and NI numbers)."""
    key = register.keys[caller]
    if caller == "own":
        return []
    own_values = ""
    if key and caller != "operator":
        own_values = web.get("/api/v1/licences", headers=bearer(key)).get_data(as_text=True)
    return [value for value in HELD_BACK if value not in own_values]
