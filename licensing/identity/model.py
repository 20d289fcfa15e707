"""The Fellegi-Sunter match model, in the form Splink uses.

Every comparison level carries m (how often true matches fall into it) and u (how often two
unrelated records do); a level's weight is log2(m/u), a pair's match weight is the prior log-odds
plus the weights of its levels. Common names carry less weight than rare ones (Splink's term-frequency
adjustment): agreeing on a surname that one record in fifty has is weaker evidence than agreeing on
one that one in fifty thousand has.

The prior is kept as the number of other records of the same person an average record has, so the
same model can be applied to a register of any size (`population`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, Mapping

from licensing.identity.compare import COMPARISON_LEVELS

# Splink's term-frequency adjustment is unbounded; the register's name frequencies come from a
# sample, so the adjustment is bounded to keep one rare spelling from outweighing a date of birth.
TF_ADJUSTMENT_FLOOR = -8.0
TF_ADJUSTMENT_CEILING = 3.0


@dataclass(frozen=True, slots=True)
class LevelParameters:
    name: str
    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True, slots=True)
class ComparisonParameters:
    name: str
    levels: tuple[LevelParameters, ...]  # level 0 ("missing") is listed but never weighed


@dataclass(frozen=True, slots=True)
class Bands:
    """Match-weight thresholds (prior included); a pair at or above a threshold is in that band."""

    certain: float
    probable: float
    possible: float


@dataclass(frozen=True)
class MatchModel:
    comparisons: tuple[ComparisonParameters, ...]
    matches_per_record: float
    population: int
    bands: Bands
    surname_frequencies: Mapping[str, float]
    forename_frequencies: Mapping[str, float]
    # Frequency assumed for a name the tables do not list (rarer than any listed one).
    unlisted_name_frequency: float
    level_weights: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = tuple((c.name, tuple(level.name for level in c.levels)) for c in self.comparisons)
        if names != COMPARISON_LEVELS:
            raise ValueError("model parameters do not describe this matcher's comparisons and levels")
        weights = tuple(
            (0.0,) + tuple(level.weight for level in c.levels[1:]) for c in self.comparisons
        )
        object.__setattr__(self, "level_weights", weights)

    @property
    def prior(self) -> float:
        """Probability that two records picked at random are the same person."""
        return min(self.matches_per_record / max(self.population - 1, 1), 0.5)

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    def for_population(self, population: int) -> MatchModel:
        return replace(self, population=population)

    def to_json(self) -> str:
        return json.dumps(
            {
                "comparisons": [
                    {"name": c.name, "levels": [{"name": lv.name, "m": lv.m, "u": lv.u} for lv in c.levels]}
                    for c in self.comparisons
                ],
                "matches_per_record": self.matches_per_record,
                "population": self.population,
                "bands": {"certain": self.bands.certain, "probable": self.bands.probable, "possible": self.bands.possible},
                "unlisted_name_frequency": self.unlisted_name_frequency,
                "surname_frequencies": dict(sorted(self.surname_frequencies.items())),
                "forename_frequencies": dict(sorted(self.forename_frequencies.items())),
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> MatchModel:
        data: dict[str, Any] = json.loads(text)
        return cls(
            comparisons=tuple(
                ComparisonParameters(
                    c["name"], tuple(LevelParameters(lv["name"], float(lv["m"]), float(lv["u"])) for lv in c["levels"])
                )
                for c in data["comparisons"]
            ),
            matches_per_record=float(data["matches_per_record"]),
            population=int(data["population"]),
            bands=Bands(**data["bands"]),
            surname_frequencies={k: float(v) for k, v in data["surname_frequencies"].items()},
            forename_frequencies={k: float(v) for k, v in data["forename_frequencies"].items()},
            unlisted_name_frequency=float(data["unlisted_name_frequency"]),
        )

    @classmethod
    def default(cls) -> MatchModel:
        """The packaged parameters, estimated from a generator sample (see docs/matching.md)."""
        text = resources.files("licensing.identity").joinpath("data/default_model.json").read_text("utf-8")
        return cls.from_json(text)
