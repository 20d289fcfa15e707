"""Officers' accounts: created by their authority's admin (or by `crosscheck create-user`), signed
in with email and password (argon2id hashes), locked for a while after repeated failures, with an
optional second factor (TOTP, any authenticator app) that an authority can make mandatory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from licensing.actors import Actor, Role
from licensing.clock import utc_now
from licensing.errors import DomainError, Forbidden, NotFound
from licensing.store.db import UnitOfWork
from licensing.store.models import Authority
from licensing.store.users import (
    SignInPolicy, User, api_keys_of, two_factor_required, user_with_email, users_of,
)

# Roles a person can hold; an authority's API key role is for systems only.
OFFICER_ROLES = (Role.LICENSING_OFFICER, Role.ENFORCEMENT_OFFICER, Role.AUTHORITY_ADMIN, Role.OPERATOR)
ROLE_NAMES = {
    Role.LICENSING_OFFICER: "Licensing officer",
    Role.ENFORCEMENT_OFFICER: "Enforcement officer",
    Role.AUTHORITY_ADMIN: "Authority admin",
    Role.OPERATOR: "National operator",
}
MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
_decoys: dict[int, str] = {}


def _decoy_hash() -> str:
    """Checked when no user has the address, so that a wrong address takes as long as a wrong
    password (made on first use: a hash costs as much as a sign-in)."""
    return _decoys.setdefault(id(_hasher), _hasher.hash("no such user: spend the same time"))


class SignInRefused(DomainError):
    code = "sign_in_refused"


@dataclass(frozen=True)
class SignedIn:
    user: User
    needs_code: bool        # the second factor is still to come
    needs_setup: bool       # the authority requires a second factor the officer has not set up


def actor_of(user: User) -> Actor:
    return Actor.officer(user_id=user.id, authority_code=user.authority_code, role=user.role)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Enter a password of at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > 256:
        return "Enter a password of 256 characters or fewer"
    return None


def create_user(uow: UnitOfWork, creator: Actor, *, email: str, name: str, role: str,
                authority_code: str | None, password: str) -> User:
    """An admin creates users of their own authority only; the operator (or the service, from the
    command line) creates anyone's."""
    email, name = (email or "").strip().lower(), (name or "").strip()
    try:
        role = Role(role)
    except ValueError:
        raise DomainError(f"Choose a role: one of {', '.join(r.value for r in OFFICER_ROLES)}") from None
    if role not in OFFICER_ROLES:
        raise DomainError(f"Choose a role: one of {', '.join(r.value for r in OFFICER_ROLES)}")
    if role == Role.OPERATOR:
        authority_code = None
    elif authority_code is None:
        raise DomainError("An officer belongs to a licensing authority: give its code")
    if not (creator.is_service or creator.role == Role.OPERATOR
            or (creator.role == Role.AUTHORITY_ADMIN and creator.authority_code == authority_code
                and role != Role.OPERATOR)):
        raise Forbidden("Only your authority's admin may add its users")
    if authority_code is not None and uow.session.get(Authority, authority_code) is None:
        raise NotFound(f"No licensing authority has the code {authority_code!r}")
    if not _EMAIL.match(email):
        raise DomainError("Enter an email address in the correct format, like name@example.gov.uk")
    if not name:
        raise DomainError("Enter the person's full name")
    problem = password_problem(password)
    if problem:
        raise DomainError(problem)
    if user_with_email(uow.session, email) is not None:
        raise DomainError("A user with that email address already exists")
    user = User(email=email, name=name, role=role.value, authority_code=authority_code,
                password_hash=_hasher.hash(password))
    uow.session.add(user)
    uow.commit()
    return user


def check_password(uow: UnitOfWork, email: str, password: str) -> SignedIn:
    """The first step of signing in. The same refusal for an unknown address and a wrong password;
    a locked account says so (its owner needs to know to wait or ask their admin)."""
    now = utc_now()
    user = user_with_email(uow.session, email or "")
    if user is None or user.deactivated_at is not None:
        _verify(_decoy_hash(), password or "")
        raise SignInRefused("Enter a correct email address and password")
    if user.locked_until is not None and user.locked_until > now:
        raise SignInRefused(f"This account is locked after {MAX_FAILED_SIGN_INS} failed sign-ins. "
                            f"Try again after {LOCK_MINUTES} minutes, or ask your authority's admin")
    if not _verify(user.password_hash, password or ""):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = now + timedelta(minutes=LOCK_MINUTES), 0
        uow.commit()
        raise SignInRefused("Enter a correct email address and password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_sign_ins, user.locked_until = 0, None
    needs_code = user.totp_secret is not None
    if not needs_code:
        user.last_signed_in_at = now
    uow.commit()
    return SignedIn(user, needs_code=needs_code,
                    needs_setup=not needs_code and two_factor_required(uow.session, user.authority_code))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_code(uow: UnitOfWork, user_id: int, code: str) -> User:
    """The second step: a six-digit code from the officer's authenticator app, each used once.
    Wrong codes count towards the lock like wrong passwords."""
    user = uow.session.get(User, user_id)
    if user is None or user.totp_secret is None:
        raise SignInRefused("Sign in again")
    step = _accepted_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
            user.locked_until, user.failed_sign_ins = utc_now() + timedelta(minutes=LOCK_MINUTES), 0
        uow.commit()
        raise SignInRefused("Enter the 6-digit code your authenticator app shows now")
    user.totp_last_step, user.failed_sign_ins, user.last_signed_in_at = step, 0, utc_now()
    uow.commit()
    return user


def _accepted_step(secret: str, code: str) -> int | None:
    code = (code or "").replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = utc_now()
    # One step either side allows for a phone's clock being a little out.
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=30 * drift)
        if totp.verify(code, for_time=at, valid_window=0):
            return totp.timecode(at)
    return None


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Crosscheck")


def set_up_two_factor(uow: UnitOfWork, user_id: int, secret: str, code: str) -> User:
    """Turn the second factor on once the officer proves their app shows the right codes."""
    user = uow.session.get(User, user_id)
    step = _accepted_step(secret, code)
    if user is None or step is None:
        raise DomainError("Enter the 6-digit code your authenticator app shows for Crosscheck")
    user.totp_secret, user.totp_last_step, user.last_signed_in_at = secret, step, utc_now()
    uow.commit()
    return user


def set_two_factor_required(uow: UnitOfWork, admin: Actor, authority_code: str, required: bool) -> None:
    _require_admin_of(admin, authority_code)
    policy = uow.session.get(SignInPolicy, authority_code) or SignInPolicy(authority_code=authority_code)
    policy.two_factor_required = required
    uow.session.add(policy)
    uow.commit()


def users_of_authority(uow: UnitOfWork, admin: Actor, authority_code: str | None) -> list[User]:
    _require_admin_of(admin, authority_code)
    return users_of(uow.session, authority_code)


def deactivate_user(uow: UnitOfWork, admin: Actor, user_id: int) -> User:
    """A leaver: the account stays (it is named in the records of what they did) but signs in no
    more, and its sessions end now."""
    from licensing.services.sessions import end_sessions_of

    user = uow.session.get(User, user_id)
    if user is None or not _may_administer(admin, user.authority_code):
        raise NotFound(f"No user {user_id} in this authority")
    if user.id == admin.user_id:
        raise DomainError("You cannot remove your own account; ask another admin")
    user.deactivated_at = utc_now()
    end_sessions_of(uow, user.id)
    uow.commit()
    return user


def set_password(uow: UnitOfWork, admin: Actor, user_id: int, password: str) -> User:
    """A new password set by the admin (a forgotten one); it also unlocks the account."""
    user = uow.session.get(User, user_id)
    if user is None or not _may_administer(admin, user.authority_code):
        raise NotFound(f"No user {user_id} in this authority")
    problem = password_problem(password)
    if problem:
        raise DomainError(problem)
    user.password_hash = _hasher.hash(password)
    user.locked_until, user.failed_sign_ins = None, 0
    uow.commit()
    return user


def unlock_user(uow: UnitOfWork, admin: Actor, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None or not _may_administer(admin, user.authority_code):
        raise NotFound(f"No user {user_id} in this authority")
    user.locked_until, user.failed_sign_ins = None, 0
    uow.commit()
    return user


def _may_administer(admin: Actor, authority_code: str | None) -> bool:
    return admin.is_service or admin.role == Role.OPERATOR or (
        admin.role == Role.AUTHORITY_ADMIN and admin.authority_code == authority_code and authority_code is not None)


def _require_admin_of(admin: Actor, authority_code: str | None) -> None:
    if not _may_administer(admin, authority_code):
        raise Forbidden("Only your authority's admin may do this")


def authority_api_keys(uow: UnitOfWork, admin: Actor, authority_code: str) -> list:
    _require_admin_of(admin, authority_code)
    return api_keys_of(uow.session, authority_code)


def create_authority_key(uow: UnitOfWork, admin: Actor, *, label: str) -> str:
    """A key for the admin's own authority's systems; returned in full only this once."""
    from licensing.services.api_keys import create_api_key

    _require_admin_of(admin, admin.authority_code)
    if not (label or "").strip():
        raise DomainError("Say which system will use the key, so that you know which to revoke later")
    return create_api_key(uow, admin.authority_code, label=label.strip()[:200])


def revoke_authority_key(uow: UnitOfWork, admin: Actor, key_id: int) -> None:
    from licensing.services.api_keys import revoke_api_key
    from licensing.store.models import ApiKey

    key = uow.session.get(ApiKey, key_id)
    if key is None or key.authority_code is None or not _may_administer(admin, key.authority_code):
        raise NotFound(f"No API key {key_id} for this authority")
    revoke_api_key(uow, key.prefix)
