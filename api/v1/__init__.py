from pathlib import Path

from flask import Blueprint, Response

from api.auth import require_api_key

api_v1 = Blueprint("api_v1", __name__)
api_v1.before_request(require_api_key)

# The contract is public; everything else under /api/v1 needs a key.
contract = Blueprint("api_contract", __name__)
contract.unauthenticated = True
OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"


@contract.get("/openapi.yaml")
def openapi_yaml():
    return Response(OPENAPI.read_bytes(), mimetype="application/yaml")


from api.v1 import authorities, concerns, decisions, detail_requests, drivers, feeds, findings, licences, notices, searches, status, suspensions  # noqa: E402,F401  (routes register on api_v1)
