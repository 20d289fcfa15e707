"""The review band and its order, on plain values: what an officer sees first, and how much of what
resolution leaves apart reaches the queue."""

from dataclasses import dataclass
from datetime import date

import pytest

from licensing.identity.model import MatchModel
from licensing.identity.records import IdentityRecord
from licensing.identity.resolve import Resolution, resolve
from licensing.identity.review import (
    ReviewBand, keeping_review_band, rank_for_review, review_band_from_env, review_coverage, stake_of,
)
from licensing.identity.score import PairScore


@dataclass(frozen=True)
class Item:
    licence_a: int
    licence_b: int
    probability: float


def test_a_revoked_record_against_a_live_licence_comes_before_a_likelier_pair_of_live_licences():
    items = [Item(1, 2, 0.95), Item(3, 4, 0.40), Item(5, 6, 0.90), Item(7, 8, 0.99)]
    stakes = {
        (1, 2): stake_of("active", "active", same_authority=False),
        (3, 4): stake_of("revoked", "active", same_authority=False),
        (5, 6): stake_of("suspended", "expired", same_authority=False),
        (7, 8): stake_of("expired", "active", same_authority=True),
    }
    ranked = rank_for_review(items, stakes)
    assert [(i.licence_a, i.licence_b) for i in ranked] == [(3, 4), (5, 6), (1, 2), (7, 8)]
    assert "a revoked driver is licensed" in stakes[(3, 4)].words
    assert "licensed twice" in stakes[(1, 2)].words


def test_the_band_is_read_from_the_setting_and_nonsense_is_refused():
    assert review_band_from_env({}).holds(0.5)
    band = review_band_from_env({"CROSSCHECK_IDENTITY_REVIEW_BAND": "0.2-0.8"})
    assert band.holds(0.2) and band.holds(0.79) and not band.holds(0.8) and not band.holds(0.1)
    for raw in ("0.8-0.2", "a-b", "0.5", "0.1-1.5"):
        with pytest.raises(ValueError, match="CROSSCHECK_IDENTITY_REVIEW_BAND"):
            review_band_from_env({"CROSSCHECK_IDENTITY_REVIEW_BAND": raw})


def score(probability: float) -> PairScore:
    return PairScore(weight=0.0, probability=probability, band="possible", reasons=())


def test_a_true_pair_left_apart_counts_as_queued_when_a_queued_pair_joins_its_clusters():
    # Person 1: records 1, 2, 3 (1 and 2 linked, 3 apart); person 2: records 4 and 5, apart.
    resolution = Resolution(cluster_of={1: 1, 2: 1, 3: 3, 4: 4, 5: 5},
                            links=[(1, 2, score(0.99999))],
                            possible=[(2, 3, score(0.5)), (4, 5, score(0.01))])
    person_of = {1: 1, 2: 1, 3: 1, 4: 2, 5: 2}
    coverage = review_coverage(person_of, resolution, ReviewBand(0.05, 0.9997))
    # (1,3) and (2,3) are reached through the queued (2,3); (4,5) is below the band.
    assert (coverage.true_pairs_unlinked, coverage.unlinked_in_queue) == (3, 2)
    assert coverage.queue_size == 1 and coverage.queue_per_10000_records == 2_000


def test_resolution_keeps_every_pair_the_band_reaches_even_below_the_models_possible_threshold():
    # One name and birthday, another year of birth, two towns: a namesake as often as one man.
    records = [IdentityRecord(1, "Okafor", "Chidi", date(1979, 3, 14), None, None, "WV1 1AA", "3 Oak Road"),
               IdentityRecord(2, "Okafor", "Chidi", date(1971, 3, 14), None, None, "M3 2BW", "77 Deansgate")]
    model = MatchModel.default().for_population(500_000)
    weight = model.bands.possible - 3
    assert keeping_review_band(model, ReviewBand(0.5, 0.99)) is model  # the band starts above: nothing to keep
    wide = keeping_review_band(model, ReviewBand(2.0**weight / (1 + 2.0**weight), 0.99))
    assert wide.bands.possible == pytest.approx(weight)
    kept = resolve(records, keeping_review_band(model, ReviewBand(0.0, 0.99))).possible
    assert [(a, b) for a, b, _ in kept] == [(1, 2)] and not resolve(records, model).possible
