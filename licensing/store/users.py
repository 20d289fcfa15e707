"""Officers who sign in to the pages, and their sessions. A user belongs to one authority with one
role (the national operator to none); a session lives in the database so that signing out, or an
admin removing a user, ends it on the server and not only in the browser."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, select

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    # Kept lower-case: an officer types their address however they like.
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    authority_code: str | None = Field(default=None, foreign_key="authority.code", index=True)
    role: str = Field(max_length=32)
    password_hash: str = Field(max_length=200)
    failed_sign_ins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Base32 TOTP secret once the officer has set up an authenticator app.
    totp_secret: str | None = Field(default=None, max_length=64)
    # The last time step accepted, so that one code cannot be used twice.
    totp_last_step: int | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_signed_in_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class UserSession(SQLModel, table=True):
    """A signed-in browser. Only a hash of the token the cookie carries is stored. `verified` is
    false between the password and the second factor."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    verified: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    last_seen_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SignInPolicy(SQLModel, table=True):
    """An authority's rules for its officers' sign-in (absent: the defaults)."""

    __tablename__ = "sign_in_policy"

    authority_code: str = Field(foreign_key="authority.code", primary_key=True, max_length=16)
    two_factor_required: bool = False


def user_with_email(session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def users_of(session, authority_code: str | None) -> list[User]:
    return list(session.exec(select(User).where(User.authority_code == authority_code)
                             .order_by(User.deactivated_at.is_not(None), User.name)))


def session_with_token_hash(session, token_hash: str) -> UserSession | None:
    return session.exec(select(UserSession).where(UserSession.token_hash == token_hash)).first()


def live_sessions_of(session, user_id: int) -> list[UserSession]:
    return list(session.exec(select(UserSession).where(UserSession.user_id == user_id,
                                                       UserSession.ended_at.is_(None))))


def two_factor_required(session, authority_code: str | None) -> bool:
    if authority_code is None:
        return False
    policy = session.get(SignInPolicy, authority_code)
    return bool(policy and policy.two_factor_required)


def api_keys_of(session, authority_code: str) -> list:
    from licensing.store.models import ApiKey

    return list(session.exec(select(ApiKey).where(ApiKey.authority_code == authority_code)
                             .order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))
