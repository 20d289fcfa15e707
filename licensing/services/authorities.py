"""The licensing authorities in the register: loaded from the packaged reference list, and each
authority's own settings (team addresses, pulled feed)."""

from __future__ import annotations

import re

from sqlalchemy import select

from licensing.errors import DomainError, Forbidden, NotFound
from licensing.feeds.public_web import address_problem, any_address, is_public_address
from licensing.reference.authorities import load_authorities
from licensing.store.db import UnitOfWork
from licensing.actors import Actor
from licensing.services.alerts import has_address, release_held_alerts
from licensing.store.held_alerts import undelivered_alerts_by_authority
from licensing.store.models import Authority

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# How 'daily digest' alert types reach the authority: in one email a day, or each at once.
DIGEST_CHOICES = ("daily", "immediate")


def load_reference_authorities(uow: UnitOfWork) -> int:
    """Insert authorities that are new in the reference list and refresh names; never delete one,
    since licences and decisions refer to it. Returns how many were added."""
    session = uow.session
    existing = {a.code: a for a in session.execute(select(Authority)).scalars()}
    added = 0
    for reference in load_authorities():
        authority = existing.get(reference.code)
        if authority is None:
            session.add(Authority(code=reference.code, name=reference.name, country=reference.country))
            added += 1
        else:
            authority.name = reference.name
            authority.country = reference.country
    uow.commit()
    return added


def get_authority(uow: UnitOfWork, code: str) -> Authority:
    authority = uow.session.get(Authority, code)
    if authority is None:
        raise NotFound(f"No licensing authority has the code {code!r}")
    return authority


SETTINGS_FIELDS = ("enforcement_email", "licensing_email", "alert_digest", "feed_url", "feed_pull_minutes")
MIN_PULL_MINUTES = 5


def authority_settings(uow: UnitOfWork, authority: Authority) -> dict:
    held = undelivered_alerts_by_authority(uow.session, authority_code=authority.code)
    return {"code": authority.code, "name": authority.name, "country": authority.country,
            **{name: getattr(authority, name) for name in SETTINGS_FIELDS},
            "feed_last_pulled_at": authority.feed_last_pulled_at, "feed_pull_error": authority.feed_pull_error,
            "last_feed_received_at": authority.last_feed_received_at,
            "undelivered_alerts": {"count": held[0][2], "since": held[0][3]} if held else {"count": 0, "since": None},
            "warnings": delivery_warnings(authority)}


def delivery_warnings(authority: Authority) -> list[str]:
    """What the authority must put right for its alerts to reach it."""
    if has_address(authority):
        return []
    return [f"No team email address is set for {authority.name}: alerts about its findings are held, undelivered, "
            f"until one is (PATCH /api/v1/authorities/{authority.code}/settings with enforcement_email)."]


def update_authority_settings(uow: UnitOfWork, caller: Actor, code: str, changes: dict) -> Authority:
    """Change an authority's own settings. Only that authority (or the operator) may."""
    if not (caller.is_operator or caller.authority_code == code):
        raise Forbidden("An authority's settings can be changed only with its own API key")
    authority = get_authority(uow, code)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"Unknown settings: {', '.join(sorted(unknown))}")
    for name in ("enforcement_email", "licensing_email"):
        if changes.get(name) and not _EMAIL.match(changes[name]):
            raise DomainError(f"{name} must be an email address")
    if "alert_digest" in changes and changes["alert_digest"] not in DIGEST_CHOICES:
        raise DomainError(f"alert_digest must be one of {', '.join(DIGEST_CHOICES)}")
    if changes.get("feed_url"):
        allow_local = bool(uow.settings and uow.settings.feed_allow_local_http)
        problem = address_problem(changes["feed_url"].strip(), allow_plain_http=allow_local,
                                  may_connect_to=any_address if allow_local else is_public_address)
        if problem:
            raise DomainError(f"feed_url: {problem.removeprefix('the feed address ')}")
    minutes = changes.get("feed_pull_minutes")
    if minutes is not None and minutes < MIN_PULL_MINUTES:
        raise DomainError(f"feed_pull_minutes must be at least {MIN_PULL_MINUTES}")
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip() or None
        setattr(authority, name, value)
    if "feed_url" in changes:
        # A new address starts afresh: old validators belong to the old document.
        authority.feed_etag = authority.feed_last_modified = None
    release_held_alerts(uow, authority)
    uow.commit()
    return authority


def get_authority_for(uow: UnitOfWork, caller: Actor, code: str) -> Authority:
    if not (caller.is_operator or caller.authority_code == code):
        raise Forbidden("An authority's settings can be read only with its own API key")
    return get_authority(uow, code)
