"""Scoring a pair of records: match weight, probability, band and the reasons behind them."""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

from licensing.identity.compare import (
    ADDRESS,
    DLN,
    DOB,
    FORENAMES,
    NAME_LEVELS_WEIGHED_BY_FREQUENCY,
    NI,
    SURNAME,
    SURNAME_SHARES_PART,
    Comparison,
    address_level,
    compare_records,
    dln_level,
    dob_level,
    level_reason,
    name_levels,
    ni_level,
    shared_part,
)
from licensing.identity.model import TF_ADJUSTMENT_CEILING, TF_ADJUSTMENT_FLOOR, MatchModel
from licensing.identity.records import IdentityRecord, PreparedRecord, prepare_cached

Band = Literal["certain", "probable", "possible", "none"]

# Comparisons in the order their reasons are read out: identifiers first.
_REASON_ORDER = (DLN, NI, DOB, SURNAME, FORENAMES, ADDRESS)
# A term-frequency adjustment this large (in bits) is worth telling the officer about.
_NOTABLE_ADJUSTMENT = 1.0


@dataclass(frozen=True, slots=True)
class PairScore:
    weight: float  # prior log-odds plus the sum of log2 Bayes factors
    probability: float
    band: Band
    reasons: tuple[str, ...]


def score_pair(a: IdentityRecord, b: IdentityRecord, model: MatchModel) -> PairScore:
    return score_prepared(prepare_cached(a), prepare_cached(b), model)


def score_prepared(a: PreparedRecord, b: PreparedRecord, model: MatchModel) -> PairScore:
    comparison = compare_records(a, b)
    weight, surname_adjustment, forename_adjustment = weigh(comparison, a, b, model)
    return explain(comparison, weight, surname_adjustment, forename_adjustment, a, b, model)


def weigh(comparison: Comparison, a: PreparedRecord, b: PreparedRecord, model: MatchModel) -> tuple[float, float, float]:
    """Match weight with its two term-frequency adjustments (already included in the weight)."""
    levels = comparison.levels
    w = model.level_weights
    surname_adjustment, forename_adjustment = _name_adjustments(
        levels[SURNAME], levels[FORENAMES], comparison.names_swapped, a, b, model)
    names = w[SURNAME][levels[SURNAME]] + w[FORENAMES][levels[FORENAMES]] + surname_adjustment + forename_adjustment
    weight = (model.prior_weight + w[DLN][levels[DLN]] + w[NI][levels[NI]] + w[DOB][levels[DOB]]
              + w[ADDRESS][levels[ADDRESS]] + names)
    return weight, surname_adjustment, forename_adjustment


class PairWeigher:
    """The match weights of pairs of a list of records under one model, exactly as weigh() gives
    them, for a full run over millions of pairs. The names' part of a weight (both name comparisons
    and their term-frequency adjustments) depends on the two records' names alone, and candidate
    pairs repeat pairs of names (those of a national register hold half as many pairs of names as
    pairs), so it is worked out once per pair of names. Each record's names are numbered once, so
    that a pair of names is one small integer: a national register has over a million of them."""

    def __init__(self, model: MatchModel, records: Sequence[PreparedRecord]) -> None:
        self._model = model
        self._records = records
        # A name part is made from its tokens alone (names.name_part).
        numbers: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
        self._names_of = array("L", (numbers.setdefault((r.surname.tokens, r.forenames.tokens), len(numbers))
                                     for r in records))
        self._stride = max(len(numbers), 1)
        self._names: dict[int, float] = {}
        # Read once: the model computes its prior weight on every reading.
        self._prior_weight = model.prior_weight
        self._dln, self._ni, self._dob, self._address = (model.level_weights[c] for c in (DLN, NI, DOB, ADDRESS))

    def __call__(self, i: int, j: int) -> float:
        """The weight of the pair of records at positions i and j."""
        a, b = self._records[i], self._records[j]
        key = self._names_of[i] * self._stride + self._names_of[j]
        names = self._names.get(key)
        if names is None:
            names = self._names[key] = self._names_weight(a, b)
        # Summed in weigh()'s order, so that the weight is the same to the last bit.
        return (self._prior_weight + self._dln[dln_level(a, b)] + self._ni[ni_level(a, b)]
                + self._dob[dob_level(a.dob_digits, b.dob_digits)] + self._address[address_level(a, b)] + names)

    def _names_weight(self, a: PreparedRecord, b: PreparedRecord) -> float:
        model = self._model
        surname_level, forename_level, swapped = name_levels(a, b)
        surname_adjustment, forename_adjustment = _name_adjustments(surname_level, forename_level, swapped, a, b, model)
        w = model.level_weights
        return w[SURNAME][surname_level] + w[FORENAMES][forename_level] + surname_adjustment + forename_adjustment


def _name_adjustments(surname_level: int, forename_level: int, swapped: bool, a: PreparedRecord,
                      b: PreparedRecord, model: MatchModel) -> tuple[float, float]:
    surname_adjustment = forename_adjustment = 0.0
    if surname_level in NAME_LEVELS_WEIGHED_BY_FREQUENCY or surname_level == SURNAME_SHARES_PART:
        other = b.forenames if swapped else b.surname
        if surname_level == SURNAME_SHARES_PART:
            names: tuple[str, ...] = (shared_part(a.surname.canonical, other.canonical) or "",)
        else:
            names = (a.surname.canonical_joined, other.canonical_joined)
        surname_adjustment = _tf_adjustment(model, SURNAME, model.surname_frequencies, names)
    if forename_level in NAME_LEVELS_WEIGHED_BY_FREQUENCY:
        if _same_forenames_in_full(forename_level, swapped, a, b):
            forename_adjustment = _full_forenames_adjustment(model, a.forenames.canonical)
        else:
            other = b.surname if swapped else b.forenames
            names = (a.forenames.first_canonical, other.first_canonical)
            forename_adjustment = _tf_adjustment(model, FORENAMES, model.forename_frequencies, names)
    return surname_adjustment, forename_adjustment


def same_forenames_in_full(comparison: Comparison, a: PreparedRecord, b: PreparedRecord) -> bool:
    return _same_forenames_in_full(comparison.levels[FORENAMES], comparison.names_swapped, a, b)


def _same_forenames_in_full(forename_level: int, swapped: bool, a: PreparedRecord, b: PreparedRecord) -> bool:
    """Both records give two or more forenames, the same names in the same order (variants of one
    name count as the same): the forename level reads the first forename only, so this is what
    says that the middle names agree too."""
    return (not swapped and forename_level in NAME_LEVELS_WEIGHED_BY_FREQUENCY
            and len(a.forenames.canonical) > 1 and a.forenames.canonical == b.forenames.canonical)


def _full_forenames_adjustment(model: MatchModel, names: tuple[str, ...]) -> float:
    """The term-frequency adjustment for agreeing on all of a person's forenames, as Splink's
    adjustment on the whole forenames value would be: 'Nadeem Mohammed' is rarer than 'Nadeem'.
    The share of records with that combination is taken as the product of its names' shares (a
    middle name is chosen independently of the first), so no table of combinations is needed."""
    frequency = math.prod(model.forename_frequencies.get(name, model.unlisted_name_frequency) for name in names)
    return _bounded_adjustment(model, FORENAMES, frequency)


def _tf_adjustment(model: MatchModel, comparison: int, frequencies: Mapping[str, float], names: tuple[str, ...]) -> float:
    """Splink's term-frequency adjustment: the Bayes factor of agreeing on this name rather than on
    the average name, log2(u of identical / frequency of the name). A typo or a variant of a name
    is weighed by the more common of the two spellings, a shared part of a double-barrelled name by
    that part: agreeing on a slip of 'Smith' is still agreeing on a common name."""
    frequency = max(frequencies.get(name, model.unlisted_name_frequency) for name in names)
    return _bounded_adjustment(model, comparison, frequency)


def _bounded_adjustment(model: MatchModel, comparison: int, frequency: float) -> float:
    average_u = model.comparisons[comparison].levels[1].u
    return min(max(math.log2(average_u / frequency), TF_ADJUSTMENT_FLOOR), TF_ADJUSTMENT_CEILING)


def band_of(weight: float, model: MatchModel) -> Band:
    bands = model.bands
    if weight >= bands.certain:
        return "certain"
    if weight >= bands.probable:
        return "probable"
    if weight >= bands.possible:
        return "possible"
    return "none"


def probability_of(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


def explain(
    comparison: Comparison,
    weight: float,
    surname_adjustment: float,
    forename_adjustment: float,
    a: PreparedRecord,
    b: PreparedRecord,
    model: MatchModel,
) -> PairScore:
    reasons: list[str] = []
    for index in _REASON_ORDER:
        reason = level_reason(index, comparison.levels[index], a, b, comparison.names_swapped)
        if reason:
            reasons.append(reason)
        if index == FORENAMES and comparison.names_swapped:
            reasons.append("forenames and surname swapped on one record")
    forenames = "combination of forenames" if same_forenames_in_full(comparison, a, b) else "forename"
    for adjustment, what in ((surname_adjustment, "surname"), (forename_adjustment, forenames)):
        if adjustment <= -_NOTABLE_ADJUSTMENT:
            reasons.append(f"a common {what}, so agreeing on it counts for less")
        elif adjustment >= _NOTABLE_ADJUSTMENT:
            reasons.append(f"an uncommon {what}, so agreeing on it counts for more")
    return PairScore(weight, probability_of(weight), band_of(weight, model), tuple(reasons))
