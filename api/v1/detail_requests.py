"""Requests for the detail behind a register entry (s.3), and the recorder's answers."""

from flask import current_app, jsonify, request
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.bounds import RECORD_ID
from api.v1 import api_v1
from api.v1.paging import PageArgs, created, page_links
from licensing.clock import london_today
from licensing.services import detail_requests as request_service


class DetailRequestSchema(Schema):
    decision_id = fields.Integer(validate=RECORD_ID, load_default=None, allow_none=True)
    licence_id = fields.Integer(validate=RECORD_ID, load_default=None, allow_none=True)
    finding_id = fields.Integer(validate=RECORD_ID, load_default=None, allow_none=True)
    application_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    question = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class AnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    document_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RequestListArgs(PageArgs):
    direction = fields.String(load_default="received", validate=validate.OneOf(("sent", "received")))
    overdue = fields.Boolean(load_default=False)


class DetailRequestOutSchema(Schema):
    id = fields.Integer()
    from_authority_code = fields.String()
    to_authority_code = fields.String()
    decision_id = fields.Integer(allow_none=True)
    licence_id = fields.Integer(allow_none=True)
    finding_id = fields.Integer(allow_none=True)
    application_reference = fields.String(allow_none=True)
    question = fields.String()
    received_on = fields.Date()
    due_on = fields.Date()
    answer = fields.String(allow_none=True)
    document_reference = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    overdue = fields.Method("_overdue")

    def _overdue(self, item):
        return item.answered_at is None and item.due_on < london_today()


def _crosscheck():
    return current_app.extensions["crosscheck"]


@api_v1.post("/detail-requests")
def request_detail():
    body = DetailRequestSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        made = request_service.request_detail(uow, current_caller(), **body)
        return created(DetailRequestOutSchema().dump(made), f"/api/v1/detail-requests/{made.id}")


@api_v1.get("/detail-requests")
def list_detail_requests():
    args = RequestListArgs().load(request.args)
    with _crosscheck().unit_of_work(write=False) as uow:
        found, total = request_service.list_requests(uow, current_caller(), direction=args["direction"],
                                                     overdue_only=args["overdue"], page=args["page"],
                                                     page_size=args["page_size"])
        return jsonify({"detail_requests": DetailRequestOutSchema(many=True).dump(found),
                        **page_links(total, args["page"], args["page_size"])})


@api_v1.get("/detail-requests/<int:request_id>")
def get_detail_request(request_id: int):
    with _crosscheck().unit_of_work(write=False) as uow:
        return jsonify(DetailRequestOutSchema().dump(request_service.get_request(uow, current_caller(), request_id)))


@api_v1.post("/detail-requests/<int:request_id>/answer")
def answer_detail_request(request_id: int):
    body = AnswerSchema().load(request.get_json())
    with _crosscheck().unit_of_work() as uow:
        answered = request_service.answer_request(uow, current_caller(), request_id, **body)
        return jsonify(DetailRequestOutSchema().dump(answered))
