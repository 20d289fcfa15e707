"""Who may do which statutory work: an answer to "may this actor do this", kept in one place."""

from __future__ import annotations

from licensing.actors import Actor, Role
from licensing.errors import Forbidden

# Recording and answering decisions, concerns and requests is licensing work; an authority's API
# key is its systems acting for its officers.
LICENSING_ROLES = frozenset((Role.LICENSING_OFFICER, Role.AUTHORITY_ADMIN, Role.AUTHORITY_SYSTEM))
# The 2026 power is exercised by an authorised enforcement officer.
SUSPENDING_ROLES = frozenset((Role.ENFORCEMENT_OFFICER, Role.AUTHORITY_ADMIN, Role.AUTHORITY_SYSTEM))


def require_licensing_work(caller: Actor) -> str:
    """The caller's authority, when it may do licensing work for one."""
    if caller.authority_code is None or caller.role not in LICENSING_ROLES:
        raise Forbidden("This is an authority's licensing work: use a licensing officer's account or the "
                        "authority's API key")
    return caller.authority_code


def require_suspending_officer(caller: Actor) -> str:
    if caller.authority_code is None or caller.role not in SUSPENDING_ROLES:
        raise Forbidden("An immediate suspension is recorded by an authorised enforcement officer of an authority")
    return caller.authority_code
