"""What the findings rules tell licensing officers, given the register's licence records."""

from dataclasses import replace
from datetime import date

import pytest

from licensing.findings import (
    AdverseElsewhereRule,
    IdentityConflictRule,
    LicenceFact,
    MultipleLicencesRule,
    OutOfAreaRule,
    evaluate_findings,
)

TODAY = date(2025, 6, 1)
WOLVERHAMPTON = ("E08000031", "Wolverhampton City Council")
MANCHESTER = ("E08000003", "Manchester City Council")
LEEDS = ("E08000035", "Leeds City Council")
DLN = "MORGA711065SJ9IJ"  # Sarah Jane Morgan, born 6 November 1975


def licence(*, licence_id=1, driver_id=1, authority=WOLVERHAMPTON, number="PH1", licence_type="private_hire_driver",
            status="active", in_register=True, issued_on=date(2024, 1, 2), expires_on=date(2027, 1, 1),
            status_since=None, surname="Morgan", forenames="Sarah Jane", date_of_birth=date(1975, 11, 6),
            driving_licence_number=DLN, dln_grade="consistent", home=None, home_precision="exact",
            home_share=1.0) -> LicenceFact:
    home = home or authority  # lives where licensed unless a test says otherwise
    return LicenceFact(
        licence_id=licence_id, driver_id=driver_id, authority_code=authority[0], authority_name=authority[1],
        licence_number=number, licence_type=licence_type, status=status, in_register=in_register,
        issued_on=issued_on, expires_on=expires_on, surname=surname, forenames=forenames,
        date_of_birth=date_of_birth, driving_licence_number=driving_licence_number, dln_grade=dln_grade,
        home_authority_code=None if home_precision == "unknown" else home[0],
        home_authority_name=None if home_precision == "unknown" else home[1],
        home_precision=home_precision, home_share=None if home_precision == "unknown" else home_share,
        status_since=status_since,
    )


def run(rule, *licences):
    return list(rule.evaluate(licences, today=TODAY))


NOT_WORKING = {
    "expired by date": dict(expires_on=date(2025, 5, 31)),
    "ended by the feed": dict(in_register=False),
    "suspended": dict(status="suspended"),
    "surrendered": dict(status="surrendered"),
    "an operator licence": dict(licence_type="private_hire_operator"),
}


class TestOutOfArea:
    def test_a_driver_living_in_another_authoritys_area_is_flagged_to_the_home_authority(self):
        [finding] = run(OutOfAreaRule(), licence(home=MANCHESTER, status_since=date(2024, 1, 2)))
        assert finding.for_authorities == (MANCHESTER[0],)
        assert finding.visible_to == tuple(sorted((MANCHESTER[0], WOLVERHAMPTON[0])))
        assert finding.severity == "digest"
        assert finding.evidence == (
            "Licensed by Wolverhampton City Council (private hire driver licence, record 1, active since 2024-01-02)",
            "Home postcode lies in Manchester City Council's area (exact)",
        )

    def test_a_probable_home_says_so_with_its_share(self):
        [finding] = run(OutOfAreaRule(), licence(home=MANCHESTER, home_precision="probable", home_share=0.87))
        assert finding.summary.startswith("Probably lives in Manchester City Council's area")
        assert "probable: 87%" in finding.evidence[1]

    def test_an_unplaced_home_or_a_home_in_the_licensing_area_raises_nothing(self):
        assert run(OutOfAreaRule(), licence(home=MANCHESTER, home_precision="unknown")) == []
        assert run(OutOfAreaRule(), licence(home=WOLVERHAMPTON)) == []

    @pytest.mark.parametrize("change", NOT_WORKING.values(), ids=NOT_WORKING.keys())
    def test_only_a_licence_the_driver_can_work_on_counts(self, change):
        assert run(OutOfAreaRule(), licence(home=MANCHESTER, **change)) == []

    def test_moving_to_a_third_area_is_a_new_finding_for_the_new_home_authority(self):
        [before] = run(OutOfAreaRule(), licence(home=MANCHESTER))
        [after] = run(OutOfAreaRule(), licence(home=LEEDS))
        assert before.fact_key != after.fact_key
        assert after.for_authorities == (LEEDS[0],)


def revoked_at_leeds(**overrides):
    return licence(**{"licence_id": 2, "authority": LEEDS, "number": "PH9", "status": "revoked",
                      "status_since": date(2020, 5, 1), **overrides})


class TestAdverseElsewhere:
    def test_a_revocation_elsewhere_is_flagged_at_once_to_the_licensing_and_home_authorities(self):
        [finding] = run(AdverseElsewhereRule(), licence(home=MANCHESTER), revoked_at_leeds())
        assert finding.severity == "immediate"
        assert finding.licence_ids == (1, 2)
        assert set(finding.for_authorities) == {WOLVERHAMPTON[0], MANCHESTER[0]}
        assert set(finding.visible_to) == {WOLVERHAMPTON[0], MANCHESTER[0], LEEDS[0]}
        assert "Revoked by Leeds City Council (private hire driver licence, record 2, since 2020-05-01)" in finding.evidence
        # Read by every authority concerned: never another authority's licence number.
        assert "PH9" not in " ".join(finding.evidence)

    def test_a_home_authority_that_is_unknown_or_the_licensing_one_is_not_added(self):
        [unplaced] = run(AdverseElsewhereRule(), licence(home=MANCHESTER, home_precision="unknown"), revoked_at_leeds())
        [at_home] = run(AdverseElsewhereRule(), licence(), revoked_at_leeds())
        assert unplaced.for_authorities == at_home.for_authorities == (WOLVERHAMPTON[0],)

    def test_a_suspension_elsewhere_counts_until_it_is_lifted(self):
        [finding] = run(AdverseElsewhereRule(), licence(), revoked_at_leeds(status="suspended"))
        assert finding.summary == "Licensed by Wolverhampton City Council; suspended by Leeds City Council"
        assert run(AdverseElsewhereRule(), licence(), revoked_at_leeds(status="active")) == []

    def test_a_decision_by_the_same_authority_or_about_another_person_raises_nothing(self):
        assert run(AdverseElsewhereRule(), licence(), revoked_at_leeds(authority=WOLVERHAMPTON)) == []
        assert run(AdverseElsewhereRule(), licence(), revoked_at_leeds(driver_id=2)) == []

    @pytest.mark.parametrize("change", NOT_WORKING.values(), ids=NOT_WORKING.keys())
    def test_only_a_licence_the_driver_can_work_on_is_flagged(self, change):
        assert run(AdverseElsewhereRule(), licence(**change), revoked_at_leeds()) == []

    def test_a_decision_counts_for_eleven_years(self):
        assert run(AdverseElsewhereRule(), licence(), revoked_at_leeds(status_since=date(2014, 6, 2)))
        assert run(AdverseElsewhereRule(), licence(), revoked_at_leeds(status_since=date(2014, 6, 1))) == []

    def test_without_a_decision_date_the_licence_dates_stand_in_and_no_dates_at_all_keeps_it(self):
        old = dict(status_since=None, issued_on=date(2011, 1, 1), expires_on=date(2014, 1, 1))
        assert run(AdverseElsewhereRule(), licence(), revoked_at_leeds(**old)) == []
        [finding] = run(AdverseElsewhereRule(), licence(),
                        revoked_at_leeds(status_since=None, issued_on=None, expires_on=None))
        assert "date of decision not recorded" in finding.evidence[1]

    def test_the_retention_period_is_a_parameter(self):
        decided = revoked_at_leeds(status_since=date(2020, 5, 1))
        assert run(AdverseElsewhereRule(retention_years=5), licence(), decided) == []

    def test_a_suspension_becoming_a_revocation_updates_the_same_finding(self):
        [suspended] = run(AdverseElsewhereRule(), licence(), revoked_at_leeds(status="suspended"))
        [revoked] = run(AdverseElsewhereRule(), licence(), revoked_at_leeds())
        assert suspended.fact_key == revoked.fact_key
        assert suspended.fingerprint() != revoked.fingerprint()


class TestMultipleLicences:
    def test_active_licences_with_two_authorities_are_one_finding_for_both(self):
        [finding] = run(MultipleLicencesRule(), licence(), licence(licence_id=2, authority=MANCHESTER))
        assert finding.licence_ids == (1, 2)
        assert finding.for_authorities == tuple(sorted((WOLVERHAMPTON[0], MANCHESTER[0])))
        assert finding.severity == "digest"
        assert len(finding.evidence) == 2

    def test_a_hackney_and_a_private_hire_licence_from_one_authority_do_not_count(self):
        hackney = licence(licence_id=2, number="HC2", licence_type="hackney_carriage_driver")
        assert run(MultipleLicencesRule(), licence(), hackney) == []

    @pytest.mark.parametrize("change", NOT_WORKING.values(), ids=NOT_WORKING.keys())
    def test_a_licence_the_driver_cannot_work_on_does_not_count(self, change):
        assert run(MultipleLicencesRule(), licence(), licence(licence_id=2, authority=MANCHESTER, **change)) == []

    def test_different_people_do_not_count(self):
        assert run(MultipleLicencesRule(), licence(), licence(licence_id=2, driver_id=2, authority=MANCHESTER)) == []

    def test_the_finding_keeps_its_key_as_licences_join_but_reads_differently(self):
        pair = (licence(), licence(licence_id=2, authority=MANCHESTER))
        [two] = run(MultipleLicencesRule(), *pair)
        [three] = run(MultipleLicencesRule(), *pair, licence(licence_id=3, authority=LEEDS))
        assert two.fact_key == three.fact_key
        assert two.fingerprint() != three.fingerprint()
        assert three.for_authorities == tuple(sorted((WOLVERHAMPTON[0], MANCHESTER[0], LEEDS[0])))


class TestIdentityConflict:
    def test_one_number_with_two_dates_of_birth_is_flagged_even_across_people(self):
        records = (licence(), licence(licence_id=2, driver_id=7, authority=LEEDS, date_of_birth=date(1975, 6, 11),
                                      dln_grade="inconsistent", in_register=False))
        [shared] = [f for f in run(IdentityConflictRule(), *records) if f.licence_ids == (1, 2)]
        assert shared.severity == "immediate"
        assert shared.driver_ids == (1, 7)
        assert shared.for_authorities == tuple(sorted((WOLVERHAMPTON[0], LEEDS[0])))
        assert shared.summary == "One driving licence number is recorded with different dates of birth"

    def test_one_number_with_two_surnames_is_flagged_but_not_a_variant_spelling_or_swapped_names(self):
        def shared(**other):
            return run(IdentityConflictRule(), licence(), licence(licence_id=2, authority=LEEDS, **other))
        assert [f.summary for f in shared(surname="Jones")] == [
            "One driving licence number is recorded with different surnames"]
        assert shared(surname="MORGAN ") == []
        assert run(IdentityConflictRule(), licence(surname="Mohammed", forenames="Imran"),
                   licence(licence_id=2, surname="Muhammad", forenames="Imran")) == []
        assert run(IdentityConflictRule(), licence(surname="Khan", forenames="Imran"),
                   licence(licence_id=2, surname="Imran", forenames="Khan")) == []

    def test_the_key_hides_the_number_and_stays_put_when_people_are_renumbered(self):
        records = [licence(), licence(licence_id=2, authority=LEEDS, date_of_birth=date(1980, 1, 1))]
        [before] = run(IdentityConflictRule(), *records)
        [after] = run(IdentityConflictRule(), *[replace(r, driver_id=r.driver_id + 40) for r in records])
        assert before.fact_key == after.fact_key and before.fingerprint() == after.fingerprint()
        assert DLN not in before.fact_key + before.summary + "".join(before.evidence)

    def test_a_number_that_does_not_fit_its_holder_is_flagged_to_its_authority(self):
        [finding] = run(IdentityConflictRule(), licence(licence_id=5, authority=LEEDS, dln_grade="inconsistent"))
        assert finding.licence_ids == (5,)
        assert finding.for_authorities == (LEEDS[0],)
        assert finding.summary == "The driving licence number does not match the holder's date of birth"

    def test_a_misfit_on_an_ended_record_or_from_swapped_name_fields_raises_nothing(self):
        assert run(IdentityConflictRule(), licence(dln_grade="inconsistent", in_register=False)) == []
        swapped = licence(surname="Sarah Jane", forenames="Morgan", dln_grade="surname_differs")
        assert run(IdentityConflictRule(), swapped) == []
        assert run(IdentityConflictRule(), licence(surname="Jones", dln_grade="surname_differs"))

    def test_operator_records_are_left_out(self):
        operator = licence(licence_id=2, licence_type="private_hire_operator", date_of_birth=date(1990, 1, 1),
                           dln_grade="inconsistent")
        assert run(IdentityConflictRule(), licence(), operator) == []


def busy_scope():
    return [
        licence(home=MANCHESTER, home_precision="probable", home_share=0.6),
        licence(licence_id=2, authority=MANCHESTER, status="suspended", status_since=date(2023, 3, 3)),
        licence(licence_id=3, authority=LEEDS, number="HC3", licence_type="hackney_carriage_driver"),
        licence(licence_id=4, driver_id=2, authority=LEEDS, surname="Jones", date_of_birth=date(1980, 2, 2)),
        licence(licence_id=5, driver_id=3, licence_type="private_hire_operator", home=LEEDS,
                driving_licence_number=None, dln_grade=None),
    ]


class TestEvaluateFindings:
    def test_every_rule_contributes_in_a_fixed_order_whatever_the_input_order(self):
        findings = evaluate_findings(busy_scope(), today=TODAY)
        assert {f.type for f in findings} == {
            "out_of_area", "adverse_elsewhere", "multiple_licences", "identity_conflict"}
        assert evaluate_findings(busy_scope()[::-1], today=TODAY) == findings
        assert len({f.fact_key for f in findings}) == len(findings)

    def test_keys_and_fingerprints_survive_renumbered_drivers(self):
        renumbered = [replace(r, driver_id=r.driver_id + 100) for r in busy_scope()]
        def keyed(scope):
            return {f.fact_key: f.fingerprint() for f in evaluate_findings(scope, today=TODAY)}
        assert keyed(renumbered) == keyed(busy_scope())

    def test_operator_licences_never_produce_findings(self):
        findings = evaluate_findings(busy_scope(), today=TODAY)
        assert all(5 not in f.licence_ids for f in findings)

    def test_only_the_given_rules_run(self):
        findings = evaluate_findings(busy_scope(), today=TODAY, rules=[MultipleLicencesRule()])
        assert [f.type for f in findings] == ["multiple_licences"]


def test_a_finding_names_what_it_rests_on_so_an_officer_can_be_sent_to_it():
    from licensing.findings.rules.adverse_elsewhere import source_of
    from licensing.findings.rules.concern_shared import concern_of

    assert source_of("adverse_elsewhere:licence:12:decision:7") == ("decision", 7)
    assert source_of("adverse_elsewhere:licence:12:licence:5") == ("licence", 5)
    assert source_of("out_of_area:licence:12:home:E08000003") is None
    assert concern_of("concern_shared:concern:41") == 41
    assert concern_of("adverse_elsewhere:licence:12:licence:5") is None
