from flask import current_app, jsonify

from api.auth import require_operator
from api.v1 import api_v1
from licensing.services.operations import service_status


@api_v1.get("/status")
def status():
    require_operator()
    return jsonify(service_status(current_app.extensions["crosscheck"]))
