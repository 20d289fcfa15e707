"""Estimating the match model from the register: u from random pairs, cleared of the matches among
them."""

import random
from collections import Counter
from datetime import date, timedelta

from licensing.identity import estimate_model
from licensing.identity.records import IdentityRecord

SYLLABLES = ("AL", "BEN", "CAR", "DO", "EL", "FA", "GRA", "HAM", "IS", "JO", "KA", "LE", "MOR", "NA", "OS",
             "PER", "RA", "SAN", "TO", "WIL")


def name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables))


def two_feeds_of_the_same_drivers(people: int, seed: int) -> list[IdentityRecord]:
    """Every driver on two authorities' registers, the second copy with the house number mistyped:
    the shape of FEBRL4, where one random pair in a few thousand is one person."""
    rng = random.Random(seed)
    records = []
    for person in range(people):
        surname, forename = name(rng, 3), name(rng, 2)
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(3_000))
        number, street = rng.randrange(1, 200), name(rng, 2)
        for copy in range(2):
            records.append(IdentityRecord(len(records) + 1, surname, forename, born, None, None, None,
                                          f"{number + copy} {street} ROAD"))
    return records


def test_u_counts_strangers_only_when_most_drivers_have_a_second_record():
    records = two_feeds_of_the_same_drivers(1_500, seed=5)
    model = estimate_model(records, seed=5, random_pairs=200_000)

    # The true u: of all pairs of two different people, the share born on the same day.
    births = Counter(record.date_of_birth for record in records)
    same_day_pairs = sum(n * (n - 1) // 2 for n in births.values()) - len(records) // 2  # less each driver's own pair
    stranger_pairs = len(records) * (len(records) - 1) // 2 - len(records) // 2
    true_u = same_day_pairs / stranger_pairs

    estimated = next(level.u for c in model.comparisons if c.name == "date_of_birth"
                     for level in c.levels if level.name == "identical")
    # Read straight from random pairs it would be about twice the true u (one random pair in 3,000
    # is a driver's two records, as often as two strangers share a birthday), weighing a shared date
    # of birth a bit lower than it is.
    assert abs(estimated / true_u - 1) < 0.25
    assert abs(model.matches_per_record - 1) < 0.1
