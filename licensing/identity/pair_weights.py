"""Match weights of many pairs at once, for a full run over a register's millions of candidate pairs.

The weights are those `score.weigh` gives, to the last bit (a unit test holds every pair of a
register to it), worked out a slice of pairs at a time in arrays rather than pair by pair:

- licence and NI numbers, dates of birth and postcodes are compared as numbers and bytes;
- addresses, and the typo test of the two identifiers, go through rapidfuzz's compiled loop over
  the slice (`cpdist`), on every core, outside the interpreter lock;
- the names' part (both name comparisons and their term-frequency adjustments) depends on the two
  records' names alone, and candidate pairs repeat pairs of names (a national register's 2.7 million
  candidate pairs hold 1.2 million pairs of names), so it is worked out once per pair of names, from
  the steps of `compare._name_levels`, each kept once per pair of name parts.

Each level below is decided in the order `compare.py` decides it: that module says why.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.fuzz import token_set_ratio
from rapidfuzz.process import cpdist

from licensing.identity.compare import (
    ADDRESS,
    DLN,
    DOB,
    HOLDER_PART,
    NI,
    PARTLY_SIMILAR_ADDRESS,
    SIMILAR_ADDRESS,
    better_reading,
    forename_level,
    postcode_area,
    surname_level,
    swapped_surname_level,
)
from licensing.identity.model import MatchModel
from licensing.identity.names import NamePart
from licensing.identity.records import PreparedRecord
from licensing.identity.score import names_weight

_MISSING = -1
_NO_WEIGHT = float("nan")  # no names' weight worked out yet (a real one is never NaN)


class PairWeights:
    """The match weights of pairs of these records (by position) under one model."""

    def __init__(self, model: MatchModel, records: Sequence[PreparedRecord], *, threads: int = -1) -> None:
        self._model = model
        self._records = records
        self._threads = threads  # for rapidfuzz's loops; -1 is every core
        self._prior_weight = model.prior_weight
        self._level_weights = [np.array(weights) for weights in model.level_weights]
        count = len(records)
        self._dob = np.frombuffer("".join(r.dob_digits or "00000000" for r in records).encode("ascii"),
                                  dtype=np.uint8).reshape(count, 8)
        self._has_dob = np.fromiter((bool(r.dob_digits) for r in records), dtype=bool, count=count)
        self._dln = _Identifier([r.dln for r in records], [r.dln_well_formed for r in records], threads=threads,
                                holders=[r.dln[:HOLDER_PART] if r.dln else None for r in records])
        self._ni = _Identifier([r.ni for r in records], [r.ni_valid for r in records], threads=threads)
        postcodes = [r.postcode for r in records]
        self._postcode = _codes(postcodes)
        self._sector = _codes([p[:-2] if p else None for p in postcodes])
        self._district = _codes([p[:-4] if p else None for p in postcodes])
        self._area = _codes([postcode_area(p) if p else None for p in postcodes])
        self._address = np.array([r.address for r in records], dtype=object)
        self._has_address = self._address.astype(bool)
        self._has_place = self._has_address | (self._postcode != _MISSING)
        # A name part is made from its tokens alone (names.name_part), so each is numbered by them,
        # and a pair of records' names is one number: the number of the first record's names times
        # the count, plus the second's.
        parts: dict[tuple[str, ...], int] = {}
        self._surname_of = [parts.setdefault(r.surname.tokens, len(parts)) for r in records]
        self._forenames_of = [parts.setdefault(r.forenames.tokens, len(parts)) for r in records]
        names: dict[tuple[int, int], int] = {}
        self._names_of = np.fromiter((names.setdefault(both, len(names))
                                      for both in zip(self._surname_of, self._forenames_of)), dtype=np.int64, count=count)
        self._names_count = max(len(names), 1)
        self._parts_count = max(len(parts), 1)
        self._names: dict[int, float] = {}
        # Pairs of name parts repeat far more than pairs of whole names: each comparison of two
        # parts is kept, by the parts' numbers.
        self._surname_levels: dict[int, int] = {}
        self._forename_levels: dict[int, int] = {}
        self._swapped_surname_levels: dict[int, int] = {}

    def __call__(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The weights of the pairs (first[k], second[k]), as an array."""
        w = self._level_weights
        # Summed in weigh()'s order, so that each weight is the same to the last bit.
        return (self._prior_weight + w[DLN][self._dln.levels(first, second)]
                + w[NI][self._ni.levels(first, second)] + w[DOB][self._dob_levels(first, second)]
                + w[ADDRESS][self._address_levels(first, second)] + self._names_weights(first, second))

    def _dob_levels(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        a, b = self._dob[first], self._dob[second]
        differs = a != b
        differing = differs.sum(axis=1)
        swapped = ((a[:, :4] == b[:, :4]).all(axis=1) & (a[:, 4:6] == b[:, 6:8]).all(axis=1)
                   & (a[:, 6:8] == b[:, 4:6]).all(axis=1))
        neighbours_swapped = np.zeros(len(first), dtype=bool)
        for k in range(7):
            neighbours_swapped |= differs[:, k] & differs[:, k + 1] & (a[:, k] == b[:, k + 1]) & (a[:, k + 1] == b[:, k])
        same_birthday = (a[:, 4:] == b[:, 4:]).all(axis=1)
        missing = ~(self._has_dob[first] & self._has_dob[second])
        return np.select(
            [missing, differing == 0, swapped, differing == 1, (differing == 2) & neighbours_swapped, same_birthday,
             differing == 2],
            [0, 1, 2, 3, 3, 5, 4], default=6)

    def _address_levels(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        both_addresses = self._has_address[first] & self._has_address[second]
        similarity = np.zeros(len(first))
        if both_addresses.any():
            compared = np.flatnonzero(both_addresses)
            similarity[compared] = cpdist(self._address[first[compared]], self._address[second[compared]],
                                          scorer=token_set_ratio, score_cutoff=PARTLY_SIMILAR_ADDRESS,
                                          dtype=np.float64, workers=self._threads)
        postcode_a, postcode_b = self._postcode[first], self._postcode[second]
        both_postcodes = (postcode_a != _MISSING) & (postcode_b != _MISSING)
        same_postcode = both_postcodes & (postcode_a == postcode_b)
        similar = similarity >= SIMILAR_ADDRESS
        return np.select(
            [~(self._has_place[first] & self._has_place[second]),
             same_postcode & (~both_addresses | similar), same_postcode, similar,
             both_postcodes & (self._sector[first] == self._sector[second]),
             both_postcodes & (self._district[first] == self._district[second]),
             similarity > 0,
             both_postcodes & (self._area[first] == self._area[second])],
            [0, 1, 2, 3, 4, 5, 6, 7], default=8)

    def _names_weights(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        keys = (self._names_of[first] * self._names_count + self._names_of[second]).tolist()
        known = self._names.get
        weights = np.fromiter((known(key, _NO_WEIGHT) for key in keys), dtype=np.float64, count=len(keys))
        for k in np.flatnonzero(np.isnan(weights)).tolist():
            weight = self._names.get(keys[k])  # an earlier pair of this slice had these names
            if weight is None:
                weight = self._names[keys[k]] = self._names_weight(int(first[k]), int(second[k]))
            weights[k] = weight
        return weights

    def _names_weight(self, i: int, j: int) -> float:
        """As compare._name_levels and score.names_weight weigh the names of records i and j."""
        a, b = self._records[i], self._records[j]
        surname_a, forenames_a, surname_b, forenames_b = (
            self._surname_of[i], self._forenames_of[i], self._surname_of[j], self._forenames_of[j])
        s = self._part_level(self._surname_levels, surname_level, surname_a, surname_b, a.surname, b.surname)
        f = self._part_level(self._forename_levels, forename_level, forenames_a, forenames_b, a.forenames, b.forenames)
        if s == 1 and f == 1:
            levels = (s, f, False)
        else:
            levels = better_reading(
                s, f,
                self._part_level(self._swapped_surname_levels, swapped_surname_level, surname_a, forenames_b,
                                 a.surname, b.forenames),
                self._part_level(self._forename_levels, forename_level, forenames_a, surname_b, a.forenames, b.surname))
        return names_weight(*levels, a, b, self._model)[0]

    def _part_level(self, levels: dict[int, int], compare, x: int, y: int, part_x: NamePart, part_y: NamePart) -> int:
        key = x * self._parts_count + y
        level = levels.get(key)
        if level is None:
            level = levels[key] = compare(part_x, part_y)
        return level


class _Identifier:
    """A licence or NI number of every record, as numbers to compare, with the text for the typo
    test and whether each is well-formed (a licence number) or valid (an NI number)."""

    def __init__(self, values: list[str | None], well_formed: list[bool], *, threads: int,
                 holders: list[str | None] | None = None):
        self._threads = threads
        self._text = np.array(values, dtype=object)
        self._codes = _codes(values)
        self._well_formed = np.array(well_formed, dtype=bool)
        self._holders = _codes(holders) if holders is not None else None

    def levels(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        a, b = self._codes[first], self._codes[second]
        missing = (a == _MISSING) | (b == _MISSING)
        identical = a == b
        both_well_formed = self._well_formed[first] & self._well_formed[second]
        # The licence number's holder part agreeing with other final characters is another person
        # (compare._dln_level); it is decided before the typo test. NI numbers have no such part.
        same_holder = (both_well_formed & (self._holders[first] == self._holders[second])
                       if self._holders is not None else np.zeros(len(first), dtype=bool))
        one_typo = np.zeros(len(first), dtype=bool)
        tested = np.flatnonzero(~missing & ~identical & ~same_holder)
        if len(tested):
            one_typo[tested] = cpdist(self._text[first[tested]], self._text[second[tested]], scorer=OSA.distance,
                                      score_cutoff=1, workers=self._threads) <= 1
        return np.select([missing, identical, same_holder, one_typo, both_well_formed], [0, 1, 3, 2, 3], default=4)


def _codes(values: list[str | None]) -> np.ndarray:
    """Each value as a number, equal values equal numbers; _MISSING for none."""
    numbers: dict[str, int] = {}
    return np.fromiter((numbers.setdefault(value, len(numbers)) if value else _MISSING for value in values),
                       dtype=np.int64, count=len(values))
