"""Immediate suspensions of a licence another English authority issued, and the issuer's answer."""

from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.bounds import RECORD_ID
from api.v1 import api_v1
from api.v1.paging import created
from licensing.services import suspensions as suspension_service
from licensing.statutory.vocabulary import SHARED_GROUNDS, IssuerResponse, choices


class SuspensionRequestSchema(Schema):
    licence_id = fields.Integer(validate=RECORD_ID, required=True)
    grounds = fields.String(required=True, validate=validate.OneOf(sorted(g.value for g in SHARED_GROUNDS)))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    officer_name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ResponseSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(choices(IssuerResponse)))
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    decision_id = fields.Integer(validate=RECORD_ID, load_default=None, allow_none=True)


class SuspensionSchema(Schema):
    id = fields.Integer()
    licence_id = fields.Integer()
    issuing_authority_code = fields.String()
    suspending_authority_code = fields.String()
    grounds = fields.String()
    reason = fields.String()
    officer_name = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    state = fields.String()
    response_note = fields.String(allow_none=True)
    replaced_by_decision_id = fields.Integer(allow_none=True)
    responded_at = fields.DateTime(allow_none=True)


def _crosscheck():
    return current_app.extensions["crosscheck"]


@api_v1.post("/immediate-suspensions")
def suspend_immediately():
    body = SuspensionRequestSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        suspension = suspension_service.suspend_immediately(uow, current_caller(), **body)
        return created(SuspensionSchema().dump(suspension), f"/api/v1/immediate-suspensions/{suspension.id}")


@api_v1.get("/immediate-suspensions")
def list_suspensions():
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify({"immediate_suspensions": SuspensionSchema(many=True).dump(
            suspension_service.list_suspensions(uow, current_caller()))})


@api_v1.get("/immediate-suspensions/<int:suspension_id>")
def get_suspension(suspension_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify(SuspensionSchema().dump(suspension_service.get_suspension(uow, current_caller(), suspension_id)))


@api_v1.post("/immediate-suspensions/<int:suspension_id>/response")
def respond_to_suspension(suspension_id: int):
    body = ResponseSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        return jsonify(SuspensionSchema().dump(suspension_service.respond(uow, current_caller(), suspension_id, **body)))
