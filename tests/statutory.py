"""Keyword builders for the statutory register's tests: decisions, concerns, as authorities send them."""

from __future__ import annotations

from datetime import date, timedelta

from licensing.clock import london_today


def decision_body(*, decision: str = "refused", grounds: str = "safeguarding", surname: str = "Mahmood",
                  forenames: str = "Tariq", date_of_birth: str | None = "1979-03-15",
                  driving_licence_number: str | None = "MAHMO703159T99AB", licence_number: str | None = None,
                  licence_type: str = "private_hire_driver", decided_on: date | None = None,
                  reason: str = "Convicted of harassment of a passenger, March 2026", **more) -> dict:
    decided = decided_on or london_today() - timedelta(days=30)
    body = {"decision": decision, "licence_type": licence_type, "decided_on": decided.isoformat(),
            "effective_from": decided.isoformat(), "grounds": grounds, "surname": surname, "forenames": forenames,
            "date_of_birth": date_of_birth, "driving_licence_number": driving_licence_number,
            "licence_number": licence_number, "reason": reason}
    return {**body, **more}


def concern_body(*, licence_id: int | None = None, category: str = "safeguarding",
                 became_aware_on: date | None = None, **more) -> dict:
    body = {"licence_id": licence_id, "category": category,
            "what_happened": "Passenger reported unwanted sexual comments during a journey",
            "where": "Piccadilly Gardens, Manchester", "how_known": "complaint",
            "became_aware_on": (became_aware_on or london_today()).isoformat()}
    return {**body, **more}


TEAM_NAMES = {"E08000031": "wolverhampton", "E08000003": "manchester", "E08000001": "bolton", "S12000049": "glasgow"}


def keys_with_teams(crosscheck, api_key, codes) -> dict[str, str]:
    """An API key for each authority, each with enforcement and licensing team addresses set."""
    from licensing.actors import Actor
    from licensing.services.authorities import update_authority_settings

    with crosscheck.unit_of_work() as uow:
        for code in codes:
            name = TEAM_NAMES[code]
            update_authority_settings(uow, Actor.service(), code, {"enforcement_email": f"enforcement@{name}.example",
                                                                   "licensing_email": f"licensing@{name}.example"})
    return {code: api_key(code) for code in codes}
