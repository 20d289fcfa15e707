"""Scoring a pair of records: match weight, probability, band and the reasons behind them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Mapping

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
    compare_records,
    level_reason,
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
    names, surname_adjustment, forename_adjustment = names_weight(
        levels[SURNAME], levels[FORENAMES], comparison.names_swapped, a, b, model)
    weight = (model.prior_weight + w[DLN][levels[DLN]] + w[NI][levels[NI]] + w[DOB][levels[DOB]]
              + w[ADDRESS][levels[ADDRESS]] + names)
    return weight, surname_adjustment, forename_adjustment


def names_weight(surname_level: int, forename_level: int, swapped: bool, a: PreparedRecord, b: PreparedRecord,
                 model: MatchModel) -> tuple[float, float, float]:
    """The names' part of a pair's weight (both levels' weights and their term-frequency
    adjustments), with the two adjustments. Every way of weighing pairs adds the names' part last,
    so that their weights agree to the last bit."""
    surname_adjustment, forename_adjustment = _name_adjustments(surname_level, forename_level, swapped, a, b, model)
    w = model.level_weights
    return (w[SURNAME][surname_level] + w[FORENAMES][forename_level] + surname_adjustment + forename_adjustment,
            surname_adjustment, forename_adjustment)


def _name_adjustments(surname_level: int, forename_level: int, swapped: bool, a: PreparedRecord,
                     b: PreparedRecord, model: MatchModel) -> tuple[float, float]:
    """The term-frequency adjustments (bits) of the surname and the forenames at these levels."""
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
