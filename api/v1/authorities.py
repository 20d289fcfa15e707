import re

from flask import current_app, jsonify
from marshmallow import Schema, fields, validate

from api.auth import current_caller
from api.bounds import body_limit, json_body
from api.v1 import api_v1
from licensing.services import authorities as authority_service
from licensing.services import feed_mappings


# An http(s) address with a host name (as openapi.yaml states it); \Z, not $, so no newline can follow.
FEED_URL = re.compile(r"https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                      r"(:[0-9]{1,5})?(/[!-~]*)?\Z")


class AuthoritySettingsSchema(Schema):
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    country = fields.String(dump_only=True)
    enforcement_email = fields.Email(allow_none=True)
    licensing_email = fields.Email(allow_none=True)
    alert_digest = fields.String(validate=validate.OneOf(authority_service.DIGEST_CHOICES))
    feed_url = fields.String(allow_none=True, validate=[
        validate.Length(max=2000),
        validate.Regexp(FEED_URL, error="Give the http or https address of the published register")])
    feed_pull_minutes = fields.Integer(allow_none=True, validate=validate.Range(min=authority_service.MIN_PULL_MINUTES))
    feed_last_pulled_at = fields.DateTime(dump_only=True, allow_none=True)
    feed_pull_error = fields.String(dump_only=True, allow_none=True)
    last_feed_received_at = fields.DateTime(dump_only=True, allow_none=True)
    undelivered_alerts = fields.Dict(dump_only=True)
    warnings = fields.List(fields.String(), dump_only=True)


@api_v1.get("/authorities/<code>/settings")
def get_authority_settings(code: str):
    caller = current_caller()
    with current_app.extensions["crosscheck"].unit_of_work(write=False) as uow:
        authority = authority_service.get_authority_for(uow, caller, code.upper())
        return jsonify(AuthoritySettingsSchema().dump(authority_service.authority_settings(uow, authority)))


@api_v1.patch("/authorities/<code>/settings")
def patch_authority_settings(code: str):
    changes = AuthoritySettingsSchema().load(json_body(), partial=True)
    with current_app.extensions["crosscheck"].unit_of_work() as uow:
        authority = authority_service.update_authority_settings(uow, current_caller(), code.upper(), changes)
        return jsonify(AuthoritySettingsSchema().dump(authority_service.authority_settings(uow, authority)))


@api_v1.get("/authorities/<code>/feed-mapping")
def get_feed_mapping(code: str):
    with current_app.extensions["crosscheck"].unit_of_work(write=False) as uow:
        return jsonify(feed_mappings.get_feed_mapping(uow, current_caller(), code.upper()))


@api_v1.put("/authorities/<code>/feed-mapping")
@body_limit(256 * 1024)  # a council's own codes can run to a few hundred entries
def put_feed_mapping(code: str):
    document = json_body()
    with current_app.extensions["crosscheck"].unit_of_work() as uow:
        return jsonify(feed_mappings.save_feed_mapping(uow, current_caller(), code.upper(), document))
