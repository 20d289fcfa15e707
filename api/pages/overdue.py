"""The overdue lists: concerns unanswered past their due date, concerns sent after the 10 working
days, requests for detail past due (to answer, and those this authority is waiting for). The same
lists as the API's `?overdue=true`, for the authority's officers and for its admins, to whom
escalations go."""

from __future__ import annotations

from api.pages import pages
from api.pages.guard import current_actor, for_roles
from api.pages.render import page
from api.pages.statutory import AUTHORITY_OFFICERS, WORDS, crosscheck
from licensing.services.statutory_duties import overdue_for

SHOWN = 100


@pages.get("/overdue")
@for_roles(*AUTHORITY_OFFICERS)
def overdue_page():
    with crosscheck().unit_of_work(write=False) as uow:
        overdue = overdue_for(uow, current_actor(), page_size=SHOWN)
    return page("overdue/list.html", title="Overdue", overdue=overdue, words=WORDS, shown=SHOWN,
                mine=current_actor().authority_code, wide=True)
