from flask import Response, current_app, jsonify, request, url_for
from marshmallow import Schema, fields

from api.auth import require_authority, current_caller
from api.bounds import FEED_BODY_LIMIT, body_limit
from api.v1 import api_v1
from licensing.errors import DomainError
from licensing.feeds.sniff import CONTENT_TYPES, EXTENSIONS, XLSX, looks_like
from licensing.feeds.templates import template_csv, template_xlsx
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
    kind = fields.String()
    status = fields.String()
    message = fields.String(allow_none=True)
    received_at = fields.DateTime()
    applied_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    total_rows = fields.Integer(allow_none=True)
    counts = fields.Method("_counts")
    interpreted = fields.Method("_interpreted")
    findings = fields.Method("_findings")
    problems = fields.Method("_problems")

    def _counts(self, feed):
        return {name: getattr(feed, name) for name in ("added", "changed", "unchanged", "ended", "rejected")}

    def _interpreted(self, feed):
        return feed.interpreted or {}

    def _findings(self, feed):
        if feed.findings_at is None:
            return None
        return {"opened": feed.findings_opened, "updated": feed.findings_updated, "closed": feed.findings_closed,
                "alerts_queued": feed.alerts_queued, "alerts_held": feed.alerts_held}

    def _problems(self, feed):
        return FeedProblemSchema(many=True).dump(feed.problems or [])


class MissingUpload(DomainError):
    code = "missing_file"


class StageSchema(Schema):
    stage = fields.String()
    state = fields.String()
    at = fields.DateTime(allow_none=True)
    detail = fields.String(allow_none=True)


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _posted_feed() -> tuple[bytes, str | None]:
    """The feed's bytes and content type, sent as the body or as a multipart file upload
    (curl -F file=@register.xlsx), whose type is told by its file name, its part, or its bytes."""
    if request.mimetype != "multipart/form-data":
        return request.get_data(cache=False), request.content_type
    upload = request.files.get("file") or next(iter(request.files.values()), None)
    if upload is None:
        raise MissingUpload("The form holds no file: send the register as the form's file field, "
                            "for example curl -F file=@register.csv")
    body = upload.read()
    name = (upload.filename or "").lower()
    by_name = next((kind for ending, kind in EXTENSIONS.items() if name.endswith(ending)), None)
    if by_name:
        return body, by_name
    if upload.mimetype in CONTENT_TYPES:
        return body, upload.mimetype
    sniffed = looks_like(body)
    return body, sniffed if sniffed in CONTENT_TYPES else upload.mimetype


class BadQuery(DomainError):
    code = "bad_query"


def _query_flag(name: str) -> bool:
    """A true/false query parameter; anything else is refused, never read as false."""
    raw = request.args.getlist(name)
    if not raw:
        return False
    if len(raw) == 1 and raw[0] in ("true", "false"):
        return raw[0] == "true"
    raise BadQuery(f"{name} must be true or false, once")


def _feed_json(uow, feed) -> dict:
    stages, warnings = feed_progress(uow, feed)
    return {**FeedSchema().dump(feed), "stages": StageSchema(many=True).dump(stages), "warnings": warnings}


@api_v1.post("/feeds/licences")
@body_limit(FEED_BODY_LIMIT)
def post_licence_feed():
    caller = require_authority()
    body, content_type = _posted_feed()
    if _query_flag("dry_run"):
        with _crosscheck().unit_of_work(write=False) as uow:
            return jsonify(feed_service.dry_run_feed(
                uow, authority_code=caller.authority_code, body=body, content_type=content_type,
                hold_share=_crosscheck().settings.feed_hold_share))
    with _crosscheck().unit_of_work() as uow:
        feed_id = feed_service.receive_feed(
            uow, authority_code=caller.authority_code, body=body,
            content_type=content_type, source="push", api_key_id=caller.key_id)
        return _received(uow, caller, feed_id)


def _received(uow, caller, feed_id: int):
    """202 with where to follow the feed, and what the authority must put right for its alerts to
    reach it (no team address: they are held)."""
    warnings = authority_service.delivery_warnings(authority_service.get_authority(uow, caller.authority_code))
    location = url_for("api_v1.get_feed", feed_id=feed_id)
    response = jsonify({"id": feed_id, "status": feed_service.RECEIVED, "href": location, "warnings": warnings})
    response.status_code = 202
    response.headers["Location"] = location
    return response


@api_v1.get("/feeds/template.csv")
def feed_template_csv():
    return Response(template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=crosscheck-feed-template.csv"})


@api_v1.get("/feeds/template.xlsx")
def feed_template_xlsx():
    return Response(template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=crosscheck-feed-template.xlsx"})


@api_v1.post("/feeds/decisions")
@body_limit(FEED_BODY_LIMIT)
def post_decision_feed():
    """The authority's decisions as CSV (licensing.services.decision_feeds); ?import=true for a
    one-off import of its historic decisions."""
    caller = require_authority()
    source = "import" if _query_flag("import") else "push"
    with _crosscheck().unit_of_work() as uow:
        feed_id = feed_service.receive_feed(
            uow, authority_code=caller.authority_code, body=request.get_data(cache=False),
            content_type=request.content_type, source=source, api_key_id=caller.key_id, kind=feed_service.DECISIONS)
        return _received(uow, caller, feed_id)


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
