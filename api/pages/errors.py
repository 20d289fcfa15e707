"""Errors on pages are pages, not the API's JSON."""

from __future__ import annotations

from flask_wtf.csrf import CSRFError

from api.pages import pages, sign_in
from api.pages.render import page
from licensing.errors import DomainError, Forbidden, NotFound


def _register() -> None:
    for blueprint in (pages, sign_in):
        blueprint.register_error_handler(403, _forbidden)
        blueprint.register_error_handler(Forbidden, _forbidden)
        blueprint.register_error_handler(404, _not_found)
        blueprint.register_error_handler(NotFound, _not_found)
        blueprint.register_error_handler(CSRFError, _form_expired)
        blueprint.register_error_handler(DomainError, _refused)


def _forbidden(_error):
    return page("errors/message.html", title="You cannot see this page", status=403,
                message="Your role does not include this page. Ask your authority's admin if you need it.")


def _not_found(_error):
    return page("errors/message.html", title="Page not found", status=404,
                message="There is nothing here for your authority. Check the address, or go back and follow a link.")


def _refused(error: DomainError):
    return page("errors/message.html", title="This cannot be done", status=409, message=error.message)


def _form_expired(_error):
    return page("errors/message.html", title="The form has expired", status=400,
                message="For your security the form could not be sent. Go back, reload the page and try again.")


_register()
