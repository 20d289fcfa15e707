"""The register's tables. Schema changes go through Alembic migrations (licensing/store/migrations);
a test checks that these models and the migrations agree."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from licensing.clock import utc_now
from licensing.store.types import UtcDateTime, metadata  # noqa: F401  (naming convention applied)


def _created() -> datetime:
    return utc_now()


class Authority(SQLModel, table=True):
    """A taxi and private hire licensing authority (ONS district code of the council, or TFL)."""

    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=200)
    country: str = Field(max_length=16)
    enforcement_email: str | None = Field(default=None, max_length=254)
    licensing_email: str | None = Field(default=None, max_length=254)
    alert_digest: str = Field(default="daily", max_length=16)  # daily | immediate
    # Pulled feeds: the authority publishes its register at a URL that the jobs worker fetches.
    feed_url: str | None = Field(default=None, max_length=2000)
    feed_pull_minutes: int | None = Field(default=None)
    feed_etag: str | None = Field(default=None, max_length=500)
    feed_last_modified: str | None = Field(default=None, max_length=100)
    feed_last_pulled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    feed_pull_error: str | None = Field(default=None, max_length=1000)
    last_feed_received_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    # None for the service operator's keys, which belong to no authority.
    authority_code: str | None = Field(default=None, foreign_key="authority.code", index=True)
    role: str = Field(max_length=16)  # authority | operator
    prefix: str = Field(max_length=16, unique=True)
    secret_hash: str = Field(max_length=64)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Feed(SQLModel, table=True):
    """One licence feed as received: kept verbatim until applied, with its outcome."""

    id: int | None = Field(default=None, primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", max_length=16)
    source: str = Field(max_length=16)  # push | pull | import | upload (a file an admin sent from the pages)
    # What the feed holds: the authority's licences, or its decisions (licensing.services.decision_feeds).
    kind: str = Field(default="licences", max_length=16, sa_column_kwargs={"server_default": "licences"})
    content_type: str = Field(max_length=100)
    body_sha256: str = Field(max_length=64)
    body_bytes: int = 0
    # How an applied licence feed was read: its content type, the authority's mapping and the day
    # (two-digit years and expiry warnings depend on it). With body_sha256 it recognises a re-post.
    read_as: str | None = Field(default=None, max_length=64)
    received_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)
    status: str = Field(default="received", max_length=32)
    message: str | None = Field(default=None, max_length=2000)
    total_rows: int | None = None
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    ended: int = 0
    rejected: int = 0
    problems: list | None = Field(default=None, sa_type=JSON)
    # How many values of each field the authority's mapping or the built-in codes interpreted.
    interpreted: dict | None = Field(default=None, sa_type=JSON)
    confirmed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Who confirmed a feed held for confirmation (an Actor, see licensing/actors.py).
    confirmed_by_kind: str | None = Field(default=None, max_length=16)
    confirmed_by_user_id: int | None = None
    confirmed_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    confirmed_by_authority_code: str | None = Field(default=None, max_length=16)
    applied_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    # The stages after applying, each set by the run that covered this feed (one run may cover
    # several feeds received together, so the counts are that run's).
    resolved_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    findings_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    findings_opened: int | None = None
    findings_updated: int | None = None
    findings_closed: int | None = None
    alerts_queued: int | None = None
    alerts_held: int | None = None

    __table_args__ = (Index("ix_feed_authority_status", "authority_code", "status", "id"),)


class FeedBody(SQLModel, table=True):
    """The bytes of a feed, apart from its status row so that polling never loads megabytes.
    Deleted once the feed has been applied or rejected and its retention has passed."""

    __tablename__ = "feed_body"

    feed_id: int = Field(foreign_key="feed.id", primary_key=True)
    body: bytes = Field(sa_type=LargeBinary)


class Driver(SQLModel, table=True):
    """A resolved person: every licence record belongs to one. A driver whose records all moved to
    another (two people found to be one) keeps its id, pointing at where they went."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)
    # Indexed: the findings refresh asks which drivers moved into the ones in its scope.
    merged_into_id: int | None = Field(default=None, foreign_key="driver.id", index=True)


class Licence(SQLModel, table=True):
    """A licence as its authority last reported it. Ended licences are kept (ended_at set)."""

    id: int | None = Field(default=None, primary_key=True)
    authority_code: str = Field(foreign_key="authority.code", max_length=16)
    licence_number: str = Field(max_length=64)
    licence_type: str = Field(max_length=32)
    status: str = Field(max_length=16)
    issued_on: date | None = None
    expires_on: date | None = None
    surname: str = Field(sa_type=String(200))
    forenames: str = Field(default="", sa_type=String(200))
    date_of_birth: date | None = None
    # Indexed: records sharing a number are brought together for identity conflicts.
    driving_licence_number: str | None = Field(default=None, max_length=32, index=True)
    ni_number: str | None = Field(default=None, max_length=16)
    address: str | None = Field(default=None, max_length=500)
    postcode: str | None = Field(default=None, max_length=10)
    home_authority_code: str | None = Field(default=None, max_length=16)
    home_district_code: str | None = Field(default=None, max_length=16)
    home_precision: str = Field(default="unknown", max_length=16)  # exact | probable | unknown
    home_share: float | None = None
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
    # Set when the record is added or changes; identity resolution clears it.
    needs_resolution: bool = Field(default=True, index=True)
    # Set when the record, or the person it belongs to, changes; the findings refresh clears it.
    needs_findings: bool = Field(default=True, index=True)
    dln_grade: str | None = Field(default=None, max_length=24)
    content_hash: str = Field(max_length=40)
    first_feed_id: int | None = Field(default=None, foreign_key="feed.id")
    last_changed_feed_id: int | None = Field(default=None, foreign_key="feed.id")
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ended_by_feed_id: int | None = Field(default=None, foreign_key="feed.id")
    created_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)

    __table_args__ = (
        UniqueConstraint("authority_code", "licence_number", name="uq_licence_authority_number"),
    )


class LicenceEvent(SQLModel, table=True):
    """The history of a licence record: what each feed changed (old and new values)."""

    __tablename__ = "licence_event"

    id: int | None = Field(default=None, primary_key=True)
    licence_id: int = Field(foreign_key="licence.id", index=True)
    feed_id: int = Field(foreign_key="feed.id")
    kind: str = Field(max_length=16)  # changed | ended | reinstated
    changes: dict | None = Field(default=None, sa_type=JSON)
    at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)



class JobStatus(SQLModel, table=True):
    """The last run of each scheduled job: what the operator checks to see the worker is well."""

    __tablename__ = "job_status"

    job: str = Field(primary_key=True, max_length=64)
    last_started_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_duration_seconds: float | None = None
    last_outcome: str | None = Field(default=None, max_length=16)  # ok | failed
    last_detail: str | None = Field(default=None, max_length=2000)
    last_success_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    runs: int = 0
    failures: int = 0


class IdentityKey(SQLModel, table=True):
    """Blocking keys of each licence record: records sharing a key are compared, and searches
    find their candidates through this index."""

    __tablename__ = "identity_key"

    key: str = Field(primary_key=True, max_length=120)
    licence_id: int = Field(primary_key=True, foreign_key="licence.id", index=True)


class IdentityLink(SQLModel, table=True):
    """A scored pair of licence records: certain and probable pairs are linked into one driver;
    possible ones are listed for review. The reasons are in words an officer understands."""

    __tablename__ = "identity_link"

    licence_a: int = Field(primary_key=True, foreign_key="licence.id")
    licence_b: int = Field(primary_key=True, foreign_key="licence.id", index=True)
    band: str = Field(max_length=16)  # certain | probable | possible
    linked: bool
    weight: float
    # The prior odds inside the weight, which depend on the register's size when it was scored.
    prior_weight: float
    probability: float
    reasons: list = Field(sa_type=JSON)
    scored_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)
    # Which match model scored the pair: 'packaged' or the version adopted (identity_model.id).
    model_version: str | None = Field(default=None, max_length=40)


class IdentityDecision(SQLModel, table=True):
    """An officer's ruling that two records are (or are not) the same person. It overrides the
    model in every later run."""

    __tablename__ = "identity_decision"

    id: int | None = Field(default=None, primary_key=True)
    licence_a: int = Field(foreign_key="licence.id", index=True)
    licence_b: int = Field(foreign_key="licence.id", index=True)
    verdict: str = Field(max_length=16)  # same | different
    reason: str = Field(max_length=2000)
    # Who decided (an Actor, see licensing/actors.py); user ids point at officers once they exist.
    decided_by_kind: str = Field(max_length=16)
    decided_by_user_id: int | None = None
    decided_by_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    decided_by_authority_code: str | None = Field(default=None, foreign_key="authority.code", max_length=16)
    decided_at: datetime = Field(default_factory=_created, sa_type=UtcDateTime)


class AuditEvent(SQLModel, table=True):
    """Append-only record of every search and every disclosure of a driver's records: who, which
    authority, when, why, what was asked and what was shown. The database refuses updates and
    deletes (triggers in the migration)."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_created, sa_type=UtcDateTime, index=True)
    kind: str = Field(max_length=32)  # search | driver_view | ...
    # Who acted (an Actor, see licensing/actors.py). authority_code is the authority on whose behalf.
    actor_kind: str | None = Field(default=None, max_length=16)
    actor_user_id: int | None = None
    actor_api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    actor_authority_code: str | None = Field(default=None, max_length=16)
    authority_code: str | None = Field(default=None, max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=64)
    reference: str | None = Field(default=None, max_length=200)
    query: dict | None = Field(default=None, sa_type=JSON)
    shown: list | None = Field(default=None, sa_type=JSON)


# Tables kept in their own modules; imported here so that the metadata (and Alembic) sees them all.
from licensing.store.findings import (  # noqa: E402,F401
    DigestItem, Finding, FindingAuthority, FindingEvent, FindingHandling, FindingLicence,
)
from licensing.store.outbox import OutboxMessage  # noqa: E402,F401
from licensing.store.scheduler import SchedulerHeartbeat  # noqa: E402,F401
from licensing.store.held_alerts import HeldAlert  # noqa: E402,F401
from licensing.store.feed_mappings import FeedMappingRecord  # noqa: E402,F401
from licensing.store.identity_models import IdentityModel  # noqa: E402,F401
from licensing.store.decisions import Decision, DecisionDisclosure, DecisionEvent, DecisionKey  # noqa: E402,F401
from licensing.store.concerns import Concern, ConcernRecipient  # noqa: E402,F401
from licensing.store.detail_requests import DetailRequest  # noqa: E402,F401
from licensing.store.suspensions import ImmediateSuspension  # noqa: E402,F401
from licensing.store.notices import Notice  # noqa: E402,F401
from licensing.store.users import SignInPolicy, User, UserSession  # noqa: E402,F401
