"""The statutory register's part of the pages' small register: a decision Wolverhampton recorded
about Tariq, and what Manchester sent Wolverhampton about Tariq's licence W1 (a concern, a request
for detail, an immediate suspension). Bolton is the other authority that may see none of it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from licensing.actors import Actor, ActorKind, Role
from licensing.clock import london_today
from licensing.services import concerns, decisions, detail_requests, pipeline, suspensions
from licensing.store.findings import Finding
from licensing.store.models import Licence
from tests.integration.pages.register import MANCHESTER, WOLVERHAMPTON


def officer_of(code: str, role: Role) -> Actor:
    return Actor(kind=ActorKind.OFFICER, authority_code=code, role=role)


def tariq_decision(**more) -> decisions.DecisionInput:
    decided = london_today() - timedelta(days=30)
    values = {"decision": "suspended", "licence_type": "private_hire_driver", "decided_on": decided,
              "effective_from": decided, "grounds": "safeguarding", "surname": "Mahmood", "forenames": "Tariq",
              "date_of_birth": decided.replace(year=1979, month=3, day=15), "licence_number": "W1",
              "reason": "Harassment of a passenger reported by the police"} | more
    return decisions.DecisionInput(**values)


def load_statutory(crosscheck) -> dict:
    manchester = officer_of(MANCHESTER, Role.LICENSING_OFFICER)
    with crosscheck.unit_of_work() as uow:
        w1 = uow.session.execute(select(Licence.id).where(Licence.licence_number == "W1")).scalar_one()
    with crosscheck.unit_of_work() as uow:
        decision = decisions.record_decision(uow, officer_of(WOLVERHAMPTON, Role.LICENSING_OFFICER),
                                             tariq_decision()).id
    with crosscheck.unit_of_work() as uow:
        concern = concerns.raise_concern(uow, manchester, concerns.ConcernInput(
            category="safeguarding", what_happened="A passenger reported unwanted comments", where="Deansgate",
            how_known="complaint", became_aware_on=london_today(), licence_id=w1)).id
    with crosscheck.unit_of_work() as uow:
        asked = detail_requests.request_detail(uow, manchester, question="What did your licence record show?",
                                               licence_id=w1).id
    with crosscheck.unit_of_work() as uow:
        suspension = suspensions.suspend_immediately(uow, officer_of(MANCHESTER, Role.ENFORCEMENT_OFFICER),
                                                     licence_id=w1, grounds="safeguarding",
                                                     reason="Seen driving a passenger while unfit", officer_name="J Officer").id
    pipeline.process_feeds(crosscheck)  # the findings refresh: the concern reaches Wolverhampton as a finding
    with crosscheck.unit_of_work(write=False) as uow:
        concern_finding = uow.session.execute(select(Finding.id).where(Finding.type == "concern_shared")).scalar_one()
    return {"decision": decision, "concern": concern, "request": asked, "suspension": suspension,
            "concern_finding": concern_finding, "licence": w1}
