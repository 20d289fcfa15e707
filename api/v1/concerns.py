"""Concerns sent to the authorities licensing a driver (s.5), and their answers (s.6)."""

from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.bounds import RECORD_ID
from api.v1 import api_v1
from api.v1.paging import PageArgs, created, page_links
from licensing.clock import london_today
from licensing.services import concerns as concern_service
from licensing.statutory.vocabulary import ConcernCategory, ConcernOutcome, HowKnown, choices


class ConcernRequestSchema(Schema):
    licence_id = fields.Integer(validate=RECORD_ID, load_default=None, allow_none=True)
    surname = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    forenames = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    driving_licence_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    category = fields.String(required=True, validate=validate.OneOf(choices(ConcernCategory)))
    what_happened = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    where = fields.String(required=True, validate=validate.Length(min=1, max=500))
    occurred_on = fields.Date(load_default=None, allow_none=True)
    how_known = fields.String(required=True, validate=validate.OneOf(choices(HowKnown)))
    became_aware_on = fields.Date(required=True)


class OutcomeRequestSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(choices(ConcernOutcome)))
    consideration = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    decision_id = fields.Integer(validate=RECORD_ID, load_default=None, allow_none=True)


class ConcernListArgs(PageArgs):
    direction = fields.String(load_default="received", validate=validate.OneOf(("sent", "received")))
    overdue = fields.Boolean(load_default=False)


class RecipientSchema(Schema):
    authority_code = fields.String()
    outcome_due_on = fields.Date()
    outcome = fields.String(allow_none=True)
    consideration = fields.String(allow_none=True)
    outcome_decision_id = fields.Integer(allow_none=True)
    outcome_at = fields.DateTime(allow_none=True)
    overdue = fields.Method("_overdue")

    def _overdue(self, recipient):
        return recipient.outcome is None and recipient.outcome_due_on < london_today()


class ConcernSchema(Schema):
    id = fields.Integer()
    from_authority_code = fields.String()
    category = fields.String()
    what_happened = fields.String()
    where = fields.String()
    occurred_on = fields.Date(allow_none=True)
    how_known = fields.String()
    became_aware_on = fields.Date()
    send_by = fields.Date()
    sent_at = fields.DateTime()
    sent_late = fields.Boolean()
    licence_id = fields.Integer(allow_none=True)
    driver_id = fields.Integer(allow_none=True)


def _dump(concern, recipients) -> dict:
    return {**ConcernSchema().dump(concern), "recipients": RecipientSchema(many=True).dump(recipients)}


def _crosscheck():
    return current_app.extensions["crosscheck"]


@api_v1.post("/concerns")
def raise_concern():
    body = ConcernRequestSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        caller = current_caller()
        concern = concern_service.raise_concern(uow, caller, concern_service.ConcernInput(**body))
        return created(_dump(*concern_service.get_concern(uow, caller, concern.id)), f"/api/v1/concerns/{concern.id}")


@api_v1.get("/concerns")
def list_concerns():
    args = ConcernListArgs().load(request.args)
    with _crosscheck().unit_of_work(write=False) as uow:
        found, total = concern_service.list_concerns(uow, current_caller(), direction=args["direction"],
                                                     overdue_only=args["overdue"], page=args["page"],
                                                     page_size=args["page_size"])
        return jsonify({"concerns": [_dump(c, r) for c, r in found],
                        **page_links(total, args["page"], args["page_size"])})


@api_v1.get("/concerns/<int:concern_id>")
def get_concern(concern_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify(_dump(*concern_service.get_concern(uow, current_caller(), concern_id)))


@api_v1.post("/concerns/<int:concern_id>/outcome")
def record_outcome(concern_id: int):
    body = OutcomeRequestSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        return jsonify(_dump(*concern_service.record_outcome(uow, current_caller(), concern_id, **body)))
