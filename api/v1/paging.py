from marshmallow import Schema, fields, validate


class PageArgs(Schema):
    # Far past any real register, and small enough that the offset it makes fits the database.
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


def page_links(total: int, page: int, page_size: int) -> dict:
    return {"page": page, "page_size": page_size, "total": total,
            "pages": (total + page_size - 1) // page_size}


def created(payload: dict, location: str):
    """201 with the new thing and where to read it again."""
    from flask import jsonify

    response = jsonify(payload)
    response.status_code = 201
    response.headers["Location"] = location
    return response
