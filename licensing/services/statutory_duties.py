"""The duties' clock: reminders before a request for detail or a concern's answer falls due, an
escalation to the authority's admin once it is late, and immediate suspensions lapsing at the end
of their period. Run by the jobs worker (jobs/schedule.py); each reminder is given once."""

from __future__ import annotations

from dataclasses import dataclass

from licensing.actors import Role
from licensing.clock import london_today, utc_now
from licensing.services import concerns, detail_requests
from licensing.services.notices import notify
from licensing.services.suspensions import lapse_ended
from licensing.statutory.settings import statutory_settings
from licensing.statutory.working_days import working_days_between
from licensing.store.concerns import unanswered_recipients
from licensing.store.detail_requests import unanswered_requests
from licensing.store.models import Authority


@dataclass(frozen=True)
class DutiesReport:
    reminders: int
    escalations: int
    lapsed: int


def run_duties(app) -> DutiesReport:
    with app.unit_of_work() as uow:
        report = check_duties(uow)
        uow.commit()
    return report


def check_duties(uow) -> DutiesReport:
    session = uow.session
    today, now = london_today(), utc_now()
    ahead = statutory_settings(uow.settings).reminder_working_days
    reminders = escalations = 0
    duties = [(request, request.to_authority_code, request.due_on, f"/api/v1/detail-requests/{request.id}",
               f"request for detail {request.id}", f"detail_request:{request.id}")
              for request in unanswered_requests(session)]
    duties += [(recipient, recipient.authority_code, recipient.outcome_due_on, f"/api/v1/concerns/{concern.id}",
                f"the decision on concern {concern.id}", f"concern:{concern.id}:{recipient.authority_code}")
               for recipient, concern in unanswered_recipients(session)]
    for duty, code, due_on, link, what, key in duties:
        country = session.get(Authority, code).country
        if due_on < today and duty.escalated_at is None:
            notify(uow, authority_code=code, kind="duty_overdue", link=link, dedupe_key=f"{key}:overdue",
                   audience_role=Role.AUTHORITY_ADMIN.value, subject=f"overdue: {what}",
                   text=f"Overdue: {what} was due on {due_on.isoformat()} and has not been answered.")
            duty.escalated_at = now
            escalations += 1
        elif due_on >= today and duty.reminded_at is None and working_days_between(today, due_on, country) <= ahead:
            notify(uow, authority_code=code, kind="duty_reminder", link=link, dedupe_key=f"{key}:reminder",
                   subject=f"due {due_on.isoformat()}: {what}",
                   text=f"Reminder: {what} is due by {due_on.isoformat()}.")
            duty.reminded_at = now
            reminders += 1
    return DutiesReport(reminders, escalations, lapse_ended(uow))


@dataclass(frozen=True)
class OverdueWork:
    """What an authority owes or is owed past its deadline, for the overdue lists."""

    concerns_to_answer: list  # (concern, recipients) received and unanswered past due
    concerns_sent_late: list  # (concern, recipients) this authority sent after send_by
    requests_to_answer: list  # detail requests to this authority, unanswered past due
    requests_waiting: list    # this authority's requests that the recorder has not answered in time
    totals: dict


def overdue_for(uow, caller, *, page_size: int = 100) -> OverdueWork:
    """The four overdue lists of one authority, each its first `page_size` items and its total."""
    lists, totals = {}, {}
    for name, service, direction in (("concerns_to_answer", concerns.list_concerns, "received"),
                                     ("concerns_sent_late", concerns.list_concerns, "sent"),
                                     ("requests_to_answer", detail_requests.list_requests, "received"),
                                     ("requests_waiting", detail_requests.list_requests, "sent")):
        lists[name], totals[name] = service(uow, caller, direction=direction, overdue_only=True, page=1,
                                            page_size=page_size)
    return OverdueWork(**lists, totals=totals)
