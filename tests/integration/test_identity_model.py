"""The match model estimated from the register: stored as a version with its diagnostics and what it
would change, used only once an operator adopts it, named on every link it makes; officers'
decisions bind it; the nightly job estimates and never adopts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crosscheck.cli import main
from jobs.schedule import SCHEDULE
from licensing.services import feeds, identity, pipeline
from licensing.store.identity_models import IdentityModel, adopted_model
from licensing.store.models import IdentityDecision, IdentityLink, Licence
from licensing.synthetic import feed_csv, generate_register

COUNCILS = ("E08000031", "E08000003", "E08000001")


@pytest.fixture
def register(crosscheck):
    synthetic = generate_register(seed=5, authority_codes=list(COUNCILS), licences=600)
    for code in COUNCILS:
        with crosscheck.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=code, body=feed_csv(synthetic.feed_rows(code)),
                               content_type="text/csv", source="import")
    pipeline.process_feeds(crosscheck)
    return synthetic


@pytest.fixture
def run(settings, monkeypatch):
    for name, value in settings.env.items():
        monkeypatch.setenv(name, value)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def drivers(crosscheck) -> dict[int, int]:
    with crosscheck.unit_of_work(write=False) as uow:
        return dict(uow.session.execute(select(Licence.id, Licence.driver_id)).all())


def link_versions(crosscheck) -> set[str]:
    with crosscheck.unit_of_work(write=False) as uow:
        return set(uow.session.execute(select(IdentityLink.model_version)).scalars())


def test_an_estimated_model_changes_nothing_until_adopted_and_then_names_itself_on_every_link(
        crosscheck, register, run):
    before = drivers(crosscheck)
    assert link_versions(crosscheck) == {"packaged"}

    result = run("identity", "estimate")
    assert result.exit_code == 0, result.output
    assert "Model version 1 estimated" in result.output and "would be linked" in result.output
    with crosscheck.unit_of_work(write=False) as uow:
        estimated = uow.session.get(IdentityModel, 1)
        assert adopted_model(uow.session) is None
        diagnostics, changes = estimated.diagnostics, estimated.changes
    with crosscheck.unit_of_work(write=False) as uow:
        driver_records = len(uow.session.execute(select(Licence.id).where(
            Licence.licence_type.in_(identity.DRIVER_TYPES))).all())
    assert estimated.compared_with == "packaged" and estimated.records == driver_records
    assert {s["trained_on"] for s in diagnostics["sessions"]} == {"same licence number", "same date of birth",
                                                                  "same surname and forename"}
    assert all(s["iterations"] >= 1 for s in diagnostics["sessions"])
    assert abs(sum(diagnostics["band_shares"].values()) - 1) < 1e-9
    assert set(changes) == {"links_added", "links_removed", "sent_to_review", "in_review"}
    assert drivers(crosscheck) == before  # estimating changes nothing

    # An officer splits one linked pair; the new model must keep it split.
    with crosscheck.unit_of_work(write=False) as uow:
        a, b = uow.session.execute(select(IdentityLink.licence_a, IdentityLink.licence_b)
                                   .where(IdentityLink.linked.is_(True)).limit(1)).one()
        authority = uow.session.get(Licence, a).authority_code
    with crosscheck.unit_of_work() as uow:
        uow.session.add(IdentityDecision(licence_a=a, licence_b=b, verdict="different", reason="Different people",
                                         decided_by_kind="api_key", decided_by_authority_code=authority))
        uow.commit()

    result = run("identity", "adopt", "1")
    assert result.exit_code == 0, result.output
    assert link_versions(crosscheck) == {"1"}
    after = drivers(crosscheck)
    assert after[a] != after[b]

    assert run("identity", "adopt", "1").exit_code == 2  # already in use
    assert run("identity", "adopt", "9").exit_code == 2  # no such version


def test_the_nightly_estimate_reports_and_never_adopts(crosscheck, register):
    job = next(job for job in SCHEDULE if job.name == "estimate_identity_model")
    before = drivers(crosscheck)
    summary = job.run(crosscheck)
    assert "not adopted" in summary
    with crosscheck.unit_of_work(write=False) as uow:
        assert adopted_model(uow.session) is None
        assert uow.session.get(IdentityModel, 1).estimated_by == "service (nightly)"
    assert drivers(crosscheck) == before and link_versions(crosscheck) == {"packaged"}
    identity.resolve_pending(crosscheck)
    assert link_versions(crosscheck) == {"packaged"}
