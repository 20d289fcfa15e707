from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.bounds import json_body
from api.v1 import api_v1
from api.v1.paging import PageArgs, page_links
from api.v1.searches import LicenceSummarySchema
from licensing.findings import FINDING_TYPES
from licensing.services import findings as finding_service
from licensing.store.findings import CLOSED, HANDLING_STATUSES

STATUSES = (*HANDLING_STATUSES, CLOSED)


class FindingListArgs(PageArgs):
    type = fields.List(fields.String(validate=validate.OneOf(FINDING_TYPES)), load_default=list)
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=list)


class FindingEventSchema(Schema):
    kind = fields.String()
    at = fields.DateTime()
    by = fields.String()
    authority_code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    identity_decision_id = fields.Integer(allow_none=True)


class HandlingSchema(Schema):
    authority_code = fields.String()
    status = fields.String()
    changed_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    changed_by_kind = fields.String(allow_none=True)


class OthersHandlingSchema(Schema):
    authority_code = fields.String()
    status = fields.String()


class FindingSchema(Schema):
    id = fields.Integer()
    type = fields.String()
    state = fields.String()
    status = fields.String()
    severity = fields.String()
    summary = fields.String()
    evidence = fields.List(fields.String())
    licence_ids = fields.List(fields.Integer())
    driver_ids = fields.List(fields.Integer())
    licences = fields.List(fields.Nested(LicenceSummarySchema))
    handling = fields.Nested(HandlingSchema, allow_none=True)
    opened_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class FindingDetailSchema(FindingSchema):
    for_authorities = fields.List(fields.String())
    visible_to = fields.List(fields.String())
    others_handling = fields.List(fields.Nested(OthersHandlingSchema))
    history = fields.List(fields.Nested(FindingEventSchema))


class HandlingRequestSchema(Schema):
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


@api_v1.get("/findings/<int:finding_id>")
def get_finding(finding_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify(FindingDetailSchema().dump(finding_service.get_finding(uow, current_caller(), finding_id)))


def _handle(finding_id: int, action: str):
    body = HandlingRequestSchema().load(json_body(optional=True))
    with _crosscheck().unit_of_work() as uow:
        view = finding_service.handle_finding(uow, current_caller(), finding_id, action, body["reason"])
        return jsonify(FindingDetailSchema().dump(view))


@api_v1.post("/findings/<int:finding_id>/acknowledge")
def acknowledge_finding(finding_id: int):
    return _handle(finding_id, "acknowledge")


@api_v1.post("/findings/<int:finding_id>/action")
def action_finding(finding_id: int):
    return _handle(finding_id, "action")


@api_v1.post("/findings/<int:finding_id>/dismiss")
def dismiss_finding(finding_id: int):
    return _handle(finding_id, "dismiss")
