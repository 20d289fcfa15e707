"""The word lists the generator draws from (see data/SOURCES.md), loaded once per process."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import accumulate

_DATA = files("licensing.synthetic") / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open("rb") as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


# random.Random.choice and .choices cost several times more than one call to random(); these two
# are what makes a national register fast enough to build in a test run.


def pick(rng: random.Random, items: Sequence[str]) -> str:
    return items[int(rng.random() * len(items))]


def pick_weighted(rng: random.Random, items: Sequence[str], cumulative_weights: Sequence[float]) -> str:
    return items[bisect(cumulative_weights, rng.random() * cumulative_weights[-1])]


@dataclass(frozen=True, slots=True)
class WeightedPool:
    """Words with their running total of weights, for drawing in proportion to weight."""

    words: tuple[str, ...]
    cumulative_weights: tuple[float, ...]

    @classmethod
    def of(cls, weighted: list[tuple[str, float]]) -> WeightedPool:
        return cls(tuple(w for w, _ in weighted), tuple(accumulate(weight for _, weight in weighted)))

    def pick(self, rng: random.Random) -> str:
        return pick_weighted(rng, self.words, self.cumulative_weights)

    def most_common(self, n: int) -> tuple[str, ...]:
        weights = [b - a for a, b in zip((0.0, *self.cumulative_weights), self.cumulative_weights)]
        ranked = sorted(range(len(self.words)), key=lambda i: (-weights[i], i))
        return tuple(self.words[i] for i in ranked[:n])


@dataclass(frozen=True, slots=True)
class NameGroup:
    """Names of one community among GB drivers, and how it is represented."""

    name: str
    weight: float
    female_share: float
    two_forenames_share: float
    forenames: dict[str, WeightedPool]  # by sex, 'F' or 'M'
    surnames: WeightedPool


@cache
def name_groups() -> tuple[NameGroup, ...]:
    forenames: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for row in _rows("forenames.csv"):
        forenames[(row["group"], row["sex"])].append((row["forename"], float(row["weight"])))
    surnames: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in _rows("surnames.csv"):
        surnames[row["group"]].append((row["surname"], float(row["weight"])))
    return tuple(
        NameGroup(
            name=row["group"],
            weight=float(row["weight"]),
            female_share=float(row["female_share"]),
            two_forenames_share=float(row["two_forenames_share"]),
            forenames={sex: WeightedPool.of(forenames[(row["group"], sex)]) for sex in ("F", "M")},
            surnames=WeightedPool.of(surnames[row["group"]]),
        )
        for row in _rows("groups.csv")
    )


@cache
def name_variants() -> dict[str, tuple[str, ...]]:
    """Each spelling -> the other spellings of the same name, keyed upper-case."""
    variants: dict[str, tuple[str, ...]] = {}
    text = (_DATA / "name_variants.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spellings = tuple(line.strip().split("|"))
        for spelling in spellings:
            if spelling.upper() in variants:
                raise ValueError(f"{spelling} is in two variant sets")
            variants[spelling.upper()] = tuple(other for other in spellings if other != spelling)
    return variants


def _words(name: str) -> dict[str, tuple[str, ...]]:
    parts: dict[str, list[str]] = defaultdict(list)
    for row in _rows(name):
        parts[row["part"]].append(row["word"])
    return {part: tuple(words) for part, words in parts.items()}


@cache
def street_words() -> dict[str, tuple[str, ...]]:
    """'stem' and 'kind' ('Road', 'Close', ...) of invented street names."""
    return _words("streets.csv")


@cache
def operator_words() -> dict[str, tuple[str, ...]]:
    """'prefix' and 'trade' words of invented private hire operator names."""
    return _words("operator_names.csv")


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    postcode_count: int
    postcode_areas: tuple[str, ...]


@cache
def districts() -> dict[str, District]:
    return {
        row["district_code"]: District(
            code=row["district_code"],
            name=row["name"],
            postcode_count=int(row["postcodes"]),
            postcode_areas=tuple(row["postcode_areas"].split()),
        )
        for row in _rows("districts.csv")
    }
