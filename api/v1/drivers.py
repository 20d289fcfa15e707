from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.bounds import LARGEST_ID
from api.v1 import api_v1
from api.v1.searches import DecisionSeenSchema, LicenceSummarySchema
from licensing.services import identity_review
from licensing.services import search as search_service


class DriverSchema(Schema):
    driver_id = fields.Integer()
    merged_into = fields.Integer(allow_none=True)
    licences = fields.List(fields.Nested(LicenceSummarySchema))
    decisions = fields.List(fields.Nested(DecisionSeenSchema))


class ReviewItemSchema(Schema):
    licence_a = fields.Integer()
    licence_b = fields.Integer()
    driver_a = fields.Integer(allow_none=True)
    driver_b = fields.Integer(allow_none=True)
    band = fields.String()
    linked = fields.Boolean()
    probability = fields.Float()
    why = fields.List(fields.String())
    at_stake = fields.String()


class DecisionRequestSchema(Schema):
    licence_a = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=LARGEST_ID))
    licence_b = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=LARGEST_ID))
    verdict = fields.String(required=True, validate=validate.OneOf(identity_review.VERDICTS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DecisionSchema(Schema):
    id = fields.Integer()
    licence_a = fields.Integer()
    licence_b = fields.Integer()
    verdict = fields.String()
    reason = fields.String()
    decided_by_authority_code = fields.String(allow_none=True)
    decided_by_kind = fields.String()
    decided_at = fields.DateTime()


def _crosscheck():
    return current_app.extensions["crosscheck"]


@api_v1.get("/drivers/<int:driver_id>")
def get_driver(driver_id: int):
    view = search_service.view_driver(_crosscheck(), current_caller(), driver_id)
    return jsonify(DriverSchema().dump(view))


@api_v1.get("/identity/reviews")
def list_reviews():
    items = identity_review.links_for_review(_crosscheck(), current_caller())
    return jsonify({"reviews": ReviewItemSchema(many=True).dump(items)})


@api_v1.post("/identity/decisions")
def decide():
    body = DecisionRequestSchema().load(request.get_json())
    decision = identity_review.decide_identity(_crosscheck(), current_caller(), **body)
    response = jsonify(DecisionSchema().dump(decision))
    response.status_code = 201
    return response


@api_v1.get("/identity/decisions/<int:decision_id>")
def get_identity_decision(decision_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify(DecisionSchema().dump(identity_review.get_decision(uow, current_caller(), decision_id)))
