"""openapi.yaml kept true: every response the tests provoke is checked against it."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml
from flask.testing import FlaskClient

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"


@cache
def spec() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text())


def _resolve(node, root):
    """Inline $refs and turn OpenAPI 3.0's `nullable` into JSON Schema."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = root
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(target, root)
        resolved = {key: _resolve(value, root) for key, value in node.items() if key != "nullable"}
        if node.get("nullable"):
            return {"anyOf": [resolved, {"type": "null"}]}
        return resolved
    if isinstance(node, list):
        return [_resolve(item, root) for item in node]
    return node


def path_pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


@cache
def _operations() -> list[tuple[re.Pattern, str, dict]]:
    root = spec()
    return [(path_pattern(path), method, _resolve(operation, root))
            for path, item in root["paths"].items()
            for method, operation in item.items() if method != "parameters"]


class ContractViolation(AssertionError):
    pass


def check_response(method: str, path: str, response) -> None:
    candidates = [op for pattern, m, op in _operations() if m == method.lower() and pattern.match(path)]
    if not candidates:
        raise ContractViolation(f"{method} {path} is not in openapi.yaml")
    operation = candidates[0]
    documented = operation["responses"].get(str(response.status_code))
    if documented is None:
        raise ContractViolation(f"{method} {path} answered {response.status_code}, which openapi.yaml does not list")
    for header in documented.get("headers", {}):
        if header not in response.headers:
            raise ContractViolation(f"{method} {path} {response.status_code} lacks the documented {header} header")
    content = documented.get("content", {})
    if not content:
        return
    media_type = response.mimetype
    if media_type not in content:
        raise ContractViolation(f"{method} {path} {response.status_code} sent {media_type}, not {list(content)}")
    if media_type == "application/json":
        try:
            jsonschema.validate(response.get_json(), content[media_type]["schema"],
                                format_checker=jsonschema.FormatChecker())
        except jsonschema.ValidationError as error:
            raise ContractViolation(f"{method} {path} {response.status_code}: {error.message}") from None


class ContractClient(FlaskClient):
    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        path = urlsplit(request.path).path
        if path.startswith("/api/") or path in ("/healthz", "/readyz"):
            check_response(request.method, path, response)
        return response
