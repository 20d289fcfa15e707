"""Which uncertain pairs go to people, and in what order (clerical review, as record-linkage practice
has it: the band where the model cannot tell is settled by an officer, not left unlinked unseen).

The review band is a range of match probability: every scored pair inside it is listed for the
authorities holding either record, whether the model linked it (probable: to confirm) or not
(possible: to consider). Pairs are ranked by what is at stake if the model is wrong: a revoked or
suspended record on one side and a live licence on the other first, since a missed link there is a
revoked driver nobody is told about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Iterable, Mapping, Sequence

from licensing.identity.model import MatchModel
from licensing.identity.resolve import Resolution

ADVERSE_STATUSES = ("revoked", "suspended")
LIVE_STATUSES = ("active",)

# Default band: from a chance of one in a hundred that the two records are one person (weight
# -6.6, below the packaged model's possible threshold of -4, so resolution keeps those pairs too:
# keeping_review_band) to just below the certain threshold (weight 12, 0.99976), above which the
# model is sure enough to act alone. One in a hundred, because a missed link can be a revoked
# driver licensed elsewhere, and an officer settles such a pair at a glance.
DEFAULT_LOWEST = 0.01
DEFAULT_HIGHEST = 0.9997
REVIEW_BAND_SETTING = "CROSSCHECK_IDENTITY_REVIEW_BAND"


@dataclass(frozen=True, slots=True)
class ReviewBand:
    lowest: float
    highest: float

    def holds(self, probability: float) -> bool:
        return self.lowest <= probability < self.highest


def review_band_from_env(env: Mapping[str, str]) -> ReviewBand:
    """CROSSCHECK_IDENTITY_REVIEW_BAND='0.05-0.9998': the probabilities a pair is reviewed between."""
    raw = (env.get(REVIEW_BAND_SETTING) or "").strip()
    if not raw:
        return ReviewBand(DEFAULT_LOWEST, DEFAULT_HIGHEST)
    try:
        lowest, highest = (float(part) for part in raw.split("-"))
    except ValueError:
        raise ValueError(f"{REVIEW_BAND_SETTING} must be two probabilities such as 0.05-0.9998, not {raw!r}") from None
    if not 0 <= lowest < highest <= 1:
        raise ValueError(f"{REVIEW_BAND_SETTING}: the lower probability must be below the higher, both within 0-1")
    return ReviewBand(lowest, highest)


def keeping_review_band(model: MatchModel, band: ReviewBand) -> MatchModel:
    """The model with its possible threshold lowered, if need be, to the band's lowest probability:
    pairs below the possible threshold are not stored, and a band that reaches lower must find every
    pair it asks officers to see."""
    lowest = _weight_of(band.lowest)
    if lowest >= model.bands.possible:
        return model
    return replace(model, bands=replace(model.bands, possible=lowest))


def _weight_of(probability: float) -> float:
    if probability <= 0:
        return -math.inf
    return math.log2(probability / (1 - probability))


@dataclass(frozen=True, slots=True)
class Stake:
    rank: int  # 0 comes first
    words: str


def stake_of(status_a: str | None, status_b: str | None, same_authority: bool) -> Stake:
    statuses = {status_a, status_b}
    adverse = next((s for s in (status_a, status_b) if s in ADVERSE_STATUSES), None)
    if adverse and statuses & set(LIVE_STATUSES):
        return Stake(0, f"one record is {adverse} and the other licence is live: if they are one person, "
                        f"a {adverse} driver is licensed")
    if adverse:
        return Stake(1, f"one record is {adverse}: if they are one person, the other authority should know")
    if not same_authority and statuses <= set(LIVE_STATUSES):
        return Stake(2, "both licences are live in different authorities: if they are one person, the driver is "
                        "licensed twice")
    return Stake(3, "no adverse decision on either record")


def rank_for_review(items: Sequence, stake: Mapping[tuple[int, int], Stake]) -> list:
    """Items with licence_a, licence_b and probability, most at stake first; then the most likely
    to be one person first (the quickest to confirm)."""
    return sorted(items, key=lambda item: (stake[(item.licence_a, item.licence_b)].rank, -item.probability,
                                           item.licence_a, item.licence_b))


@dataclass(frozen=True)
class ReviewCoverage:
    """How a review band serves the people a resolution left apart (labelled data only)."""

    true_pairs_unlinked: int
    unlinked_in_queue: int
    queue_size: int
    records: int

    @property
    def share_of_unlinked_in_queue(self) -> float:
        return self.unlinked_in_queue / self.true_pairs_unlinked if self.true_pairs_unlinked else 1.0

    @property
    def queue_per_10000_records(self) -> float:
        return 10_000 * self.queue_size / self.records if self.records else 0.0


def review_coverage(person_of: Mapping[int, int], resolution: Resolution, band: ReviewBand) -> ReviewCoverage:
    """A true pair left apart counts as in the queue when a queued pair joins its two clusters: that
    is the pair an officer confirms to bring them together."""
    queue = {(a, b) for a, b, score in _scored(resolution) if band.holds(score.probability)}
    cluster_of = resolution.cluster_of
    queued_clusters = {frozenset((cluster_of[a], cluster_of[b])) for a, b in queue if cluster_of[a] != cluster_of[b]}
    by_person: dict[int, list[int]] = {}
    for record_id, person in person_of.items():
        by_person.setdefault(person, []).append(record_id)
    unlinked = in_queue = 0
    for members in by_person.values():
        for a, b in combinations(sorted(members), 2):
            if cluster_of[a] != cluster_of[b]:
                unlinked += 1
                in_queue += frozenset((cluster_of[a], cluster_of[b])) in queued_clusters
    return ReviewCoverage(unlinked, in_queue, len(queue), len(person_of))


def _scored(resolution: Resolution) -> Iterable:
    yield from resolution.links
    yield from resolution.possible
