"""The decisions register: record, list, read, and amend / appeal / withdraw."""

from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.v1 import api_v1
from api.v1.paging import PageArgs, created, page_links
from licensing.services import decisions as decision_service
from licensing.statutory.vocabulary import DECISION_LICENCE_TYPES, AppealOutcome, DecisionKind, Grounds, choices

_TEXT = validate.Length(max=200)


class DecisionRequestSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(choices(DecisionKind)))
    licence_type = fields.String(required=True, validate=validate.OneOf(DECISION_LICENCE_TYPES))
    decided_on = fields.Date(required=True)
    effective_from = fields.Date(required=True)
    grounds = fields.String(required=True, validate=validate.OneOf(choices(Grounds)))
    surname = fields.String(required=True, validate=validate.Length(min=1, max=200))
    forenames = fields.String(load_default="", validate=_TEXT)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    postcode = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=10))
    ni_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    driving_licence_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    licence_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class AmendmentSchema(DecisionRequestSchema):
    class Meta:
        exclude = ("reference",)


class DecisionChangeSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    amend = fields.Nested(AmendmentSchema(partial=True), load_default=dict)
    appeal_outcome = fields.String(load_default=None, validate=validate.OneOf(choices(AppealOutcome)))
    appeal_decided_on = fields.Date(load_default=None)
    withdraw = fields.Boolean(load_default=False)


class DecisionEventSchema(Schema):
    kind = fields.String()
    at = fields.DateTime()
    changes = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)
    actor_kind = fields.String()
    actor_authority_code = fields.String(allow_none=True)


def _crosscheck():
    return current_app.extensions["crosscheck"]


def _json(seen: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in seen.items()}


@api_v1.post("/decisions")
def record_decision():
    body = DecisionRequestSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        caller = current_caller()
        decision = decision_service.record_decision(uow, caller, decision_service.DecisionInput(**body))
        _, seen, events = decision_service.get_decision(uow, caller, decision.id)
    return created({**_json(seen), "history": DecisionEventSchema(many=True).dump(events)},
                   f"/api/v1/decisions/{decision.id}")


@api_v1.get("/decisions")
def list_decisions():
    args = PageArgs().load(request.args)
    with _crosscheck().unit_of_work(write=False) as uow:
        seen, total = decision_service.list_own_decisions(uow, current_caller(), page=args["page"],
                                                          page_size=args["page_size"])
    return jsonify({"decisions": [_json(s) for s in seen], **page_links(total, args["page"], args["page_size"])})


@api_v1.get("/decisions/<int:decision_id>")
def get_decision(decision_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        _, seen, events = decision_service.get_decision(uow, current_caller(), decision_id)
    return jsonify({**_json(seen), "history": DecisionEventSchema(many=True).dump(events)})


@api_v1.patch("/decisions/<int:decision_id>")
def change_decision(decision_id: int):
    body = DecisionChangeSchema().load(request.get_json())
    change = decision_service.DecisionChange(note=body["note"], changes=body["amend"],
                                             appeal_outcome=body["appeal_outcome"],
                                             appeal_decided_on=body["appeal_decided_on"], withdraw=body["withdraw"])
    with _crosscheck().unit_of_work() as uow:
        caller = current_caller()
        decision_service.change_decision(uow, caller, decision_id, change)
        _, seen, events = decision_service.get_decision(uow, caller, decision_id)
    return jsonify({**_json(seen), "history": DecisionEventSchema(many=True).dump(events)})
