from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.v1 import api_v1
from licensing.identity.search import SearchQuery
from licensing.services import search as search_service


class SearchRequestSchema(Schema):
    surname = fields.String(load_default=None, validate=validate.Length(max=200))
    forenames = fields.String(load_default=None, validate=validate.Length(max=200))
    date_of_birth = fields.Date(load_default=None)
    driving_licence_number = fields.String(load_default=None, validate=validate.Length(max=32))
    ni_number = fields.String(load_default=None, validate=validate.Length(max=16))
    postcode = fields.String(load_default=None, validate=validate.Length(max=10))
    reason = fields.String(load_default=None)
    application_reference = fields.String(load_default=None, validate=validate.Length(max=200))


class SuspendedBySchema(Schema):
    suspension_id = fields.Integer()
    authority_code = fields.String()
    authority_name = fields.String()
    since = fields.DateTime()
    until = fields.DateTime()
    state = fields.String()


class DecisionSeenSchema(Schema):
    """A decision as another authority sees it (licensing.services.decisions.decision_seen_by)."""

    id = fields.Integer()
    authority_code = fields.String()
    authority_name = fields.String()
    decision = fields.String()
    licence_type = fields.String()
    decided_on = fields.Date()
    effective_from = fields.Date()
    grounds = fields.String()
    state = fields.String()
    appeal_outcome = fields.String(allow_none=True)
    ask = fields.String(allow_none=True)
    own = fields.Boolean()


class LicenceSummarySchema(Schema):
    licence_id = fields.Integer()
    authority_code = fields.String()
    authority_name = fields.String()
    licence_type = fields.String()
    status = fields.String()
    in_register = fields.Boolean()
    since = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    ask = fields.String(allow_none=True)
    own = fields.Boolean()
    licence_number = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    forenames = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    suspended_by = fields.Nested(SuspendedBySchema, allow_none=True)


class PersonHitSchema(Schema):
    driver_id = fields.Integer()
    score = fields.Float()
    weight = fields.Float()
    band = fields.String()
    why = fields.List(fields.String())
    rank = fields.Integer()
    licences = fields.List(fields.Nested(LicenceSummarySchema))
    decisions = fields.List(fields.Nested(DecisionSeenSchema))


class SearchOutcomeSchema(Schema):
    search_id = fields.Integer()
    results = fields.List(fields.Nested(PersonHitSchema))


# Built once: building a schema copies its fields, which on this, the busiest route, cost as much
# as the ranking of a typical search.
_REQUEST, _OUTCOME = SearchRequestSchema(), SearchOutcomeSchema()


@api_v1.post("/searches")
def search():
    body = _REQUEST.load(request.get_json())
    reason, reference = body.pop("reason"), body.pop("application_reference")
    outcome = search_service.search_drivers(current_app.extensions["crosscheck"], current_caller(),
                                            SearchQuery(**body), reason=reason, application_reference=reference)
    return jsonify(_OUTCOME.dump(outcome))
