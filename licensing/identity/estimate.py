"""Estimating the match model from the register itself, as Splink does.

- u (how often unrelated records agree) from pairs drawn at random: almost none of them are the
  same person.
- m (how often records of one person agree) by expectation-maximisation, in three sessions so that
  no comparison is trained on pairs chosen for agreeing on it: pairs with the same driving licence
  number train every comparison but the licence number; pairs with the same date of birth every
  comparison but the date of birth; pairs with the same surname and forename every comparison but
  the names. Each comparison pools the expected matches of the sessions that trained it.
- The prior (how many other records of the same person an average record has) by one more round of
  expectation over a sample of the blocked pairs with m and u held.
- Name frequencies for the term-frequency adjustment by counting.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from licensing.identity.compare import COMPARISON_LEVELS, DLN, DOB, FORENAMES, SURNAME, compare_records
from licensing.identity.model import Bands, ComparisonParameters, LevelParameters, MatchModel
from licensing.identity.records import IdentityRecord, PreparedRecord, prepare
from licensing.identity.resolve import candidate_pairs

# Band thresholds in match weight, chosen on the labelled synthetic register (docs/matching.md).
DEFAULT_BANDS = Bands(certain=12.0, probable=6.0, possible=-4.0)

_EM_ITERATIONS = 40
_EM_TOLERANCE = 1e-6
# Names with at least this many records get their own frequency; rarer ones share the floor.
_MIN_NAME_COUNT = 3
_MAX_LISTED_NAMES = 5_000
_MAX_GROUP_FOR_TRAINING = 60
# EM needs tens of thousands of pairs, not millions: a session on a national register samples this
# many of its pairs, which bounds the estimate's time.
_MAX_PAIRS_PER_SESSION = 200_000
_MAX_BLOCKED_PAIRS_FOR_PRIOR = 500_000
# Rounds of clearing u of the matches among random pairs; two or three settle it.
_U_ROUNDS = 5

# Training sessions, as Splink's: pairs chosen for agreeing on one thing train every comparison but
# that one (it would look certain among them). Between them every comparison is trained at least
# once, also on registers without licence numbers (the names session trains the date of birth).
_TRAINING_SESSIONS: tuple[tuple[str, Callable[[PreparedRecord], str], tuple[int, ...]], ...] = (
    ("same licence number", lambda p: p.dln, (DLN,)),
    ("same date of birth", lambda p: p.dob_digits, (DOB,)),
    ("same surname and forename", lambda p: f"{p.surname.joined}/{p.forenames.first}" if p.surname.joined and p.forenames.first else "",
     (SURNAME, FORENAMES)),
)


@dataclass(frozen=True)
class Estimate:
    model: MatchModel
    # Plain values, stored with the model and shown to the operator: each EM session's pairs,
    # iterations and whether it converged; the prior; the share of blocked pairs in each band.
    diagnostics: dict[str, Any]


def estimate_model(records: Sequence[IdentityRecord], **options) -> MatchModel:
    return estimate_with_diagnostics(records, **options).model


def estimate_with_diagnostics(
    records: Sequence[IdentityRecord],
    *,
    seed: int = 0,
    random_pairs: int = 300_000,
    population: int | None = None,
    bands: Bands = DEFAULT_BANDS,
) -> Estimate:
    prepared = [prepare(r) for r in records]
    rng = random.Random(seed)
    u_counts = _levels_of_random_pairs(prepared, random_pairs, rng)
    u = _proportions_of_counts(u_counts)
    training = [(name, _all_but(*excluded), _patterns(prepared, _pairs_grouped_by(prepared, key, _MAX_PAIRS_PER_SESSION, rng)))
                for name, key, excluded in _TRAINING_SESSIONS]

    blocked, skipped = candidate_pairs(prepared)
    blocked_count = len(blocked)
    # The share of blocked pairs that match is a proportion: a sample of them measures it to a
    # fraction of a per cent, and scoring all of a national register's millions is most of the time.
    sampled = blocked.sample(_MAX_BLOCKED_PAIRS_FOR_PRIOR, rng)
    del blocked
    blocked_patterns = _patterns(prepared, sampled)

    # Random pairs are almost all strangers, not all: on a small register where most people have a
    # second record (two authorities' feeds of the same drivers), one random pair in ten thousand is
    # one person, as often as two strangers share a date of birth, and u read straight from them
    # counts those matches as strangers agreeing. So u is cleared of the matches the prior says are
    # among them, and m and the prior are estimated again from the cleared u, until u settles. On a
    # national register the correction is a few parts in a million.
    for rounds in range(1, _U_ROUNDS + 1):
        sessions: list[dict[str, Any]] = []
        m = _m_from_sessions(training, u, u_counts, sessions)
        matching_share = _matching_share(blocked_patterns, m, u)
        matches_per_record = 2 * matching_share * blocked_count / max(len(prepared), 1)
        cleared = _proportions_of_counts(u_counts, less=m, matching_share=matches_per_record / max(len(prepared) - 1, 1))
        if _settled(u, cleared):
            break
        u = cleared

    surname_frequencies, surname_floor = _frequencies(p.surname.canonical_joined for p in prepared)
    forename_frequencies, forename_floor = _frequencies(p.forenames.first_canonical for p in prepared)
    comparisons = tuple(
        ComparisonParameters(
            name,
            (LevelParameters(levels[0], 1.0, 1.0),)
            + tuple(LevelParameters(levels[level], m[c][level], u[c][level]) for level in range(1, len(levels))),
        )
        for c, (name, levels) in enumerate(COMPARISON_LEVELS)
    )
    model = MatchModel(
        comparisons=comparisons,
        matches_per_record=matches_per_record,
        population=population or len(prepared),
        bands=bands,
        surname_frequencies=surname_frequencies,
        forename_frequencies=forename_frequencies,
        unlisted_name_frequency=min(surname_floor, forename_floor),
    )
    diagnostics = {
        "records": len(prepared),
        "random_pairs": random_pairs,
        "u_rounds": rounds,
        "blocked_pairs": blocked_count,
        "blocking_keys_skipped": skipped,
        "sessions": sessions,
        "matching_share_of_blocked_pairs": matching_share,
        "matches_per_record": matches_per_record,
        "prior_weight": model.prior_weight,
        "band_shares": _band_shares(blocked_patterns, model),
        "names_listed": {"surnames": len(surname_frequencies), "forenames": len(forename_frequencies)},
    }
    return Estimate(model, diagnostics)


def _session(sessions: list[dict[str, Any]], name: str, pairs: int) -> dict[str, Any]:
    report: dict[str, Any] = {"trained_on": name, "pairs": pairs}
    sessions.append(report)
    return report


def _band_shares(patterns: Counter[tuple[int, ...]], model: MatchModel) -> dict[str, float]:
    """Share of blocked pairs per band, on the level weights alone (names at average frequency)."""
    from licensing.identity.score import band_of

    counts: Counter[str] = Counter()
    for levels, count in patterns.items():
        weight = model.prior_weight + sum(model.level_weights[c][level] for c, level in enumerate(levels))
        counts[band_of(weight, model)] += count
    total = sum(counts.values()) or 1
    return {band: counts[band] / total for band in ("certain", "probable", "possible", "none")}


def _all_but(*excluded: int) -> frozenset[int]:
    return frozenset(c for c in range(len(COMPARISON_LEVELS)) if c not in excluded)


def _levels_of_random_pairs(prepared: Sequence[PreparedRecord], count: int, rng: random.Random) -> list[list[int]]:
    counts = [[0] * len(levels) for _, levels in COMPARISON_LEVELS]
    n = len(prepared)
    for _ in range(count):
        i, j = rng.randrange(n), rng.randrange(n)
        if i == j:
            continue
        for c, level in enumerate(compare_records(prepared[i], prepared[j]).levels):
            counts[c][level] += 1
    return counts


def _proportions_of_counts(
    counts: list[list[int]], *, less: list[list[float]] | None = None, matching_share: float = 0.0
) -> list[list[float]]:
    """u from the levels of random pairs, with add-one smoothing: a level never seen among them (an
    identical licence number) is rare, not impossible. Given m (`less`) and the share of random
    pairs that are one person, their expected matches are taken out first; no level goes below
    what one unseen pair would make it."""
    rows = []
    for c, row in enumerate(counts):
        observed = _proportions(row, smoothing=1.0)
        if less is None:
            rows.append(observed)
            continue
        floor = 1.0 / (sum(row[1:]) + len(row) - 1)
        strangers = [max((p - matching_share * q) / (1.0 - matching_share), floor)
                     for p, q in zip(observed[1:], less[c][1:])]
        total = sum(strangers)
        rows.append([1.0] + [value / total for value in strangers])
    return rows


def _settled(u: list[list[float]], cleared: list[list[float]]) -> bool:
    """No level's weight would move by more than a hundredth of a bit."""
    return all(abs(math.log2(a / b)) < 0.01 for old, new in zip(u, cleared) for a, b in zip(old, new))


def _m_from_sessions(training, u: list[list[float]], u_counts: list[list[int]], sessions: list[dict[str, Any]]) -> list[list[float]]:
    matched = [[0.0] * len(levels) for _, levels in COMPARISON_LEVELS]
    for name, trained, patterns in training:
        report = _session(sessions, name, sum(patterns.values()))
        _, session_matches = _expectation_maximisation(patterns, u, trained=trained, report=report)
        for c, row in enumerate(session_matches):
            matched[c] = [a + b for a, b in zip(matched[c], row)]
    # Each comparison's m pools the expected matches of every session that trained it, so a session
    # with few pairs (no licence numbers in the feeds) counts for as little as it saw. A comparison no
    # session saw among matches has no evidence: m = u, it weighs nothing.
    m = [
        _proportions(row, smoothing=1.0) if sum(row[1:]) >= 1.0 else list(u[c])
        for c, row in enumerate(matched)
    ]
    # A level the data never shows, among matches or among random pairs, says nothing: both of its
    # probabilities are smoothing, and their ratio would be noise. It weighs nothing.
    for c in range(len(COMPARISON_LEVELS)):
        for level in range(1, len(m[c])):
            if u_counts[c][level] == 0 and matched[c][level] < 1.0:
                m[c][level] = u[c][level]
    return m


def _proportions(row: Sequence[float], *, smoothing: float) -> list[float]:
    observed = row[1:]
    total = sum(observed) + smoothing * len(observed)
    return [1.0] + [(value + smoothing) / total for value in observed]


def _pairs_grouped_by(prepared: Sequence[PreparedRecord], key, limit: int, rng: random.Random) -> list[tuple[int, int]]:
    """Pairs of records with the same value of key, at most about `limit` of them drawn at random."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, record in enumerate(prepared):
        value = key(record)
        if value:
            groups[value].append(i)
    # A date of birth shared by hundreds of records would swamp the session with pairs of strangers;
    # the first records of such a group are enough.
    kept = [members[:_MAX_GROUP_FOR_TRAINING] for members in groups.values() if len(members) > 1]
    total = sum(len(members) * (len(members) - 1) // 2 for members in kept)
    share = min(1.0, limit / total) if total else 1.0
    pairs = []
    for members in kept:
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                if share == 1.0 or rng.random() < share:
                    pairs.append((members[x], members[y]))
    return pairs


def _patterns(prepared: Sequence[PreparedRecord], pairs) -> Counter[tuple[int, ...]]:
    return Counter(compare_records(prepared[i], prepared[j]).levels for i, j in pairs)


def _initial_m() -> list[list[float]]:
    # Starting point only: EM moves away from it. Agreement levels start likely, disagreement not.
    start = []
    for _, levels in COMPARISON_LEVELS:
        n = len(levels) - 1
        start.append([1.0, 0.9] + [0.1 / (n - 1)] * (n - 1))
    return start


def _expectation_maximisation(
    patterns: Counter[tuple[int, ...]], u: list[list[float]], *, trained: frozenset[int], report: dict[str, Any]
) -> tuple[list[list[float]], list[list[float]]]:
    """m for the trained comparisons, and the expected number of matching pairs at each level.
    Writes its iterations, last change and whether it converged into report."""
    m = _initial_m()
    share = 0.5
    items = list(patterns.items())
    new_counts = [[0.0] * len(row) for row in m]
    change = 0.0
    report.update(iterations=0, converged=False)
    for iteration in range(1, _EM_ITERATIONS + 1):
        new_counts = [[0.0] * len(row) for row in m]
        expected_matches = total = 0.0
        for levels, count in items:
            p_match, p_non = share, 1.0 - share
            for c in trained:
                level = levels[c]
                if level:
                    p_match *= m[c][level]
                    p_non *= u[c][level]
            posterior = p_match / (p_match + p_non) if p_match + p_non > 0 else 0.0
            expected_matches += posterior * count
            total += count
            for c in trained:
                level = levels[c]
                if level:
                    new_counts[c][level] += posterior * count
        new_m = [_proportions(row, smoothing=1.0) if c in trained else m[c] for c, row in enumerate(new_counts)]
        new_share = expected_matches / total if total else share
        change = max(abs(a - b) for old, new in zip(m, new_m) for a, b in zip(old, new))
        m, share = new_m, new_share
        report.update(iterations=iteration, last_change=change, matching_share=share)
        if change < _EM_TOLERANCE:
            report["converged"] = True
            break
    return m, [row if c in trained else [0.0] * len(row) for c, row in enumerate(new_counts)]


def _matching_share(patterns: Counter[tuple[int, ...]], m: list[list[float]], u: list[list[float]]) -> float:
    share = 0.01
    every = frozenset(range(len(COMPARISON_LEVELS)))
    for _ in range(_EM_ITERATIONS):
        expected = total = 0.0
        for levels, count in patterns.items():
            p_match, p_non = share, 1.0 - share
            for c in every:
                level = levels[c]
                if level:
                    p_match *= m[c][level]
                    p_non *= u[c][level]
            expected += count * p_match / (p_match + p_non)
            total += count
        new_share = expected / total if total else share
        if abs(new_share - share) < _EM_TOLERANCE:
            return new_share
        share = new_share
    return share


def _frequencies(values) -> tuple[dict[str, float], float]:
    counts = Counter(v for v in values if v)
    total = sum(counts.values()) or 1
    listed = {name: count / total for name, count in counts.most_common(_MAX_LISTED_NAMES) if count >= _MIN_NAME_COUNT}
    floor = (min(listed.values()) if listed else 1.0 / total) / 2
    return listed, floor
