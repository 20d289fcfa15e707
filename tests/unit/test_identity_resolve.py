"""Resolution, scoring, search and conflicts on hand-made records with the packaged model."""

from dataclasses import replace
from datetime import date

import pytest

from licensing.identity import (
    HumanDecision,
    IdentityRecord,
    MatchModel,
    SearchQuery,
    blocking_keys,
    identity_conflicts,
    query_breadth_problem,
    query_keys,
    rank_candidates,
    resolve,
    resolve_against,
    score_pair,
    shared_ranks,
)

MODEL = MatchModel.default()


def person(record_id, *, surname="Khan", forenames="Imran", born=date(1984, 3, 14), dln="KHAN9803144I99AB",
           ni="PP123456A", postcode="BD1 1AA", address="10 Mill Lane, Bradford") -> IdentityRecord:
    return IdentityRecord(record_id, surname, forenames, born, dln, ni, postcode, address)


class TestScore:
    def test_identical_records_are_certain_and_say_why(self):
        score = score_pair(person(1), person(2), MODEL)
        assert score.band == "certain"
        assert score.probability > 0.999
        assert "driving licence number identical" in score.reasons
        assert "date of birth identical" in score.reasons

    def test_transliteration_swap_and_moved_home_still_link_and_are_explained(self):
        other = person(2, surname="Muhammad Imran", forenames="Khan", born=date(1984, 3, 14), dln=None,
                       postcode="LS6 2AB", address="3 Park Road, Leeds")
        score = score_pair(person(1, forenames="Mohammed Imran"), other, MODEL)
        assert score.band in ("certain", "probable")
        assert "forenames and surname swapped on one record" in score.reasons
        assert "forename a variant of MOHAMMED" in score.reasons

    def test_different_well_formed_licence_and_ni_numbers_count_strongly_against(self):
        namesake = person(2, dln="KHAN9803144I98XY", ni="PP654321B", postcode="M1 1AA", address="1 Oxford Road, Manchester")
        score = score_pair(person(1), namesake, MODEL)
        assert score.band == "none"
        assert "different driving licence numbers (both well-formed)" in score.reasons
        assert "different National Insurance numbers (both valid)" in score.reasons

    def test_a_rare_name_is_stronger_evidence_than_a_common_one(self):
        def name_and_birth_only(surname, forenames, record_id):
            return person(record_id, surname=surname, forenames=forenames, dln=None, ni=None, postcode=None, address=None)

        common = score_pair(name_and_birth_only("Khan", "Mohammed", 1), name_and_birth_only("Khan", "Mohammed", 2), MODEL)
        rare = score_pair(name_and_birth_only("Okonkwo-Davies", "Chidubem", 1), name_and_birth_only("Okonkwo-Davies", "Chidubem", 2), MODEL)
        assert rare.weight > common.weight
        assert any("common surname" in reason for reason in common.reasons)

    def test_agreeing_on_the_middle_names_too_is_stronger_evidence_than_on_the_first_forename_alone(self):
        def name_and_birth_only(forenames, record_id):
            return person(record_id, forenames=forenames, dln=None, ni=None, postcode=None, address=None)

        in_full = score_pair(name_and_birth_only("Muhammad Sajid", 1), name_and_birth_only("Muhammad Sajid", 2), MODEL)
        first_only = score_pair(name_and_birth_only("Muhammad Sajid", 1), name_and_birth_only("Muhammad", 2), MODEL)
        other_middle = score_pair(name_and_birth_only("Muhammad Sajid", 1), name_and_birth_only("Muhammad Tariq", 2), MODEL)
        assert in_full.weight > first_only.weight
        assert first_only.weight == other_middle.weight  # a different middle name does not count against
        assert "an uncommon combination of forenames, so agreeing on it counts for more" in in_full.reasons

    def test_day_month_swap_is_named(self):
        score = score_pair(person(1, born=date(1984, 3, 11)), person(2, born=date(1984, 11, 3)), MODEL)
        assert "date of birth day and month swapped" in score.reasons
        assert score.band == "certain"


class TestResolve:
    def test_clusters_are_keyed_by_their_smallest_record_id(self):
        records = [person(7), person(3, dln=None), person(5, surname="Jones", forenames="Sarah", born=date(1990, 1, 2),
                                                           dln="JONES901020S99CD", ni="PP999999C")]
        resolution = resolve(records, MODEL)
        assert resolution.cluster_of == {7: 3, 3: 3, 5: 5}
        assert [(a, b) for a, b, _ in resolution.links] == [(3, 7)]

    def test_a_record_without_identifiers_does_not_chain_two_namesakes_together(self):
        first = person(1)
        namesake = person(2, dln="KHAN9803144I98XY", ni="PP654321B")
        bare = person(3, dln=None, ni=None)  # fits both equally well
        resolution = resolve([first, namesake, bare], MODEL)
        assert resolution.cluster_of[1] != resolution.cluster_of[2]
        held_apart = [s for _, _, s in resolution.possible if any(r.startswith("not linked") for r in s.reasons)]
        assert held_apart, "the refused link is listed for review with the reason"

    def test_an_officers_split_overrides_a_certain_link(self):
        records = [person(1), person(2)]
        resolution = resolve(records, MODEL, [HumanDecision(1, 2, "different")])
        assert resolution.cluster_of[1] != resolution.cluster_of[2]
        assert not resolution.links

    def test_an_officers_split_also_stops_a_chain_through_a_third_record(self):
        records = [person(1, ni=None), person(2, ni=None), person(3, ni=None)]
        resolution = resolve(records, MODEL, [HumanDecision(1, 3, "different")])
        assert resolution.cluster_of[1] != resolution.cluster_of[3]

    def test_an_officers_link_overrides_conflicting_numbers(self):
        changed_name = person(2, surname="Patel", forenames="Asha", born=date(1970, 5, 5), dln="PATEL705050A99ZZ", ni="PP111111D")
        resolution = resolve([person(1), changed_name], MODEL, [HumanDecision(2, 1, "same")])
        assert resolution.cluster_of[2] == 1
        assert resolution.links[0][2].reasons[0] == "an officer confirmed these records are the same person"

    def test_resolve_against_scores_changed_records_and_applies_decisions(self):
        candidates = [person(1), person(2, surname="Jones", forenames="Sarah", born=date(1990, 1, 2), dln=None, ni=None)]
        changed = [person(9, dln=None)]
        pairs = resolve_against(changed, candidates, MODEL)
        assert [(a, b, s.band) for a, b, s in pairs] == [(1, 9, "certain")]
        overruled = resolve_against(changed, candidates, MODEL, [HumanDecision(9, 1, "different")])
        assert overruled[0][2].band == "none"
        assert overruled[0][2].reasons[0] == "an officer confirmed these records are different people"


class TestSearch:
    def test_query_keys_meet_the_records_blocking_keys(self):
        record = person(1)
        query = SearchQuery(surname="KHAN", forenames="imran", date_of_birth=date(1984, 3, 14))
        assert query_keys(query) & blocking_keys(record)
        assert query_keys(SearchQuery(driving_licence_number="khan9803144i99ab")) <= blocking_keys(record)

    def test_the_true_person_ranks_first_among_namesakes(self):
        target = person(1)
        namesakes = [person(i, dln=f"KHAN9803144I9{9 - i}XY", ni=f"PP65432{i}B", postcode="M1 1AA") for i in range(2, 6)]
        query = SearchQuery("Khan", "Imran", date(1984, 3, 14), None, "PP123456A", None)
        ranked = list(rank_candidates(query, namesakes + [target], MODEL))
        assert ranked[0][0] == 1
        assert ranked[0][1].band == "certain"

    def test_all_forenames_as_typed_outrank_a_namesake_on_the_first_forename_with_the_exact_date_of_birth(self):
        # The officer typed the date of birth with a day and month swapped; the true person is the one
        # with both forenames, not the Muhammad Khan born on the date as typed.
        true_person = person(1, forenames="Muhammad Sajid", born=date(1975, 11, 12), dln=None, ni=None)
        namesake = person(2, forenames="Muhammad Mohammad", born=date(1975, 12, 11), dln=None, ni=None)
        query = SearchQuery("Khan", "Muhammad Sajid", date(1975, 12, 11))
        assert [record_id for record_id, _ in rank_candidates(query, [namesake, true_person], MODEL)] == [1, 2]

    def test_a_swapped_query_puts_first_the_person_written_most_like_it_swapped(self):
        # The officer typed the forename as the surname. Both records score the same, as the
        # weight compares names both ways; the double-barrelled surname as typed decides.
        true_person = person(1, surname="Popescu Dabrowski", forenames="Grzegorz", born=date(1979, 5, 2),
                             dln=None, ni=None)
        namesake = person(2, surname="Popescu", forenames="Grzegorz", born=date(1979, 5, 2), dln=None, ni=None)
        query = SearchQuery("Grzegorz", "Popescu Dabrowski", date(1979, 5, 2))
        ranked = list(rank_candidates(query, [namesake, true_person], MODEL))
        assert [record_id for record_id, _ in ranked] == [1, 2]

    def test_namesakes_born_the_same_day_searched_by_name_and_date_of_birth_share_the_first_rank(self):
        namesake = person(2, dln="KHAN9803144I99XY", ni="PP654321B", postcode="M1 1AA", address="4 Oak Road, Manchester")
        query = SearchQuery("Khan", "Imran", date(1984, 3, 14))
        weights = [round(score.weight, 2) for _, score in rank_candidates(query, [person(1), namesake], MODEL)]
        assert shared_ranks(weights) == [1, 1]
        with_licence_number = SearchQuery("Khan", "Imran", date(1984, 3, 14), "KHAN9803144I99AB")
        ranked = list(rank_candidates(with_licence_number, [person(1), namesake], MODEL))
        assert ranked[0][0] == 1 and shared_ranks([round(score.weight, 2) for _, score in ranked]) == [1, 2]

    @pytest.mark.parametrize("query", [
        SearchQuery("Khan", "Imran", date(1984, 3, 14)),
        SearchQuery("Khan", "Imran", postcode="BD1 1AA"),
        SearchQuery(driving_licence_number="KHAN9803144I99AB"),
        SearchQuery("Khan", "Imran", date(1984, 3, 14), ni_number="PP123456A", postcode="M1 1AA"),
    ])
    @pytest.mark.parametrize("count", [5, 150])  # weighed one by one, and in arrays
    def test_each_candidate_scores_as_the_pair_of_whole_records_does(self, query, count):
        # Fields the query lacks are left out of the candidates' prepared form; nothing changes.
        candidates = [person(i, forenames=("Imran", "Imran Ali", "Irfan")[i % 3], born=date(1984, 3, 1 + i % 28),
                             dln=None if i % 4 == 0 else f"KHAN98031{i % 10}4I99A{chr(65 + i % 26)}",
                             ni=None if i % 5 == 0 else f"PP12{i:04d}A", postcode=("BD1 1AA", "M1 1AA", None)[i % 3],
                             address=None if i % 7 == 0 else f"{i} Mill Lane, Bradford") for i in range(1, count + 1)]
        whole = IdentityRecord(0, query.surname or "", query.forenames or "", query.date_of_birth,
                               query.driving_licence_number, query.ni_number, query.postcode, None)
        ranked = dict(rank_candidates(query, candidates, MODEL))
        assert len(ranked) == count
        for candidate in candidates:
            expected = score_pair(whole, candidate, MODEL)
            assert (ranked[candidate.record_id].weight, ranked[candidate.record_id].reasons) == (
                expected.weight, expected.reasons)

    @pytest.mark.parametrize("weights, ranks", [
        ([], []),
        ([30.5], [1]),
        ([30.5, 30.5, 12.0], [1, 1, 3]),
        ([30.5, 12.0, 12.0, 12.0, 4.25], [1, 2, 2, 2, 5]),
    ])
    def test_equal_weights_share_a_rank_and_the_next_rank_counts_them(self, weights, ranks):
        assert shared_ranks(weights) == ranks

    @pytest.mark.parametrize(
        "query, problem",
        [
            (SearchQuery(), "Nothing to search by"),
            (SearchQuery(surname="Khan"), "A name alone matches too many drivers"),
            (SearchQuery(date_of_birth=date(1984, 3, 14)), "Add a surname or forename"),
            (SearchQuery(ni_number="not an NI number"), "The National Insurance number is not valid"),
        ],
    )
    def test_too_broad_queries_say_what_to_add(self, query, problem):
        assert query_breadth_problem(query).startswith(problem)

    @pytest.mark.parametrize(
        "query",
        [
            SearchQuery(driving_licence_number="KHAN9803144I99AB"),
            SearchQuery(ni_number="PP123456A"),
            SearchQuery(surname="Khan", date_of_birth=date(1984, 3, 14)),
            SearchQuery(surname="Khan", forenames="Imran", postcode="BD1 1AA"),
        ],
    )
    def test_specific_queries_are_accepted(self, query):
        assert query_breadth_problem(query) is None


class TestConflicts:
    def test_one_licence_number_with_two_dates_of_birth_or_surnames(self):
        records = [person(1), person(2, born=date(1985, 3, 14)), person(3, surname="Smith", forenames="Imran")]
        kinds = {(c.kind, c.record_ids) for c in identity_conflicts(records)}
        assert ("licence_number_with_different_dates_of_birth", (1, 2, 3)) in kinds
        assert ("licence_number_with_different_surnames", (1, 2, 3)) in kinds

    def test_a_number_that_does_not_fit_its_holder(self):
        conflicts = identity_conflicts([person(1, born=date(1984, 3, 15))])
        assert [(c.kind, c.record_ids) for c in conflicts] == [("licence_number_does_not_fit_holder", (1,))]

    def test_variant_spellings_and_swapped_names_are_not_conflicts(self):
        records = [person(1), person(2, surname="Imran", forenames="Khan"), replace(person(3), surname="KHAN")]
        assert identity_conflicts(records) == []
