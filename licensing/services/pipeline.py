"""What follows a feed: apply it, resolve the people it touched, then refresh findings. Each step
is its own transaction and leaves a marker of unfinished work, so a crash between steps is picked
up by the next run."""

from __future__ import annotations

from dataclasses import dataclass

from licensing.bootstrap import Crosscheck
from licensing.services import feeds, identity


@dataclass(frozen=True)
class PipelineReport:
    feeds: list[feeds.FeedOutcome]
    resolution: identity.ResolutionReport


def process_feeds(app: Crosscheck, *, authority_code: str | None = None) -> PipelineReport:
    outcomes = feeds.apply_pending_feeds(app, authority_code=authority_code)
    resolution = identity.resolve_pending(app)
    return PipelineReport(outcomes, resolution)
