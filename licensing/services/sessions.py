"""Signed-in sessions, kept on the server. The browser holds a random token; the database holds its
hash, when it began and when it was last used. A session ends when the officer signs out, after
`idle` without use, or `absolute` after it began however busy (an officer signs in again each
working day), and when the user is removed."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from licensing.clock import utc_now
from licensing.store.db import UnitOfWork
from licensing.store.users import User, UserSession, live_sessions_of, session_with_token_hash

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=10)
# Writing last_seen_at on every page view would make every read a write; a minute's grain is enough.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Resumed:
    user: User
    session_id: int
    verified: bool


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(uow: UnitOfWork, user_id: int, *, verified: bool) -> str:
    token = secrets.token_urlsafe(32)
    uow.session.add(UserSession(token_hash=_hash(token), user_id=user_id, verified=verified))
    uow.commit()
    return token


def resume_session(uow: UnitOfWork, token: str | None, *, idle: timedelta = IDLE,
                   absolute: timedelta = ABSOLUTE) -> Resumed | None:
    """The signed-in user behind a token, or None (and the session ended) if it has timed out."""
    if not token:
        return None
    found = session_with_token_hash(uow.session, _hash(token))
    if found is None or found.ended_at is not None:
        return None
    now = utc_now()
    user = uow.session.get(User, found.user_id)
    if now - found.last_seen_at > idle or now - found.created_at > absolute or user.deactivated_at is not None:
        found.ended_at = now
        _commit_if_free(uow, user)
        return None
    if now - found.last_seen_at > _TOUCH_EVERY:
        found.last_seen_at = now
        _commit_if_free(uow, user)
    return Resumed(user, found.id, found.verified)


def _commit_if_free(uow: UnitOfWork, user: User) -> None:
    """Resuming runs on every page view in a reading transaction, so that page views do not take
    the write lock each time (on SQLite they would queue behind a feed being applied). Its one
    write, at most once a minute (when the session was last seen, or that it timed out), may find
    the database busy: then it is left for a later view, which loses nothing (a timed-out session
    is refused either way)."""
    try:
        uow.commit()
    except OperationalError:
        uow.session.rollback()
        uow.session.refresh(user)  # loaded again now, as the page reads it after this transaction


def verify_session(uow: UnitOfWork, token: str) -> str:
    """The second factor is done: end the half-signed-in session and start a full one under a new
    token, so a token seen before the second factor is worth nothing after it."""
    found = session_with_token_hash(uow.session, _hash(token))
    found.ended_at = utc_now()
    return start_session(uow, found.user_id, verified=True)


def end_session(uow: UnitOfWork, token: str | None) -> None:
    if not token:
        return
    found = session_with_token_hash(uow.session, _hash(token))
    if found is not None and found.ended_at is None:
        found.ended_at = utc_now()
        uow.commit()


def end_sessions_of(uow: UnitOfWork, user_id: int) -> None:
    """Every session of a user (removed, or locked out by an admin); the caller commits."""
    now = utc_now()
    for found in live_sessions_of(uow.session, user_id):
        found.ended_at = now
