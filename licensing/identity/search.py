"""Searching the register for a person, as an officer does before a grant or renewal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Sequence

import numpy as np
from rapidfuzz.distance import JaroWinkler

from licensing.identity.keys import prepared_keys
from licensing.identity.model import MatchModel
from licensing.identity.names import NamePart
from licensing.identity.records import IdentityRecord, PreparedRecord, prepare, prepare_cached
from licensing.identity.compare import compare_records
from licensing.identity.pair_weights import PairWeights
from licensing.identity.score import PairScore, explain, weigh
from licensing.values import is_valid_ni_number, normalise_ni_number, normalise_postcode

# The query is not a register record; it takes an id no record has.
_QUERY_ID = -1


@dataclass(frozen=True, slots=True)
class SearchQuery:
    surname: str | None = None
    forenames: str | None = None
    date_of_birth: date | None = None
    driving_licence_number: str | None = None
    ni_number: str | None = None
    postcode: str | None = None


def query_keys(query: SearchQuery) -> frozenset[str]:
    """Blocking keys to look candidates up by; the same keys blocking_keys() gives records."""
    return prepared_keys(_prepared_query(query))


def rank_candidates(query: SearchQuery, candidates: Sequence[IdentityRecord],
                    model: MatchModel) -> Iterator[tuple[int, PairScore]]:
    """Every candidate with its score, best first (ties by record id, so the order is stable).
    The reasons in words are worked out as each candidate is reached: a search shows ten people of
    what may be hundreds of candidates, and its callers stop there."""
    prepared_query = _prepared_query(query)
    prepared = [prepare_cached(record) for record in _as_far_as_compared(candidates, prepared_query)]
    weights = _weights(prepared_query, prepared, model)
    # Of equal weights (often: namesakes born in other years score alike), the candidate written
    # most like the query comes first. The likeness is worked out for a group of equal weight only
    # when the caller reaches it.
    by_weight: dict[float, list[int]] = defaultdict(list)
    for k, weight in enumerate(weights):
        by_weight[weight].append(k)
    for weight in sorted(by_weight, reverse=True):
        group = by_weight[weight]
        if len(group) > 1:
            group.sort(key=lambda k: (-_likeness(prepared_query, prepared[k]), prepared[k].record_id))
        yield from (_explained(prepared_query, prepared[k], model) for k in group)


def _explained(query: PreparedRecord, candidate: PreparedRecord, model: MatchModel) -> tuple[int, PairScore]:
    comparison = compare_records(query, candidate)
    weight, surname_adjustment, forename_adjustment = weigh(comparison, query, candidate, model)
    return candidate.record_id, explain(comparison, weight, surname_adjustment, forename_adjustment, query, candidate,
                                        model)


def _as_far_as_compared(candidates: Sequence[IdentityRecord], query: PreparedRecord) -> Sequence[IdentityRecord]:
    """The candidates without the fields this query cannot compare with: a comparison with a field
    the query lacks is "missing" whatever the candidate holds, and preparing it (normalising its
    licence number, NI number or address) was most of the cost of a search for a common name. A
    candidate's address is kept when the query has a postcode: having one says the candidate's
    address is not missing."""
    dln, ni, place = bool(query.dln), bool(query.ni), bool(query.postcode or query.address)
    if dln and ni and place:
        return candidates
    return [IdentityRecord(c.record_id, c.surname, c.forenames, c.date_of_birth,
                           c.driving_licence_number if dln else None, c.ni_number if ni else None,
                           c.postcode if place else None, c.address if place else None) for c in candidates]


# From this many candidates (a common name searched with a date of birth), their weights are worked
# out in arrays: the same weights, at half the cost for a few hundred candidates. Below it, setting
# up the arrays costs more than weighing the candidates one by one.
_CANDIDATES_WEIGHED_IN_ARRAYS = 100


def _weights(query: PreparedRecord, candidates: list[PreparedRecord], model: MatchModel) -> list[float]:
    if len(candidates) < _CANDIDATES_WEIGHED_IN_ARRAYS:
        return [weigh(compare_records(query, candidate), query, candidate, model)[0] for candidate in candidates]
    # One thread: a search is one request of many that a web worker serves at once.
    weights = PairWeights(model, [query, *candidates], threads=1)
    others = np.arange(1, len(candidates) + 1)
    return weights(np.zeros_like(others), others).tolist()


def shared_ranks(weights: Sequence[float]) -> list[int]:
    """The rank of each weight in a list given best first, equal weights sharing one (1, 1, 3). Two
    people the evidence searched for cannot tell apart (namesakes born the same day, searched by
    name and date of birth) are equals: the order they happen to be listed in says nothing, and an
    officer must not take the first of them for the applicant."""
    ranks: list[int] = []
    for position, weight in enumerate(weights):
        ranks.append(ranks[-1] if position and weight == weights[position - 1] else position + 1)
    return ranks


def _likeness(query: PreparedRecord, candidate: PreparedRecord) -> float:
    """Finer than the comparison levels, and used only to order candidates of equal weight: the one
    written most like the query comes first (all its forenames rather than the first alone, the
    surname as typed rather than another in the same variant group, more digits of the date of
    birth in place). Names are compared both ways round, as the weight compares them: an officer
    may type the surname as the forename, and the record written most like the query then is the
    one most like it swapped."""
    likeness = max(_names_alike(query, candidate.surname, candidate.forenames),
                   _names_alike(query, candidate.forenames, candidate.surname))
    if query.dob_digits and candidate.dob_digits:
        likeness += sum(a == b for a, b in zip(query.dob_digits, candidate.dob_digits, strict=True)) / 8
    return likeness


def _names_alike(query: PreparedRecord, surname: NamePart, forenames: NamePart) -> float:
    """How closely the query's surname and forenames are written like these two name parts."""
    return (JaroWinkler.normalized_similarity(query.surname.joined, surname.joined)
            + JaroWinkler.normalized_similarity(" ".join(query.forenames.tokens), " ".join(forenames.tokens)))


def query_breadth_problem(query: SearchQuery) -> str | None:
    """Why a query cannot be searched on as it stands, in words that say what to add; None when it
    can."""
    prepared = _prepared_query(query)
    has_name = not prepared.surname.is_empty or not prepared.forenames.is_empty
    has_full_name = not prepared.surname.is_empty and not prepared.forenames.is_empty
    if prepared.dln:
        return None
    if prepared.ni_valid:
        return None
    if has_name and prepared.date_of_birth:
        return None
    if has_full_name and prepared.postcode:
        return None
    if query.ni_number and not is_valid_ni_number(normalise_ni_number(query.ni_number) or ""):
        return "The National Insurance number is not valid: check it, or search by name and date of birth."
    if query.postcode and not normalise_postcode(query.postcode) and not has_name:
        return "The postcode is not a UK postcode: check it, or search by name and date of birth."
    if has_name:
        return (
            "A name alone matches too many drivers: add a date of birth, a postcode with both names, or a "
            "driving licence or National Insurance number."
        )
    if prepared.date_of_birth or prepared.postcode:
        return "Add a surname or forename: a date of birth or postcode alone matches too many drivers."
    return "Nothing to search by: enter a driving licence number, a National Insurance number, or a name and date of birth."


def _prepared_query(query: SearchQuery) -> PreparedRecord:
    return prepare(
        IdentityRecord(
            record_id=_QUERY_ID,
            surname=query.surname or "",
            forenames=query.forenames or "",
            date_of_birth=query.date_of_birth,
            driving_licence_number=query.driving_licence_number,
            ni_number=query.ni_number,
            postcode=query.postcode,
            address=None,
        )
    )
