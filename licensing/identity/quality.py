"""Measuring a resolution against labelled data (the synthetic register knows who is who).

Precision and recall are over pairs of records: a pair is linked when both records are in one
cluster, and truly the same person when both carry the same person id.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Mapping, Sequence

from licensing.identity.resolve import Resolution


@dataclass(frozen=True)
class CorruptionRecall:
    pairs: int
    linked: int

    @property
    def recall(self) -> float:
        return self.linked / self.pairs if self.pairs else 1.0


@dataclass(frozen=True)
class QualityReport:
    true_pairs: int
    linked_pairs: int
    correct_pairs: int
    recall_by_corruption: Mapping[str, CorruptionRecall]
    namesake_groups: int
    namesake_groups_merged: int
    wrong_links: tuple[tuple[int, int], ...]  # record pairs linked that are different people (a sample)
    missed_links: tuple[tuple[int, int], ...]  # record pairs of one person left apart (a sample)

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.linked_pairs if self.linked_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def evaluate(
    person_of: Mapping[int, int],
    resolution: Resolution,
    *,
    corruptions: Mapping[int, Sequence[str]] | None = None,
    namesake_groups: Sequence[Sequence[int]] = (),
    sample_size: int = 1000,
) -> QualityReport:
    """person_of maps record id -> true person id; corruptions maps record id -> the corruptions it
    carries; namesake_groups are tuples of person ids that are different people with one name."""
    corruptions = corruptions or {}
    cluster_of = resolution.cluster_of
    records_of_person: dict[int, list[int]] = defaultdict(list)
    for record_id, person in person_of.items():
        records_of_person[person].append(record_id)

    true_pairs = correct = 0
    by_corruption: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    missed: list[tuple[int, int]] = []
    for members in records_of_person.values():
        for a, b in combinations(sorted(members), 2):
            true_pairs += 1
            linked = cluster_of[a] == cluster_of[b]
            correct += linked
            if not linked and len(missed) < sample_size:
                missed.append((a, b))
            for corruption in set(corruptions.get(a, ())) | set(corruptions.get(b, ())):
                tally = by_corruption[corruption]
                tally[0] += 1
                tally[1] += linked

    members_of_cluster: dict[int, list[int]] = defaultdict(list)
    for record_id, cluster in cluster_of.items():
        if record_id in person_of:
            members_of_cluster[cluster].append(record_id)
    linked_pairs = 0
    wrong: list[tuple[int, int]] = []
    for members in members_of_cluster.values():
        n = len(members)
        linked_pairs += n * (n - 1) // 2
        people = Counter(person_of[m] for m in members)
        if len(people) > 1 and len(wrong) < sample_size:
            wrong.extend(
                (a, b) for a, b in combinations(sorted(members), 2) if person_of[a] != person_of[b]
            )

    clusters_of_person: dict[int, set[int]] = defaultdict(set)
    for record_id, person in person_of.items():
        clusters_of_person[person].add(cluster_of[record_id])
    merged = 0
    for group in namesake_groups:
        seen: set[int] = set()
        for person in group:
            clusters = clusters_of_person.get(person, set())
            if seen & clusters:
                merged += 1
                break
            seen |= clusters

    return QualityReport(
        true_pairs=true_pairs,
        linked_pairs=linked_pairs,
        correct_pairs=correct,
        recall_by_corruption={k: CorruptionRecall(v[0], v[1]) for k, v in sorted(by_corruption.items())},
        namesake_groups=len(namesake_groups),
        namesake_groups_merged=merged,
        wrong_links=tuple(wrong[:sample_size]),
        missed_links=tuple(missed),
    )
