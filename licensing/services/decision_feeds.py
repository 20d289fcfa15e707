"""Applying a decisions feed, inside the licence feeds' machinery (licensing.services.feeds): the
same receipt, queue, order per authority, hold and confirmation, and one transaction per feed.

The feed speaks for the decisions that came by feed or import: new references are recorded,
changed rows amended (in each decision's history), and those missing from the feed withdrawn —
unless that would withdraw more than the hold share, or too many rows are invalid, when the feed
waits for the authority's confirmation, as a truncated licence feed does."""

from __future__ import annotations

import logging

from licensing.actors import Actor, ActorKind, Role
from licensing.feeds.decisions import parse_decision_feed
from licensing.feeds.parse import RowProblem
from licensing.services import decisions as decision_service
from licensing.services.feeds import APPLIED, NEEDS_CONFIRMATION
from licensing.statutory.settings import statutory_settings
from licensing.statutory.vocabulary import DecisionSource, DecisionState
from licensing.store.decisions import decision_by_reference, feed_decisions_of

log = logging.getLogger(__name__)

_AMENDABLE = decision_service.AMENDABLE


def feed_actor(feed) -> Actor:
    if feed.api_key_id is not None:
        return Actor.api_key(key_id=feed.api_key_id, authority_code=feed.authority_code, role=Role.AUTHORITY_SYSTEM)
    # An import from the command line: the authority's systems, brought in by the operator.
    return Actor(kind=ActorKind.SERVICE, authority_code=feed.authority_code, role=Role.AUTHORITY_SYSTEM)


def apply_decision_feed(app, uow, feed, body: bytes) -> str:
    """Apply, hold or reject the feed; returns the status it ends in. The caller commits."""
    session = uow.session
    parsed = parse_decision_feed(body, feed.content_type,
                                 retention_years=statutory_settings(app.settings).decision_retention_years)
    source = DecisionSource.IMPORT if feed.source == "import" else DecisionSource.FEED
    ours = {d.reference: d for d in feed_decisions_of(session, feed.authority_code)}
    to_add, to_change, unchanged, problems = [], [], 0, list(parsed.problems)
    for row in parsed.rows:
        existing = ours.get(row.reference)
        if existing is None:
            if decision_by_reference(session, feed.authority_code, row.reference) is not None:
                problems.append(_problem(row.row, "reference", f"reference {row.reference!r} belongs to a decision "
                                                               "recorded in the service; amend that one there"))
                continue
            to_add.append(row)
        elif {name: getattr(existing, name) for name in _AMENDABLE} != {name: row.values[name] for name in _AMENDABLE}:
            to_change.append((existing, row))
        else:
            unchanged += 1
    keep = {row.reference for row in parsed.rows} | parsed.rejected_references
    in_effect = [d for d in ours.values() if d.state == DecisionState.IN_EFFECT]
    to_withdraw = [d for d in in_effect if d.reference not in keep]
    rejected = len({p.row for p in problems if p.row is not None})
    feed.total_rows, feed.problems = parsed.total_rows, [_json(p) for p in problems]
    feed.added, feed.changed, feed.unchanged, feed.ended, feed.rejected = (len(to_add), len(to_change), unchanged,
                                                                           len(to_withdraw), rejected)
    hold = app.settings.feed_hold_share
    reasons = []
    if in_effect and len(to_withdraw) / len(in_effect) > hold:
        reasons.append(f"it would withdraw {len(to_withdraw)} of the {len(in_effect)} decisions your feeds recorded, "
                       f"more than the {hold:.0%} allowed without confirmation")
    if parsed.total_rows and rejected / parsed.total_rows > hold:
        reasons.append(f"{rejected} of its {parsed.total_rows} rows are invalid, more than the {hold:.0%} allowed "
                       "without confirmation")
    if reasons and not feed.confirmed_at:
        feed.message = "Held for confirmation because " + " and ".join(reasons) + ". Nothing has changed yet."
        return NEEDS_CONFIRMATION
    actor = feed_actor(feed)
    # Each decision is flushed when it is recorded; matching reads only licences, so the session
    # need not flush before every query (a thousand-row import would spend most of its time there).
    with session.no_autoflush:
        _execute(uow, actor, feed, source, to_add, to_change, to_withdraw)
    feed.message = None
    log.info("decisions feed applied", extra={"feed_id": feed.id, "added": len(to_add), "changed": len(to_change),
                                              "withdrawn": len(to_withdraw), "rejected": rejected})
    return APPLIED


def _execute(uow, actor, feed, source, to_add, to_change, to_withdraw) -> None:
    for row in to_add:
        decision_service.record_decision(uow, actor, decision_service.DecisionInput(**row.values), source=source,
                                         feed_id=feed.id, commit=False)
    for existing, row in to_change:
        decision_service.apply_change(uow, actor, existing, decision_service.DecisionChange(
            note=f"Changed by feed {feed.id}", changes={name: row.values[name] for name in _AMENDABLE}))
    for decision in to_withdraw:
        decision_service.apply_change(uow, actor, decision, decision_service.DecisionChange(
            note=f"No longer in the authority's decisions feed {feed.id}", changes={}, withdraw=True))


def _problem(row, field, message):
    return RowProblem(row, field, message, "error")


def _json(problem) -> dict:
    return {"row": problem.row, "field": problem.field, "message": problem.message, "severity": problem.severity}
