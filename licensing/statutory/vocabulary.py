"""The words of the statutory register, defined once.

Decisions are those NR3S records (refusal of a new or renewal application, suspension, revocation)
plus what it misses today (DOMAIN.md): interim suspensions, and a surrender while under
investigation, which NAFN's 2024 guidance says does not avoid an entry."""

from __future__ import annotations

from enum import StrEnum


class DecisionKind(StrEnum):
    REFUSED = "refused"
    REFUSED_RENEWAL = "refused_renewal"
    SUSPENDED = "suspended"
    INTERIM_SUSPENSION = "interim_suspension"
    REVOKED = "revoked"
    SURRENDERED_UNDER_INVESTIGATION = "surrendered_under_investigation"


class Grounds(StrEnum):
    SAFEGUARDING = "safeguarding"
    ROAD_SAFETY = "road_safety"
    OTHER = "other"


# Only decisions taken wholly or partly on these grounds are shared (s.2 of the 2022 Act).
SHARED_GROUNDS = frozenset((Grounds.SAFEGUARDING, Grounds.ROAD_SAFETY))

# The licences a decision can be about: driver licences (NR3S) and private hire operators (which
# NR3S does not cover).
DECISION_LICENCE_TYPES = ("hackney_carriage_driver", "private_hire_driver", "dual_driver", "private_hire_operator")


class DecisionState(StrEnum):
    IN_EFFECT = "in_effect"
    OVERTURNED = "overturned"  # an appeal was allowed
    WITHDRAWN = "withdrawn"    # the authority withdrew it (an error, a reconsideration)


class AppealOutcome(StrEnum):
    PENDING = "pending"
    DISMISSED = "dismissed"    # the decision stands
    ALLOWED = "allowed"        # the decision is overturned
    VARIED = "varied"          # the court changed it; the authority amends the entry


class DecisionSource(StrEnum):
    API = "api"
    FEED = "feed"
    IMPORT = "import"


class ConcernCategory(StrEnum):
    """s.5 'relevant information': safeguarding (sexual offences, harassment, causing harm) or
    another risk to road safety."""

    SAFEGUARDING = "safeguarding"
    ROAD_SAFETY = "road_safety"


class HowKnown(StrEnum):
    COMPLAINT = "complaint"
    POLICE = "police"
    ENFORCEMENT = "enforcement"
    OTHER_AUTHORITY = "other_authority"
    OTHER = "other"


class ConcernOutcome(StrEnum):
    """What the licensing authority decided after considering a concern (s.6)."""

    NO_ACTION = "no_action"
    WARNING = "warning"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    OTHER_ACTION = "other_action"


class SuspensionState(StrEnum):
    IN_FORCE = "in_force"
    CONFIRMED = "confirmed"    # the issuing authority keeps it in force
    REPLACED = "replaced"      # the issuing authority made its own decision
    LIFTED = "lifted"
    LAPSED = "lapsed"          # its period ran out with no answer from the issuing authority


class IssuerResponse(StrEnum):
    CONFIRM = "confirm"
    REPLACE = "replace"
    LIFT = "lift"


# Where it was shown, for telling everyone who saw a decision that it changed (item 5).
class ShownVia(StrEnum):
    SEARCH = "search"
    DRIVER_VIEW = "driver_view"
    FINDING = "finding"
    DETAIL_REQUEST = "detail_request"


def choices(vocabulary) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)


# How a decision reads in a finding or an email: 'refused renewal by Leeds City Council'.
DECISION_WORDS = {
    DecisionKind.REFUSED: "refused",
    DecisionKind.REFUSED_RENEWAL: "refused renewal",
    DecisionKind.SUSPENDED: "suspended",
    DecisionKind.INTERIM_SUSPENSION: "suspended pending investigation",
    DecisionKind.REVOKED: "revoked",
    DecisionKind.SURRENDERED_UNDER_INVESTIGATION: "surrendered while under investigation",
}
IMMEDIATELY_SUSPENDED = "immediately suspended"
