from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.v1 import api_v1
from api.v1.paging import PageArgs, page_links
from licensing.services import findings as finding_service
from licensing.store.findings import ACKNOWLEDGED, ACTIONED, CLOSED, DISMISSED, OPEN

FINDING_TYPES = ("out_of_area", "adverse_elsewhere", "multiple_licences", "identity_conflict", "concern_shared")
STATUSES = (OPEN, ACKNOWLEDGED, ACTIONED, DISMISSED, CLOSED)


class FindingListArgs(PageArgs):
    type = fields.List(fields.String(validate=validate.OneOf(FINDING_TYPES)), load_default=list)
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=list)


class FindingEventSchema(Schema):
    kind = fields.String()
    at = fields.DateTime()
    authority_code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class FindingSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    status = fields.String()
    severity = fields.String()
    summary = fields.String()
    evidence = fields.List(fields.String())
    licence_ids = fields.List(fields.Integer())
    driver_ids = fields.List(fields.Integer())
    opened_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    status_changed_at = fields.DateTime(allow_none=True)
    status_changed_by_authority = fields.String(allow_none=True)
    status_reason = fields.String(allow_none=True)


class FindingDetailSchema(FindingSchema):
    for_authorities = fields.List(fields.String())
    visible_to = fields.List(fields.String())
    history = fields.List(fields.Nested(FindingEventSchema))


class StatusChangeSchema(Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _args():
    raw = {key: request.args.getlist(key) if key in ("type", "status") else value
           for key, value in request.args.items()}
    return FindingListArgs().load(raw)


@api_v1.get("/findings")
def list_findings():
    args = _args()
    with _crosscheck().unit_of_work(write=False) as uow:
        found, total = finding_service.list_findings(uow, current_caller(), types=args["type"],
                                                     statuses=args["status"], page=args["page"],
                                                     page_size=args["page_size"])
        return jsonify({"findings": FindingSchema(many=True).dump(found),
                        **page_links(total, args["page"], args["page_size"])})


def _detail(uow, finding):
    roles, events = finding_service.finding_details(uow, finding)
    data = FindingSchema().dump(finding)
    data["for_authorities"] = roles.get("for", [])
    data["visible_to"] = sorted(set(roles.get("visible", [])) | set(roles.get("for", [])))
    data["history"] = FindingEventSchema(many=True).dump(events)
    return data


@api_v1.get("/findings/<int:finding_id>")
def get_finding(finding_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify(_detail(uow, finding_service.get_finding(uow, current_caller(), finding_id)))


def _change(finding_id: int, status: str):
    body = StatusChangeSchema().load(request.get_json(silent=True) or {})
    with _crosscheck().unit_of_work() as uow:
        finding = finding_service.change_finding_status(uow, current_caller(), finding_id, status, body["reason"])
        return jsonify(_detail(uow, finding))


@api_v1.post("/findings/<int:finding_id>/acknowledge")
def acknowledge_finding(finding_id: int):
    return _change(finding_id, ACKNOWLEDGED)


@api_v1.post("/findings/<int:finding_id>/action")
def action_finding(finding_id: int):
    return _change(finding_id, ACTIONED)


@api_v1.post("/findings/<int:finding_id>/dismiss")
def dismiss_finding(finding_id: int):
    return _change(finding_id, DISMISSED)
