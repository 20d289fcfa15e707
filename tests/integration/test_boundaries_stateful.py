"""Random sequences of feeds, searches, driver views, identity decisions and finding actions by
three authorities (hypothesis, stateful). After every step: no authority has changed another's
licences or handling of a finding, and none was shown more of another's records than
docs/privacy.md allows."""

from __future__ import annotations

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from licensing import disclosure
from licensing.store.findings import FindingEvent, FindingHandling
from licensing.store.models import IdentityDecision, IdentityLink, Licence
from tests.conftest import bearer
from tests.feeds import feed
from tests.integration.boundaries import BOLTON, MANCHESTER, WOLVERHAMPTON

AUTHORITIES = (WOLVERHAMPTON, MANCHESTER, BOLTON)
PREFIX = {WOLVERHAMPTON: "W", MANCHESTER: "M", BOLTON: "B"}
# Three people, each recorded a little differently by each authority.
PEOPLE = (
    ("HUSSAIN", ("Mohammed Imran", "Muhammad Imran", "Mohd Imran"), "1984-07-09", "HUSSA807094MI9AB", "M14 5AA"),
    ("MAHMOOD", ("Tariq", "Tariq", "Tarik"), "1979-03-15", "MAHMO703159T99AB", "M14 5AA"),
    ("EVANS", ("Gareth", "Gareth John", "Gareth"), "1970-01-01", "EVANS701010G99CD", "BL1 4AA"),
)
STATUSES = ("active", "active", "revoked", "suspended")
# What the register holds of a licence as its authority reported it.
REPORTED = (Licence.authority_code, Licence.licence_number, Licence.licence_type, Licence.status, Licence.surname,
            Licence.forenames, Licence.date_of_birth, Licence.driving_licence_number, Licence.postcode,
            Licence.ended_at)


def _row(authority: str, person: int, status: str) -> str:
    surname, forenames, born, dln, postcode = PEOPLE[person]
    variant = AUTHORITIES.index(authority)
    return (f"{PREFIX[authority]}{person}0{variant},private_hire_driver,{status},2023-01-01,2027-01-01,{surname},"
            f"{forenames[variant]},{born},{dln},,1 High Street,{postcode}")


def _run(crosscheck, web, api_key):
    keys = {code: api_key(code) for code in AUTHORITIES}

    class Boundaries(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.acted = None  # (authority, what) of the last step
            self.before = self._snapshot()

        def _snapshot(self):
            with crosscheck.unit_of_work(write=False) as uow:
                licences = {code: sorted(map(tuple, uow.session.execute(
                    select(*REPORTED).where(Licence.authority_code == code)).all()), key=str) for code in AUTHORITIES}
                handling = {code: sorted(uow.session.execute(
                    select(FindingHandling.finding_id, FindingHandling.status, FindingHandling.reason)
                    .where(FindingHandling.authority_code == code)).all()) for code in AUTHORITIES}
                last_event = uow.session.execute(select(FindingEvent.id).order_by(FindingEvent.id.desc())).scalar()
            return {"licences": licences, "handling": handling, "last_event": last_event or 0}

        def _values(self, caller: str) -> tuple[set[str], set[str]]:
            """The caller's own values of the fields docs/privacy.md keeps from others, and the
            other authorities' values of them."""
            with crosscheck.unit_of_work(write=False) as uow:
                rows = uow.session.execute(select(Licence)).scalars().all()

            def values(of):
                return {str(getattr(l, f)) for l in rows if of(l) for f in disclosure.NEVER_SHOWN_TO_OTHERS
                        if getattr(l, f) is not None}
            return values(lambda l: l.authority_code == caller), values(lambda l: l.authority_code != caller)

        def _check_shown(self, caller: str, response) -> None:
            own, others = self._values(caller)
            text = response.get_data(as_text=True)
            for value in sorted(own, key=len, reverse=True):  # the caller's own records may say anything
                text = text.replace(value, "")
            shown = [value for value in others if value in text]
            assert shown == [], f"{caller} was shown {shown}"

        @rule(authority=st.sampled_from(AUTHORITIES),
              held=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(STATUSES)), max_size=3,
                            unique_by=lambda held: held[0]))
        def send_a_feed(self, authority, held):
            body = feed(*(_row(authority, person, status) for person, status in held))
            web.post("/api/v1/feeds/licences", data=body, headers={**bearer(keys[authority]), "Content-Type": "text/csv"})
            from licensing.services import pipeline
            pipeline.process_feeds(crosscheck)
            self.acted = (authority, "feed")

        @rule(authority=st.sampled_from(AUTHORITIES), person=st.integers(0, 2))
        def search(self, authority, person):
            surname, forenames, born, _, _ = PEOPLE[person]
            response = web.post("/api/v1/searches", headers=bearer(keys[authority]), json={
                "surname": surname, "forenames": forenames[0], "date_of_birth": born, "reason": "enforcement"})
            assert response.status_code == 200
            self._check_shown(authority, response)
            for hit in response.json["results"][:1]:
                self._check_shown(authority, web.get(f"/api/v1/drivers/{hit['driver_id']}",
                                                     headers=bearer(keys[authority])))
            self.acted = (authority, "read")

        @rule(authority=st.sampled_from(AUTHORITIES), data=st.data(), verdict=st.sampled_from(("same", "different")))
        def decide(self, authority, data, verdict):
            with crosscheck.unit_of_work(write=False) as uow:
                licences = uow.session.execute(select(Licence).order_by(Licence.id)).scalars().all()
                if len(licences) < 2:
                    return
                a, b = sorted(data.draw(st.lists(st.sampled_from(licences), min_size=2, max_size=2,
                                                 unique_by=lambda l: l.id)), key=lambda l: l.id)
                standing = authority in (a.authority_code, b.authority_code) and (
                    a.authority_code == b.authority_code or (a.driver_id is not None and a.driver_id == b.driver_id)
                    or uow.session.get(IdentityLink, (a.id, b.id)) is not None
                    or uow.session.execute(select(IdentityDecision.id).where(
                        IdentityDecision.licence_a == a.id, IdentityDecision.licence_b == b.id)).first() is not None)
            response = web.post("/api/v1/identity/decisions", headers=bearer(keys[authority]), json={
                "licence_a": a.id, "licence_b": b.id, "verdict": verdict, "reason": "Checked with the other council"})
            assert response.status_code == (201 if standing else 404)
            self.acted = (authority, "decision")

        @rule(authority=st.sampled_from(AUTHORITIES), action=st.sampled_from(("acknowledge", "action", "dismiss")),
              pick=st.integers(0, 5))
        def handle_a_finding(self, authority, action, pick):
            found = web.get("/api/v1/findings", headers=bearer(keys[authority])).json["findings"]
            if not found:
                return
            finding = found[pick % len(found)]
            response = web.post(f"/api/v1/findings/{finding['id']}/{action}", headers=bearer(keys[authority]),
                                json={"reason": f"{authority} did what was needed"})
            assert response.status_code in (200, 409)
            self._check_shown(authority, response)
            self.acted = (authority, "handling")

        @invariant()
        def no_authority_changed_anothers_licences_or_handling(self):
            after = self._snapshot()
            actor, what = self.acted or (None, None)
            with crosscheck.unit_of_work(write=False) as uow:
                reopened = set(uow.session.execute(select(FindingEvent.finding_id).where(
                    FindingEvent.id > self.before["last_event"], FindingEvent.kind == "reopened")).scalars())
            for code in AUTHORITIES:
                if not (code == actor and what == "feed"):
                    assert after["licences"][code] == self.before["licences"][code], f"{actor} changed {code}'s licences"
                if code != actor:
                    # Only the register itself touches another's handling: a fact that returns
                    # is looked at afresh by everyone.
                    kept = [h for h in self.before["handling"][code] if h[0] not in reopened]
                    assert [h for h in after["handling"][code] if h[0] not in reopened] == kept, \
                        f"{actor} changed {code}'s handling"
            self.before, self.acted = after, None

    run_state_machine_as_test(Boundaries, settings=settings(
        max_examples=6, stateful_step_count=10, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck)))


def test_no_authority_changes_or_reads_more_of_anothers_records(crosscheck, web, api_key):
    _run(crosscheck, web, api_key)
