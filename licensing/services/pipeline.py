"""What follows a feed: apply it, resolve the people it touched, then refresh the findings they
may change. Each step is its own transaction and leaves a marker of unfinished work
(needs_resolution, needs_findings), so a crash between steps is picked up by the next run."""

from __future__ import annotations

from dataclasses import dataclass

from licensing.bootstrap import Crosscheck
from licensing.services import decisions, feeds, findings, identity


@dataclass(frozen=True)
class PipelineReport:
    feeds: list[feeds.FeedOutcome]
    resolution: identity.ResolutionReport
    findings: findings.FindingsReport


def process_feeds(app: Crosscheck, *, authority_code: str | None = None,
                  progress: feeds.Progress | None = None) -> PipelineReport:
    outcomes = feeds.apply_pending_feeds(app, authority_code=authority_code, progress=progress)
    resolution = identity.resolve_pending(app)
    decisions.rematch_pending(app)
    refreshed = findings.refresh_pending_findings(app)
    return PipelineReport(outcomes, resolution, refreshed)


def nightly(app: Crosscheck) -> PipelineReport:
    """Full resolution then full findings: catches what time alone changes (expiry, retention)."""
    resolution = identity.resolve_everyone(app)
    decisions.rematch_everyone(app)
    return PipelineReport([], resolution, findings.refresh_all_findings(app))
