"""Who acted: an officer signed in to the pages, an API key (an authority's system or the
operator's), or the service itself. One model, recorded wherever an action is (audit events,
identity decisions, finding handling, feed confirmations), so that every record answers "who did
this, for which authority" the same way.

Roles are defined here once. An officer has one role in one authority (the national operator
belongs to none); an authority's API key acts as that authority's system, with what its
integrations need (feeds, searches, findings); the operator's key acts as the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LICENSING_OFFICER = "licensing_officer"    # search, open a person, decisions and concerns
    ENFORCEMENT_OFFICER = "enforcement_officer"  # findings
    AUTHORITY_ADMIN = "authority_admin"        # users, API keys, feeds and mapping, team addresses
    AUTHORITY_SYSTEM = "authority"             # an authority's API key: its systems' integration
    OPERATOR = "operator"                      # the national operator: no personal data beyond need


class ActorKind(StrEnum):
    OFFICER = "officer"
    API_KEY = "api_key"
    SERVICE = "service"


@dataclass(frozen=True)
class Actor:
    """The one who acts in a request, a job or a command. `authority_code` is None for the
    operator and for the service itself."""

    kind: ActorKind
    authority_code: str | None
    role: Role
    key_id: int | None = None
    user_id: int | None = None

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_service(self) -> bool:
        return self.kind == ActorKind.SERVICE

    @classmethod
    def service(cls) -> Actor:
        """Crosscheck itself: scheduled jobs, automatic closures, the model's links."""
        return cls(kind=ActorKind.SERVICE, authority_code=None, role=Role.OPERATOR)

    @classmethod
    def api_key(cls, *, key_id: int, authority_code: str | None, role: str) -> Actor:
        return cls(kind=ActorKind.API_KEY, authority_code=authority_code, role=Role(role), key_id=key_id)

    @classmethod
    def officer(cls, *, user_id: int, authority_code: str | None, role: str) -> Actor:
        return cls(kind=ActorKind.OFFICER, authority_code=authority_code, role=Role(role), user_id=user_id)

    def recorded(self, prefix: str = "actor") -> dict:
        """The columns that store this actor on a record: `{prefix}_kind`, `{prefix}_user_id`,
        `{prefix}_api_key_id`, `{prefix}_authority_code`."""
        return {f"{prefix}_kind": self.kind.value, f"{prefix}_user_id": self.user_id,
                f"{prefix}_api_key_id": self.key_id, f"{prefix}_authority_code": self.authority_code}
