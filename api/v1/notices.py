"""What the service has told the caller's authority outside findings."""

from flask import current_app, jsonify, request
from marshmallow import Schema, fields

from api.auth import current_caller
from api.v1 import api_v1
from api.v1.paging import PageArgs, page_links
from licensing.services import notices as notice_service


class NoticeListArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class NoticeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    audience_role = fields.String(allow_none=True)
    text = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


@api_v1.get("/notices")
def list_notices():
    args = NoticeListArgs().load(request.args)
    with current_app.extensions["crosscheck"].unit_of_work(write=False) as uow:
        found, total = notice_service.list_notices(uow, current_caller(), unread_only=args["unread"],
                                                   page=args["page"], page_size=args["page_size"])
        return jsonify({"notices": NoticeSchema(many=True).dump(found),
                        **page_links(total, args["page"], args["page_size"])})


@api_v1.post("/notices/<int:notice_id>/read")
def read_notice(notice_id: int):
    with current_app.extensions["crosscheck"].unit_of_work() as uow:
        return jsonify(NoticeSchema().dump(notice_service.mark_read(uow, current_caller(), notice_id)))
