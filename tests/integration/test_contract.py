"""The contract itself: valid OpenAPI, and the same routes as the app serves."""

import re

from openapi_spec_validator import validate

from api.app import create_app
from tests.contract import spec


def test_openapi_document_is_valid():
    validate(spec())


def test_every_route_is_documented_and_every_documented_route_exists(crosscheck):
    app = create_app(crosscheck)
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        # The officers' pages are HTML, not part of the API contract.
        for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] not in ("static", "pages", "sign_in")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in spec()["paths"].items() for method in item if method != "parameters"}
    assert served == documented
