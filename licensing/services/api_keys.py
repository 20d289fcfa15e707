"""API keys: one authority (or the service operator) per key, stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import bindparam
from sqlmodel import select

from licensing.actors import Actor, Role
from licensing.clock import utc_now
from licensing.errors import NotFound, Unauthorised
from licensing.store.db import UnitOfWork
from licensing.store.models import ApiKey, Authority

KEY_PREFIX = "cc_"


def _hash(secret: str) -> str:
    # Keys are 256-bit random strings, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(uow: UnitOfWork, authority_code: str | None, *, label: str = "") -> str:
    """Create a key and return it in full: the only time it is ever shown."""
    session = uow.session
    if authority_code is not None and session.get(Authority, authority_code) is None:
        raise NotFound(f"No licensing authority has the code {authority_code!r}")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            authority_code=authority_code,
            role=Role.AUTHORITY_SYSTEM if authority_code else Role.OPERATOR,
            prefix=prefix,
            secret_hash=_hash(secret),
            label=label,
        )
    )
    uow.commit()
    return f"{KEY_PREFIX}{prefix}_{secret}"


# The columns it needs, not the model, in a statement built once: this runs before every API request.
_KEY_BY_PREFIX = select(ApiKey.id, ApiKey.authority_code, ApiKey.role, ApiKey.secret_hash,
                        ApiKey.revoked_at).where(ApiKey.prefix == bindparam("prefix"))


def authenticate(uow: UnitOfWork, presented: str) -> Actor:
    if not presented.startswith(KEY_PREFIX) or presented.count("_") < 2:
        raise Unauthorised("The API key is not in the form Crosscheck issues (cc_...)")
    prefix, _, secret = presented[len(KEY_PREFIX):].partition("_")
    key = uow.session.execute(_KEY_BY_PREFIX, {"prefix": prefix}).first()
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise Unauthorised("The API key is unknown or has been revoked")
    return Actor.api_key(key_id=key.id, authority_code=key.authority_code, role=key.role)


def revoke_api_key(uow: UnitOfWork, prefix: str) -> None:
    key = uow.session.exec(select(ApiKey).where(ApiKey.prefix == prefix)).first()
    if key is None:
        raise NotFound(f"No API key starts {KEY_PREFIX}{prefix}")
    key.revoked_at = utc_now()
    uow.commit()
