"""The contract holds under fuzzing: schemathesis sends every operation in openapi.yaml (so routes
added later are covered without touching this test) to the app served over real HTTP, as two
authorities and the operator, with every check on, and finds nothing wrong. Seeded, so a failure
found in CI is found again on a laptop."""

from __future__ import annotations

import json
import threading
from collections import defaultdict

import pytest
import schemathesis
from schemathesis.engine import events, from_schema
from werkzeug.serving import WSGIRequestHandler, make_server

from api.app import create_app
from licensing.services import pipeline
from tests.integration.test_service_basics import a_beating_scheduler
from tests.conftest import bearer
from tests.contract import SPEC_PATH, spec
from tests.feeds import feed

WOLVERHAMPTON, MANCHESTER = "E08000031", "E08000003"
# Manchester revoked him; Wolverhampton licenses him and he lives in Manchester: a driver, two
# licences and findings for each authority, so that ids the fuzzer draws can name real records.
TARIQ_WOLVERHAMPTON = "W1,private_hire_driver,active,2025-01-10,2028-01-10,MAHMOOD,Tariq,1979-03-15,MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA"
TARIQ_MANCHESTER_REVOKED = "M1,private_hire_driver,revoked,2021-06-01,2024-06-01,Mahmood,Tariq,15/03/1979,MAHMO703159T99AB,JX112233C,7 Platt Lane,M14 5AA"
EXAMPLES_PER_OPERATION = 8
STATEFUL_SCENARIOS = 10
SEED = 20261201


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the app's own access log is the one that counts
        pass


@pytest.fixture
def served(crosscheck):
    app = create_app(crosscheck)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _seed(crosscheck, app, keys) -> None:
    client = app.test_client()
    for code, row in ((WOLVERHAMPTON, TARIQ_WOLVERHAMPTON), (MANCHESTER, TARIQ_MANCHESTER_REVOKED)):
        response = client.post("/api/v1/feeds/licences", data=feed(row),
                               headers={**bearer(keys[code]), "Content-Type": "text/csv"})
        assert response.status_code == 202
    pipeline.process_feeds(crosscheck)


def _failures(run) -> tuple[dict[tuple[str, str], set[str]], set[str]]:
    found, tested = defaultdict(set), set()
    for event in run:
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        found[(event.recorder.label, check.name)].add(
                            f"{failure.title}: {failure.message}\n    {check.failure_info.code_sample}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            found[(getattr(event, "label", "engine"), "error")].add(str(getattr(event, "info", event)))
    return found, tested


STATUTORY_OPERATIONS = (
    "POST /api/v1/decisions", "PATCH /api/v1/decisions/{decision_id}", "POST /api/v1/concerns",
    "POST /api/v1/concerns/{concern_id}/outcome", "POST /api/v1/detail-requests",
    "POST /api/v1/detail-requests/{request_id}/answer", "POST /api/v1/immediate-suspensions",
    "POST /api/v1/immediate-suspensions/{suspension_id}/response", "POST /api/v1/feeds/decisions",
)


def test_every_operation_holds_under_fuzzing_as_two_authorities_and_the_operator(crosscheck, served, api_key,
                                                                                 tmp_path):
    app, base_url = served
    keys = {WOLVERHAMPTON: api_key(WOLVERHAMPTON), MANCHESTER: api_key(MANCHESTER), None: api_key(None)}
    _seed(crosscheck, app, keys)
    a_beating_scheduler(crosscheck)  # a service with its jobs worker, as it runs: /readyz is ready
    # Each operation is tried as the first identity that it admits; the two authorities are peers,
    # so one's records served to the other would be an object-level authorisation failure.
    users = {"wolverhampton": keys[WOLVERHAMPTON], "manchester": keys[MANCHESTER], "operator": keys[None]}
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auth": [
        {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {key}"}]}
        for name, key in users.items()]}))
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        # No memory of earlier runs: every run tries the same cases.
        "cache": {"enabled": False},
        "base-url": base_url,
        "workers": 1,
        "auth": {"wfc": {"path": str(auth), "peers": ["wolverhampton", "manchester"]}},
        "checks": {"enabled": True},
        "generation": {"max-examples": EXAMPLES_PER_OPERATION},
        # Chains of calls (create a feed, then read and confirm it): few, as they cost the most.
        "phases": {"stateful": {"generation": {"max-examples": STATEFUL_SCENARIOS}}},
        "operations": [{
            # The contract says in words that the two records must differ, which JSON Schema cannot
            # say; a decision about one record and itself is refused (400), so for this operation
            # alone a schema-valid body may be refused.
            "include-name": "POST /api/v1/identity/decisions",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]}},
        }, *[{
            # The statutory register's requests carry rules across fields and records that JSON
            # Schema cannot state: a concern or request names exactly one of a person, a licence, a
            # decision or a finding, of the right authority, in the right state (docs/statutory-duties.md).
            # A schema-valid body may be refused (400) for these alone; every other check still holds.
            "include-name": name,
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409",
                                                                          "415"]}},
        } for name in STATUTORY_OPERATIONS], {
            # Bytes whose content contradicts their Content-Type (JSON sent as text/csv) are refused
            # with what they look like and what to send instead (415, docs/feeds.md).
            "include-name": "POST /api/v1/feeds/licences",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "415"]}},
        }],
    })
    schema = schemathesis.openapi.from_path(str(SPEC_PATH), config=config)

    failures, tested = _failures(from_schema(schema).execute())

    report = "\n".join(f"{label} [{check}]\n  " + "\n  ".join(sorted(messages))
                       for (label, check), messages in sorted(failures.items()))
    assert not failures, f"{len(failures)} kinds of failure:\n{report}"
    documented = {f"{method.upper()} {path}" for path, item in spec()["paths"].items()
                  for method in item if method != "parameters"}
    assert documented <= tested, f"never tried: {sorted(documented - tested)}"
