"""Liveness and readiness for the load balancer and the operator. Deliberately unauthenticated."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from licensing.services.scheduler_health import scheduler_health
from licensing.store.migrate import current_revision, head_revision

health = Blueprint("health", __name__)
health.unauthenticated = True


@health.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@health.get("/readyz")
def readyz():
    """Ready means the register keeps working by itself: the database is reachable at the latest
    schema and a jobs worker is beating, since without one every feed waits for ever."""
    crosscheck = current_app.extensions["crosscheck"]
    engine = crosscheck.engine
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
    with crosscheck.unit_of_work(write=False) as uow:
        scheduler = scheduler_health(uow, stale_seconds=crosscheck.settings.scheduler_stale_seconds)
    # No host or pid here: the check is unauthenticated. The operator's status has them.
    answer = {"database": "reachable", "migrations": {"current": revision, "head": head},
              "scheduler": {"state": scheduler.state, "last_heartbeat_at": scheduler.last_heartbeat_at,
                            "reason": scheduler.reason}}
    if not scheduler.healthy:
        return jsonify({"status": "unavailable", **answer}), 503
    return jsonify({"status": "ready", **answer})
