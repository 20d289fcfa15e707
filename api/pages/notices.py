"""The authority's notices: what the service has told it outside the findings (an answer to its
request for detail, the outcome of a concern it sent, a correction of a decision it was shown, an
immediate suspension of its licence, reminders and escalations), newest first. The same notices
as the API's GET /notices and the emails; opening one marks it read and goes to its page."""

from __future__ import annotations

from flask import redirect, url_for

from api.pages import pages
from api.pages.guard import current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import AUTHORITY_OFFICERS, PAGE_SIZE, crosscheck, page_number, pages_total
from licensing.services import notices as notice_service

# What each kind of notice is, as the list names it.
KINDS = {
    "detail_requested": "Request for detail received", "detail_answered": "Your request was answered",
    "concern_outcome": "Outcome of your concern", "decision_corrected": "A decision you were shown was corrected",
    "immediate_suspension": "Your licence suspended by another authority",
    "suspension_answered": "Your suspension was answered", "duty_reminder": "Reminder", "duty_overdue": "Overdue",
}


@pages.get("/notices")
@for_roles(*AUTHORITY_OFFICERS)
def notices_page():
    number = page_number()
    with crosscheck().unit_of_work(write=False) as uow:
        notices, total = notice_service.list_notices(uow, current_actor(), unread_only=False, page=number,
                                                     page_size=PAGE_SIZE)
    return page("notices/list.html", title="Notices", notices=notices, total=total, number=number,
                pages_total=pages_total(total), kinds=KINDS, wide=True,
                page_url=lambda n: url_for("pages.notices_page", page=n))


@pages.post("/notices/<int:notice_id>/open")
@for_roles(*AUTHORITY_OFFICERS)
def open_notice(notice_id: int):
    with crosscheck().unit_of_work() as uow:
        notice = notice_service.mark_read(uow, current_actor(), notice_id)
        link = notice_service.officer_page(notice.link)
    return redirect(link, code=303)
