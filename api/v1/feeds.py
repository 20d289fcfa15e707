from flask import current_app, jsonify, request, url_for
from marshmallow import Schema, fields

from api.auth import require_authority, current_caller
from api.v1 import api_v1
from licensing.services import authorities as authority_service
from licensing.services import feeds as feed_service
from licensing.services.feed_progress import feed_progress


class FeedProblemSchema(Schema):
    row = fields.Integer(allow_none=True)
    field = fields.String(allow_none=True)
    message = fields.String()
    severity = fields.String()


class FeedSchema(Schema):
    id = fields.Integer()
    authority_code = fields.String()
    source = fields.String()
    status = fields.String()
    message = fields.String(allow_none=True)
    received_at = fields.DateTime()
    applied_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    total_rows = fields.Integer(allow_none=True)
    counts = fields.Method("_counts")
    findings = fields.Method("_findings")
    problems = fields.Method("_problems")

    def _counts(self, feed):
        return {name: getattr(feed, name) for name in ("added", "changed", "unchanged", "ended", "rejected")}

    def _findings(self, feed):
        if feed.findings_at is None:
            return None
        return {"opened": feed.findings_opened, "updated": feed.findings_updated, "closed": feed.findings_closed,
                "alerts_queued": feed.alerts_queued, "alerts_held": feed.alerts_held}

    def _problems(self, feed):
        return FeedProblemSchema(many=True).dump(feed.problems or [])


class StageSchema(Schema):
    stage = fields.String()
    state = fields.String()
    at = fields.DateTime(allow_none=True)
    detail = fields.String(allow_none=True)


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _feed_json(uow, feed) -> dict:
    stages, warnings = feed_progress(uow, feed)
    return {**FeedSchema().dump(feed), "stages": StageSchema(many=True).dump(stages), "warnings": warnings}


@api_v1.post("/feeds/licences")
def post_licence_feed():
    caller = require_authority()
    with _crosscheck().unit_of_work() as uow:
        feed_id = feed_service.receive_feed(
            uow, authority_code=caller.authority_code, body=request.get_data(cache=False),
            content_type=request.content_type, source="push", api_key_id=caller.key_id)
        warnings = authority_service.delivery_warnings(authority_service.get_authority(uow, caller.authority_code))
    location = url_for("api_v1.get_feed", feed_id=feed_id)
    response = jsonify({"id": feed_id, "status": feed_service.RECEIVED, "href": location, "warnings": warnings})
    response.status_code = 202
    response.headers["Location"] = location
    return response


@api_v1.get("/feeds/<int:feed_id>")
def get_feed(feed_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        feed = feed_service.get_feed(uow, current_caller(), feed_id)
        return jsonify(_feed_json(uow, feed))


@api_v1.post("/feeds/<int:feed_id>/confirm")
def confirm_feed(feed_id: int):
    with _crosscheck().unit_of_work() as uow:
        feed = feed_service.confirm_feed(uow, require_authority(), feed_id)
        response = jsonify(_feed_json(uow, feed))
    response.status_code = 202
    return response
