"""Full resolution of a register into people, and the incremental path for changed records.

Pairs that share a blocking key are scored; certain and probable pairs are linked strongest first,
and two groups are joined only when no record of one holds a driving licence or National Insurance
number that conflicts with a record of the other. That check is what stops A~B and B~C from putting
A and C, two different people, together through a record with no identifiers (a namesake whose
licence number is missing). Officers' decisions are applied before anything the model says.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Collection, Iterable, Iterator, Literal, Mapping, Sequence

import numpy as np

from licensing.identity.compare import (
    DLN,
    DLN_DIFFERENT_WELL_FORMED,
    DLN_IDENTICAL,
    NI,
    NI_DIFFERENT_VALID,
    NI_IDENTICAL,
    compare_records,
    differ_in_one_final_character,
)
from licensing.identity.keys import KEY_GROUP_LIMIT, prepared_keys
from licensing.identity.model import MatchModel
from licensing.identity.records import IdentityRecord, PreparedRecord, prepare
from licensing.identity.pair_weights import PairWeights
from licensing.identity.score import PairScore, explain, weigh

ScoredPair = tuple[int, int, PairScore]

CONFIRMED_SAME = "an officer confirmed these records are the same person"
CONFIRMED_DIFFERENT = "an officer confirmed these records are different people"
_HELD_APART = "not linked: another record already linked to one of them has a conflicting licence or National Insurance number"


@dataclass(frozen=True, slots=True)
class HumanDecision:
    record_a: int
    record_b: int
    verdict: Literal["same", "different"]


@dataclass
class Resolution:
    cluster_of: dict[int, int]  # record id -> smallest record id of its cluster
    links: list[ScoredPair] = field(default_factory=list)  # certain and probable pairs now in one cluster
    possible: list[ScoredPair] = field(default_factory=list)  # for review; not linked
    skipped_keys: int = 0  # blocking keys too common to compare on (KEY_GROUP_LIMIT)


def resolve(
    records: Sequence[IdentityRecord],
    model: MatchModel,
    decisions: Sequence[HumanDecision] = (),
    *,
    changed: Collection[int] | None = None,
    touching: Iterable[tuple[int, int]] | None = None,
    known_weights: Mapping[tuple[int, int], float] | None = None,
) -> Resolution:
    """Cluster the records into people.

    For a neighbourhood of a few changed records, pass their ids as `changed` and the match weights
    already known for pairs of the other records as `known_weights` (record id pairs, smaller
    first): only pairs touching a changed record are scored, since nothing else about the others
    has changed. Those pairs are found by blocking the neighbourhood again, unless the caller passes
    them as `touching` (record id pairs, from `pairs_touching` over the register's key index, whose
    groups are the whole register's, as in a full run). Without `changed`, every candidate pair is
    scored."""
    prepared = [prepare(r) for r in records]
    position = {p.record_id: i for i, p in enumerate(prepared)}
    decided = _decisions_by_pair(decisions, position)
    known: dict[tuple[int, int], float] = {}
    skipped = 0
    if changed is not None and touching is not None:
        pairs: Iterable[tuple[int, int]] = {
            _ordered(position[a], position[b]) for a, b in touching if a in position and b in position and a != b}
    else:
        pairs, skipped = candidate_pairs(prepared)
    if changed is not None:
        touched = {position[record_id] for record_id in changed if record_id in position}
        pairs = {(i, j) for i, j in pairs if i in touched or j in touched}
        for (a, b), weight in (known_weights or {}).items():
            i, j = position.get(a), position.get(b)
            if i is not None and j is not None and i not in touched and j not in touched:
                known[_ordered(i, j)] = weight

    # Decided pairs are not linked by their weight: the officers' decisions are applied below.
    probable_weight = model.bands.probable
    links: list[tuple[float, int, int]] = []
    review: list[tuple[int, int]] = []
    for i, j, weight in _weighed(pairs, known, model, prepared):
        if (i, j) in decided:
            continue
        if weight >= probable_weight:
            links.append((weight, i, j))
        else:
            review.append((i, j))

    clusters = _ConstrainedClusters(prepared, decided)
    for (i, j), verdict in sorted(decided.items()):
        if verdict == "same":
            clusters.join(i, j)
    links.sort(key=lambda link: (-link[0], link[1], link[2]))
    linked: list[tuple[int, int]] = []
    for _, i, j in links:
        if clusters.try_join(i, j):
            linked.append((i, j))
        else:
            review.append((i, j))

    resolution = Resolution(cluster_of=clusters.cluster_keys(), skipped_keys=skipped)
    for (i, j), verdict in sorted(decided.items()):
        if verdict == "same":
            resolution.links.append(_decided_pair(prepared[i], prepared[j], model, verdict))
    for i, j in linked:
        resolution.links.append(_scored(prepared[i], prepared[j], model))
    for i, j in sorted(review):
        if clusters.find(i) == clusters.find(j):
            continue
        scored = _scored(prepared[i], prepared[j], model)
        if scored[2].band in ("certain", "probable"):
            score = scored[2]
            scored = (scored[0], scored[1], replace(score, band="possible", reasons=score.reasons + (_HELD_APART,)))
        resolution.possible.append(scored)
    return resolution


def resolve_against(
    changed: Sequence[IdentityRecord],
    candidates: Sequence[IdentityRecord],
    model: MatchModel,
    decisions: Sequence[HumanDecision] = (),
) -> list[ScoredPair]:
    """Score changed records against candidates fetched by blocking key; pairs worth keeping
    (certain, probable, possible, or decided by an officer), strongest first. Merging clusters,
    with the same conflict check as resolve(), is the caller's."""
    verdicts = {_ordered(d.record_a, d.record_b): d.verdict for d in decisions}
    prepared_candidates = {c.record_id: prepare(c) for c in candidates}
    results: list[ScoredPair] = []
    seen: set[tuple[int, int]] = set()
    for record in changed:
        a = prepare(record)
        for b in prepared_candidates.values():
            pair = _ordered(a.record_id, b.record_id)
            if a.record_id == b.record_id or pair in seen:
                continue
            seen.add(pair)
            verdict = verdicts.get(pair)
            if verdict:
                results.append(_decided_pair(a, b, model, verdict))
                continue
            scored = _scored(a, b, model)
            if scored[2].band != "none":
                results.append(scored)
    results.sort(key=lambda s: (-s[2].weight, s[0], s[1]))
    return results


def _weighed(pairs: CandidatePairs | set[tuple[int, int]], known: dict[tuple[int, int], float], model: MatchModel,
             prepared: Sequence[PreparedRecord]) -> Iterator[tuple[int, int, float]]:
    """The pairs (and the known pairs) whose weight is in the possible band or above, with it.
    The others' weights are worked out in arrays a slice at a time, and only the few worth keeping
    become Python numbers."""
    possible_weight = model.bands.possible
    weights = PairWeights(model, prepared)
    slices = pairs.slices() if isinstance(pairs, CandidatePairs) else _slices_of(sorted(pairs))
    for first, second in slices:
        weighed = weights(first, second)
        kept = np.flatnonzero(weighed >= possible_weight)
        yield from zip(first[kept].tolist(), second[kept].tolist(), weighed[kept].tolist())
    yield from ((i, j, weight) for (i, j), weight in known.items() if weight >= possible_weight)


def _slices_of(pairs: list[tuple[int, int]]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    ordered = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    for start in range(0, len(ordered), _SLICE):
        yield ordered[start:start + _SLICE, 0], ordered[start:start + _SLICE, 1]


def identifiers_conflict(a: PreparedRecord, b: PreparedRecord) -> bool:
    """Two records that cannot be one person: different well-formed licence numbers or different
    valid NI numbers, with no identical identifier to say otherwise. Licence numbers one character
    apart in the final three are left to the score: that is a typo as often as a namesake."""
    levels = compare_records(a, b).levels
    if levels[DLN] == DLN_IDENTICAL or levels[NI] == NI_IDENTICAL:
        return False
    if levels[NI] == NI_DIFFERENT_VALID:
        return True
    return levels[DLN] == DLN_DIFFERENT_WELL_FORMED and not differ_in_one_final_character(a.dln, b.dln)


class CandidatePairs:
    """Index pairs (i < j), each held as one 64-bit integer (i in the high bits, j in the low), in
    ascending order: a national register has millions of them, which as Python tuples would cost
    ten times the memory."""

    def __init__(self, codes: np.ndarray, position_bits: int) -> None:
        self._codes = codes
        self._bits = position_bits

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for first, second in self.slices():
            yield from zip(first.tolist(), second.tolist())

    def slices(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The pairs a slice at a time, as the array of each pair's first position and of its second."""
        bits, mask = self._bits, (1 << self._bits) - 1
        for start in range(0, len(self._codes), _SLICE):
            chunk = self._codes[start:start + _SLICE]
            yield chunk >> bits, chunk & mask

    def sample(self, count: int, rng: random.Random) -> list[tuple[int, int]]:
        """At most count pairs drawn at random (all of them, in order, when there are fewer)."""
        if len(self._codes) <= count:
            return list(self)
        bits, mask = self._bits, (1 << self._bits) - 1
        return [(code >> bits, code & mask) for code in rng.sample(self._codes.tolist(), count)]


# Pairs are weighed, or turned back into Python integers, this many at a time: enough for the
# arrays to pay, few enough to keep their copies small.
_SLICE = 1 << 17


def pairs_touching(keys_of_changed: Mapping[int, Iterable[str]], holders: Mapping[str, Sequence[int]]) -> set[tuple[int, int]]:
    """Record id pairs (smaller first) of each changed record with every other record holding one
    of its keys; `holders` lists the records of each key not too common to compare on."""
    pairs: set[tuple[int, int]] = set()
    for record_id, keys in keys_of_changed.items():
        for key in keys:
            for other in holders.get(key, ()):
                if other != record_id:
                    pairs.add(_ordered(record_id, other))
    return pairs


def candidate_pairs(prepared: Sequence[PreparedRecord]) -> tuple[CandidatePairs, int]:
    """Index pairs (i < j) that share a blocking key, and how many keys were too common to use.

    A national register has millions of keys, nearly all held by one record; a dictionary of them
    would cost more memory than the records. Instead each (key, record) becomes one 64-bit integer,
    the key's hash in the high bits and the record's position in the low bits, and sorting those
    brings each key's records together, in record order. Two keys whose hashes collide only add a
    few pairs to score. The groups are paired off in arrays, all groups of one size at a time,
    rather than pair by pair in Python, which on a national register was a third of a full run.
    """
    position_bits = max(1, (len(prepared) - 1).bit_length())
    position_mask = (1 << position_bits) - 1
    hash_mask = (1 << (63 - position_bits)) - 1
    entries = _sorted_distinct(np.concatenate([
        _key_entries(prepared, start, position_bits, hash_mask)
        for start in range(0, len(prepared), _RECORDS_PER_KEY_SLICE)] or [np.empty(0, dtype=np.int64)]))
    key_hashes = entries >> position_bits
    starts = np.flatnonzero(np.concatenate(([True], key_hashes[1:] != key_hashes[:-1])))
    del key_hashes
    sizes = np.diff(np.append(starts, len(entries)))
    skipped = int(np.count_nonzero(sizes > KEY_GROUP_LIMIT))
    positions = entries & position_mask
    del entries
    codes = [np.empty(0, dtype=np.int64)]
    for size in np.unique(sizes[(sizes > 1) & (sizes <= KEY_GROUP_LIMIT)]).tolist():
        members = positions[starts[sizes == size][:, None] + np.arange(size)]  # one row per key, ascending
        first, second = np.triu_indices(size, k=1)
        codes.append(((members[:, first] << position_bits) | members[:, second]).ravel())
    return CandidatePairs(_sorted_distinct(np.concatenate(codes)), position_bits), skipped


# Keys are worked out this many records at a time: all of a national register's at once, as
# strings, would take more memory than the records.
_RECORDS_PER_KEY_SLICE = 50_000


def _key_entries(prepared: Sequence[PreparedRecord], start: int, position_bits: int, hash_mask: int) -> np.ndarray:
    """(key hash, position) of every key of the records from start, as one integer each."""
    keys = [prepared_keys(record) for record in prepared[start:start + _RECORDS_PER_KEY_SLICE]]
    counts = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    hashes = np.fromiter(map(hash, chain.from_iterable(keys)), dtype=np.int64, count=int(counts.sum()))
    positions = np.repeat(np.arange(start, start + len(keys), dtype=np.int64), counts)
    return ((hashes & hash_mask) << position_bits) | positions


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    # np.unique does the same, by hashing, at several times the cost for integers.
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


class _ConstrainedClusters:
    """Union-find whose unions are refused when they would put conflicting records together."""

    def __init__(self, prepared: Sequence[PreparedRecord], decided: dict[tuple[int, int], str]) -> None:
        self._prepared = prepared
        self._parent = list(range(len(prepared)))
        self._members: dict[int, list[int]] = {}
        self._kept_apart: dict[int, set[int]] = defaultdict(set)
        for (i, j), verdict in decided.items():
            if verdict == "different":
                self._kept_apart[i].add(j)
                self._kept_apart[j].add(i)

    def find(self, i: int) -> int:
        parent = self._parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def members(self, root: int) -> list[int]:
        return self._members.get(root) or [root]

    def join(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return
        small, large = sorted((ri, rj), key=lambda r: len(self.members(r)))
        self._members[large] = self.members(large) + self.members(small)
        self._members.pop(small, None)
        self._parent[small] = large

    def try_join(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        left, right = self.members(ri), self.members(rj)
        for x in left:
            apart = self._kept_apart.get(x)
            for y in right:
                if apart and y in apart:
                    return False
                if identifiers_conflict(self._prepared[x], self._prepared[y]):
                    return False
        self.join(i, j)
        return True

    def cluster_keys(self) -> dict[int, int]:
        smallest: dict[int, int] = {}
        roots = [self.find(i) for i in range(len(self._prepared))]
        for i, root in enumerate(roots):
            record_id = self._prepared[i].record_id
            if root not in smallest or record_id < smallest[root]:
                smallest[root] = record_id
        return {self._prepared[i].record_id: smallest[root] for i, root in enumerate(roots)}


def _decisions_by_pair(decisions: Sequence[HumanDecision], position: dict[int, int]) -> dict[tuple[int, int], str]:
    decided: dict[tuple[int, int], str] = {}
    for decision in decisions:
        i, j = position.get(decision.record_a), position.get(decision.record_b)
        if i is None or j is None or i == j:
            continue
        decided[_ordered(i, j)] = decision.verdict
    return decided


def _ordered(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def _scored(a: PreparedRecord, b: PreparedRecord, model: MatchModel) -> ScoredPair:
    comparison = compare_records(a, b)
    weight, surname_adjustment, forename_adjustment = weigh(comparison, a, b, model)
    score = explain(comparison, weight, surname_adjustment, forename_adjustment, a, b, model)
    return (*_ordered(a.record_id, b.record_id), score)


def _decided_pair(a: PreparedRecord, b: PreparedRecord, model: MatchModel, verdict: str) -> ScoredPair:
    record_a, record_b, score = _scored(a, b, model)
    if verdict == "same":
        decided = replace(score, band="certain", reasons=(CONFIRMED_SAME,) + score.reasons)
    else:
        decided = replace(score, band="none", reasons=(CONFIRMED_DIFFERENT,) + score.reasons)
    return record_a, record_b, decided

