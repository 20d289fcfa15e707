"""The daily digest at scale, from real feeds to a real SMTP server, on both databases: it counts
rather than lists, names the few most at stake first, and says only what is new since the last."""

from __future__ import annotations

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from licensing.actors import Actor
from licensing.mail import SmtpBackend
from licensing.mail.files import OutboxDirectoryBackend
from licensing.services import digest, outbox, pipeline
from licensing.services.authorities import update_authority_settings
from licensing.store.findings import Finding
from licensing.store.outbox import OutboxMessage
from tests.conftest import bearer
from tests.feeds import feed
from tests.smtp import Relay, free_port

WOLVERHAMPTON, MANCHESTER = "E08000031", "E08000003"
TARIQ_WOLVERHAMPTON = ("W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,"
                       "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")
TARIQ_MANCHESTER_REVOKED = ("M1,private_hire_driver,revoked,2021-06-01,2024-06-01,Mahmood,Tariq,15/03/1979,"
                            "MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA")


def commuter(n: int) -> str:
    """A driver living in Manchester, licensed by Wolverhampton, with nothing against them."""
    return (f"W{100 + n},private_hire_driver,active,2025-01-10,2028-01-10,DRIVER{chr(65 + n % 26)}{n},Sam,"
            f"19{60 + n % 30}-0{1 + n % 9}-1{n % 10},,,{n} Wilmslow Road,M14 5AB")


@pytest.fixture
def keys(crosscheck, api_key):
    with crosscheck.unit_of_work() as uow:
        for code, name in ((WOLVERHAMPTON, "wolverhampton"), (MANCHESTER, "manchester")):
            update_authority_settings(uow, Actor.service(), code, {"enforcement_email": f"enforcement@{name}.example",
                                                                   "licensing_email": f"licensing@{name}.example"})
    return {code: api_key(code) for code in (WOLVERHAMPTON, MANCHESTER)}


def send(crosscheck, web, key, body: bytes):
    assert web.post("/api/v1/feeds/licences", data=body,
                    headers={**bearer(key), "Content-Type": "text/csv"}).status_code == 202
    pipeline.process_feeds(crosscheck)


def digests(crosscheck) -> list[OutboxMessage]:
    with crosscheck.unit_of_work(write=False) as uow:
        return list(uow.session.execute(select(OutboxMessage).where(OutboxMessage.kind == "digest")
                                        .order_by(OutboxMessage.id)).scalars())


def test_the_digest_counts_the_many_and_names_the_few_most_at_stake_first(crosscheck, web, keys):
    send(crosscheck, web, keys[MANCHESTER], feed(TARIQ_MANCHESTER_REVOKED))
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(*[commuter(n) for n in range(30)], TARIQ_WOLVERHAMPTON))
    assert digest.send_digests(crosscheck) == 1  # out of area is for enforcement only
    (sent,) = digests(crosscheck)
    assert sent.to_address == "enforcement@manchester.example"
    assert sent.subject == "Crosscheck daily digest: 31 new or changed, 32 open for Manchester City Council"
    body = sent.body
    assert "- Licensed out of area: 31 opened" in body and "- Licensed out of area: 31" in body
    # Tariq's revocation was alerted at once; it is counted here, not held back for the digest.
    assert "- Revoked or suspended elsewhere: 1" in body
    assert "- City of Wolverhampton Council: 32" in body
    top = body[body.index("Most at stake (10 of 32):"):]
    with crosscheck.unit_of_work(write=False) as uow:
        tariq = uow.session.execute(select(Finding).where(Finding.type == "out_of_area")
                                    .order_by(Finding.stake.desc())).scalars().first()
    assert top.split("\n")[1].startswith("1. ") and "Refused or revoked where they live" in top.split("\n")[2]
    assert f"/findings/{tariq.id}" in "\n".join(top.split("\n")[:6])
    assert top.count("127.0.0.1:8000/findings/") == 10  # ten findings, each with its link
    # Manchester's own record in full; Wolverhampton's by authority, record and whom to ask.
    assert "tariq mahmood: private hire driver licence m1" in body.lower()
    assert "DRIVERA0" not in body and "W100" not in body and "licence W1" not in body
    assert "ask licensing@wolverhampton.example" in body


def test_the_next_digest_says_only_what_is_new_and_reaches_the_smtp_server(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(*[commuter(n) for n in range(20)]))
    digest.send_digests(crosscheck)
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(*[commuter(n) for n in range(25)]))
    assert digest.send_digests(crosscheck) == 1
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        report = outbox.send_due_emails(
            crosscheck, SmtpBackend("127.0.0.1", controller.port, starttls=False, sender="alerts@crosscheck.example"))
    finally:
        controller.stop()
    assert report.sent == 2
    second = relay.received[-1]
    assert second["Subject"] == "Crosscheck daily digest: 5 new or changed, 25 open for Manchester City Council"
    text = second.get_content()
    assert "- Licensed out of area: 5 opened" in text and "since the last digest (" in text
    assert digest.send_digests(crosscheck) == 0  # nothing new since


def test_findings_an_authority_has_dealt_with_are_not_counted_as_open(crosscheck, web, keys):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(*[commuter(n) for n in range(3)]))
    found = web.get("/api/v1/findings", headers=bearer(keys[MANCHESTER])).json["findings"]
    web.post(f"/api/v1/findings/{found[0]['id']}/dismiss", headers=bearer(keys[MANCHESTER]),
             json={"reason": "Known to us"})
    digest.send_digests(crosscheck)
    (sent,) = digests(crosscheck)
    assert "Open for your authority now: 2" in sent.body and "3 opened" in sent.body


def test_the_digest_is_an_email_a_mail_client_opens_from_the_local_outbox(crosscheck, web, keys, tmp_path):
    send(crosscheck, web, keys[WOLVERHAMPTON], feed(*[commuter(n) for n in range(12)]))
    digest.send_digests(crosscheck)
    assert outbox.send_due_emails(crosscheck, OutboxDirectoryBackend(tmp_path)).sent == 1
    (saved,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(saved.read_bytes(), policy=email.policy.default)
    assert message["To"] == "enforcement@manchester.example"
    text = message.get_content()
    assert "Most at stake (10 of 12):" in text and text.count("/findings/") == 10
