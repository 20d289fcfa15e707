"""Telling an authority something in the service and by email, in the caller's transaction. A
notice names its subject by id and link only; the email says the same and carries no reasons and
no personal data, since mailboxes are shared and forwarded."""

from __future__ import annotations

from sqlalchemy import select

from licensing.clock import utc_now
from licensing.errors import Forbidden, NotFound
from licensing.actors import Actor
from licensing.services.outbox import enqueue_email
from licensing.store.db import UnitOfWork
from licensing.store.models import Authority
from licensing.store.notices import Notice
from licensing.store.paging import page_of

_SHARING_NOTE = ("This information is shared under the Taxis and Private Hire Vehicles (Safeguarding and Road\n"
                 "Safety) Act 2022. Use it only for the purpose it was shared for.")


# The officers' page for each thing a notice links to: an email is read in a browser, where the
# API's address (the notice's own link, for authorities' systems) would ask for a key.
_PAGES = (("/api/v1/immediate-suspensions/", "/suspensions/"), ("/api/v1/detail-requests/", "/requests/"),
          ("/api/v1/concerns/", "/concerns/"), ("/api/v1/decisions/", "/decisions/"))


def officer_page(link: str) -> str:
    for api, page in _PAGES:
        if link.startswith(api):
            return page + link.removeprefix(api)
    return link


def notify(uow: UnitOfWork, *, authority_code: str, kind: str, text: str, link: str, dedupe_key: str,
           subject: str, audience_role: str | None = None) -> bool:
    """A notice for the authority and an email to its licensing team (its enforcement team when it
    has no licensing address). Returns False when this fact was already notified."""
    session = uow.session
    if session.execute(select(Notice.id).where(Notice.dedupe_key == dedupe_key)).first():
        return False
    session.add(Notice(authority_code=authority_code, kind=kind, text=text, link=link, dedupe_key=dedupe_key,
                       audience_role=audience_role))
    authority = session.get(Authority, authority_code)
    address = authority.licensing_email or authority.enforcement_email if authority else None
    if address:
        base = uow.settings.public_base_url if uow.settings else ""
        enqueue_email(session, dedupe_key=f"notice:{dedupe_key}"[:200], to=address, kind="notice",
                      authority_code=authority_code, subject=f"Crosscheck: {subject}",
                      body="\n".join([text, "", f"See it in Crosscheck: {base}{officer_page(link)}", "", _SHARING_NOTE]))
    session.flush()
    return True


def list_notices(uow: UnitOfWork, caller: Actor, *, unread_only: bool, page: int, page_size: int):
    if caller.authority_code is None:
        raise Forbidden("Notices belong to an authority: use an authority's API key")
    query = select(Notice).where(Notice.authority_code == caller.authority_code)
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    return page_of(uow.session, query, Notice.id.desc(), page=page, page_size=page_size)


def mark_read(uow: UnitOfWork, caller: Actor, notice_id: int) -> Notice:
    notice = uow.session.get(Notice, notice_id)
    if notice is None or notice.authority_code != caller.authority_code:
        raise NotFound(f"No notice {notice_id} for this authority")
    notice.read_at = notice.read_at or utc_now()
    uow.commit()
    return notice
