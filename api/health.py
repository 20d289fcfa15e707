"""Liveness and readiness for the load balancer and the operator. Deliberately unauthenticated."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from licensing.store.migrate import current_revision, head_revision

health = Blueprint("health", __name__)
health.unauthenticated = True


@health.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@health.get("/readyz")
def readyz():
    engine = current_app.extensions["crosscheck"].engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(engine)
    except Exception:
        current_app.logger.exception("readiness check could not reach the database")
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    head = head_revision()
    if revision != head:
        return jsonify({"status": "unavailable", "database": "reachable",
                        "migrations": {"current": revision, "head": head}}), 503
    return jsonify({"status": "ready", "database": "reachable", "migrations": {"current": revision, "head": head}})
