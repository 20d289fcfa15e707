from flask import current_app, jsonify, request
from marshmallow import Schema, fields

from api.auth import require_authority
from api.v1 import api_v1
from api.v1.paging import PageArgs, page_links
from api.v1.searches import SuspendedBySchema
from licensing.services import feeds as feed_service
from licensing.services import suspensions as suspension_service


class LicenceSchema(Schema):
    id = fields.Integer()
    driver_id = fields.Integer(allow_none=True)
    licence_number = fields.String()
    licence_type = fields.String()
    status = fields.String()
    issued_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    surname = fields.String()
    forenames = fields.String()
    date_of_birth = fields.Date(allow_none=True)
    driving_licence_number = fields.String(allow_none=True)
    ni_number = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    home = fields.Method("_home")
    in_register = fields.Method("_in_register")
    ended_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()

    def _home(self, licence):
        return {"authority_code": licence.home_authority_code, "precision": licence.home_precision,
                "share": licence.home_share}

    def _in_register(self, licence):
        return licence.ended_at is None


class LicenceListArgs(PageArgs):
    include_ended = fields.Boolean(load_default=False)


@api_v1.get("/licences")
def list_licences():
    args = LicenceListArgs().load(request.args)
    with current_app.extensions["crosscheck"].unit_of_work(write=False) as uow:
        licences, total = feed_service.list_licences(
            uow, require_authority(), page=args["page"], page_size=args["page_size"],
            include_ended=args["include_ended"])
        # A licence under another authority's immediate suspension shows it here too.
        suspended = suspension_service.suspended_by(uow.session, [licence.id for licence in licences])
        dumped = [{**LicenceSchema().dump(licence), "suspended_by": SuspendedBySchema().dump(suspended[licence.id])
                   if licence.id in suspended else None} for licence in licences]
        return jsonify({"licences": dumped, **page_links(total, args["page"], args["page_size"])})
