"""Field-level behaviour of identity matching: licence number grading, names, dates, blocking keys."""

from datetime import date

import pytest

from licensing.identity import DlnGrade, IdentityRecord, blocking_keys, grade_driving_licence_number, prepare
from licensing.identity.compare import COMPARISON_LEVELS, compare_records
from licensing.identity.names import VARIANT_CANONICAL, name_part


def record(record_id=1, *, surname="Morgan", forenames="Sarah Jane", born=date(1975, 11, 6), dln="MORGA757066SJ9IJ",
           ni="AB123456C", postcode="CF10 1AA", address="1 High Street") -> IdentityRecord:
    return IdentityRecord(record_id, surname, forenames, born, dln, ni, postcode, address)


def levels(a: IdentityRecord, b: IdentityRecord) -> dict[str, str]:
    """The level each comparison puts the pair in, by the level's name."""
    names = ("dln", "ni", "dob", "surname", "forenames", "address")
    found = compare_records(prepare(a), prepare(b)).levels
    return {name: COMPARISON_LEVELS[c][1][level] for c, (name, level) in enumerate(zip(names, found))}


class TestLicenceNumberGrade:
    def grade(self, number, surname="Morgan", forenames="Sarah Jane", born=date(1975, 11, 6)):
        return grade_driving_licence_number(number, surname=surname, forenames=forenames, date_of_birth=born)

    def test_a_number_that_encodes_its_holder_is_consistent_for_either_sex(self):
        assert self.grade("MORGA711065SJ9IJ") == DlnGrade.CONSISTENT
        assert self.grade("MORGA761065SJ9IJ") == DlnGrade.CONSISTENT  # month + 50

    def test_spaces_and_case_do_not_matter(self):
        assert self.grade("morga 711065 sj9ij") == DlnGrade.CONSISTENT

    def test_wrong_initials_wrong_surname_wrong_date(self):
        assert self.grade("MORGA711065SX9IJ") == DlnGrade.INITIALS_DIFFER
        assert self.grade("JONES711065SJ9IJ") == DlnGrade.SURNAME_DIFFERS
        assert self.grade("MORGA711075SJ9IJ") == DlnGrade.INCONSISTENT

    def test_short_and_mac_surnames_follow_the_dvla_rules(self):
        assert self.grade("LI999711065SJ9IJ", surname="Li") == DlnGrade.CONSISTENT
        assert self.grade("MCDON711065SJ9IJ", surname="MacDonald") == DlnGrade.CONSISTENT
        assert self.grade("OBRIE711065S99IJ", surname="O'Brien", forenames="Sarah") == DlnGrade.CONSISTENT

    def test_no_number_malformed_and_northern_ireland(self):
        assert self.grade(None) is None
        assert self.grade("  ") is None
        assert self.grade("MORGA7110") == DlnGrade.MALFORMED
        assert self.grade("12345678") == DlnGrade.NORTHERN_IRELAND

    def test_without_a_date_of_birth_only_the_names_are_checked(self):
        assert self.grade("MORGA711065SJ9IJ", born=None) == DlnGrade.CONSISTENT


class TestNames:
    def test_transliterations_share_a_canonical_form(self):
        spellings = ["Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed", "Mohd", "Md"]
        assert {name_part(s).first_canonical for s in spellings} == {"MOHAMMED"}
        assert {name_part(s).canonical_joined for s in ["Chaudhry", "Choudhury", "Chaudhary", "Chowdhury"]} == {"CHAUDHRY"}

    def test_accents_punctuation_and_double_barrels_normalise(self):
        assert name_part("Siân").joined == "SIAN"
        assert name_part("O'Brien").joined == name_part("OBrien").joined
        assert name_part("Smith-Jones").joined == name_part("Smith Jones").joined == "SMITHJONES"

    def test_variant_table_has_one_group_per_spelling_and_every_group_names_its_canonical(self):
        canonicals = set(VARIANT_CANONICAL.values())
        assert all(VARIANT_CANONICAL[c] == c for c in canonicals)
        assert all(v.isalpha() and v.isupper() for v in VARIANT_CANONICAL)


class TestComparisons:
    def test_variant_forename_swapped_names_and_swapped_day_month(self):
        a = record(surname="Khan", forenames="Mohammed", born=date(1980, 3, 7))
        b = record(2, surname="Muhammad", forenames="Khan", born=date(1980, 7, 3))
        got = levels(a, b)
        assert (got["surname"], got["forenames"], got["dob"]) == ("identical", "variant", "day_month_swapped")

    def test_swapped_names_compare_the_surname_box_with_the_first_forename(self):
        swapped = record(surname="David", forenames="Jones")
        got = levels(swapped, record(2, surname="Jones", forenames="David Alan"))
        assert (got["surname"], got["forenames"]) == ("identical", "identical")
        assert levels(record(2, surname="Jones", forenames="David Alan"), swapped)["surname"] == "identical"

    def test_one_digit_and_transposed_dates(self):
        a = record(born=date(1975, 11, 6))
        assert levels(a, record(2, born=date(1976, 11, 6)))["dob"] == "one_digit_different"
        assert levels(a, record(2, born=date(1957, 11, 6)))["dob"] == "one_digit_different"  # 75 typed 57
        assert levels(a, record(2, born=date(1985, 11, 6)))["dob"] == "one_digit_different"
        assert levels(a, record(2, born=date(1975, 12, 7)))["dob"] == "two_digits_different"
        assert levels(a, record(2, born=date(1962, 11, 6)))["dob"] == "year_differs"
        assert levels(a, record(2, born=date(1975, 2, 18)))["dob"] == "different"

    def test_middle_name_and_double_barrel(self):
        a = record(surname="Smith-Jones", forenames="Sarah Jane")
        assert levels(a, record(2, surname="Smith Jones", forenames="Sarah"))["surname"] == "identical"
        assert levels(a, record(2, surname="Jones", forenames="Sarah"))["surname"] == "shares_part"
        assert levels(a, record(2, surname="Jomes", forenames="Sarah"))["surname"] == "shares_part"
        assert levels(a, record(2, surname="Jones", forenames="Jane"))["forenames"] == "other_forename"

    def test_the_part_of_a_licence_number_that_encodes_its_holder_is_compared_apart_from_the_final_characters(self):
        a = record(dln="MORGA711065SJ9IJ")
        assert levels(a, record(2, dln="MORGA711065SJ9IJ"))["dln"] == "identical"
        # One digit of the date of birth slipped inside the number: a typo.
        assert levels(a, record(2, dln="MORGA711066SJ9IJ"))["dln"] == "one_character_different"
        # Same name, date of birth and initials, told apart by the final characters: two people.
        assert levels(a, record(2, dln="MORGA711065SJ8IJ"))["dln"] == "different_both_well_formed"
        assert levels(a, record(2, dln="JONES802031AB9XY"))["dln"] == "different_both_well_formed"
        assert levels(a, record(2, dln="NOT A NUMBER"))["dln"] == "different"
        assert levels(a, record(2, dln=None))["dln"] == "missing"

    def test_a_date_of_birth_before_the_year_1000_is_compared_digit_for_digit(self):
        # A mistyped year (0371 for 1971) is still a date; it is a slip of two digits, not a fault.
        assert levels(record(born=date(371, 11, 6)), record(2))["dob"] not in ("identical", "missing")
        assert levels(record(born=date(371, 11, 6)), record(2, born=date(371, 11, 6)))["dob"] == "identical"

    def test_address_levels(self):
        a = record(postcode="CF10 1AA", address="1 High Street")
        assert levels(a, record(2, postcode="cf101aa", address="1 HIGH ST."))["address"] in (
            "same_postcode_and_address", "same_postcode")
        assert levels(a, record(2, postcode="CF10 1AA", address="99 Other Road"))["address"] == "same_postcode"
        assert levels(a, record(2, postcode="CF10 1ZZ", address="8 Low Road"))["address"] == "same_sector"
        assert levels(a, record(2, postcode="CF10 3ZZ", address="8 Low Road"))["address"] == "same_district"
        assert levels(a, record(2, postcode="CF24 3ZZ", address="8 Low Road"))["address"] == "same_area"
        assert levels(a, record(2, postcode="LS1 1AA", address="8 Low Road"))["address"] == "different"
        # No postcode to go on (or one from abroad): the words of the address still count.
        assert levels(a, record(2, postcode=None, address="1 High Stret, Cardiff"))["address"] == "partly_similar_address"


    def test_names_as_people_write_them(self):
        # A typo in each name, same date of birth and postcode: what an officer joins at a glance.
        a = record(surname="Archer", forenames="Marcus", postcode="LS16 6JW", address=None, dln=None, ni=None)
        b = record(2, surname="Arher", forenames="Mvrcus", postcode="LS16 6JW", address=None, dln=None, ni=None)
        got = levels(a, b)
        assert (got["surname"], got["forenames"], got["dob"]) == ("one_typo", "one_typo", "identical")
        # Two neighbouring letters transposed is one typo; so is a letter dropped.
        assert levels(a, record(2, surname="Arhcer"))["surname"] == "one_typo"
        assert levels(a, record(2, forenames="Marc"))["forenames"] != "one_typo"  # a shorter name, not a slip
        # Forenames and surname the wrong way round, with a typo in one of them.
        swapped = levels(a, record(2, surname="Marcus", forenames="Archar"))
        assert (swapped["surname"], swapped["forenames"]) == ("one_typo", "identical")
        # One letter apart in a short name is another name.
        assert levels(record(forenames="Tom"), record(2, forenames="Tim"))["forenames"] != "one_typo"

    def test_two_letters_are_too_few_to_be_spelled_similarly(self):
        assert levels(record(surname="Liu"), record(2, surname="Li"))["surname"] == "different"
        assert levels(record(surname="Ngo"), record(2, surname="Ng"))["surname"] == "different"
        assert levels(record(forenames="Joe"), record(2, forenames="Jo"))["forenames"] == "initial"
        # The particle of Al-Hassan, read as a forename when the names are swapped, is not the forename Ali.
        swapped = levels(record(surname="Mohamed", forenames="Ali"), record(2, surname="Al-Hassan", forenames="Mohamed"))
        assert swapped["forenames"] != "similar"
        # Three letters or more still are: a sound-alike spelling.
        assert levels(record(surname="Lee"), record(2, surname="Leigh"))["surname"] == "similar"


class TestBlockingKeys:
    @pytest.mark.parametrize(
        "changes",
        [
            {"surname": "Sarah Jane", "forenames": "Morgan"},
            {"born": date(1975, 6, 11)},
            {"born": date(1975, 11, 8), "dln": None},
            {"born": date(1965, 11, 6), "dln": None, "ni": None},
            {"surname": "Morgen", "dln": None, "ni": None},
            {"surname": "Morgan-Price", "forenames": "Sarah", "dln": None},
            {"dln": None, "ni": None, "postcode": "LS1 1AA"},
        ],
    )
    def test_a_corrupted_record_still_shares_a_key_with_the_original(self, changes):
        original = record()
        corrupted = record(2, **{**dict(surname="Morgan", forenames="Sarah Jane", born=date(1975, 11, 6),
                                        dln="MORGA757066SJ9IJ", ni="AB123456C", postcode="CF10 1AA"), **changes})
        assert blocking_keys(original) & blocking_keys(corrupted)

    def test_keys_are_opaque_strings_naming_what_they_hold(self):
        keys = blocking_keys(record())
        assert "dln:MORGA757066SJ9IJ" in keys
        assert "ni:AB123456C" in keys
        assert any(k.startswith("dob+nm:1975-06-11:") for k in keys)

    def test_a_record_with_nothing_but_a_name_has_no_keys(self):
        assert blocking_keys(record(born=None, dln=None, ni=None, postcode=None, address=None)) == frozenset()

    def test_without_a_uk_postcode_the_street_still_brings_a_person_together(self):
        # Same names and street, the date of birth wrong beyond a slip, no postcode to go on.
        a = record(born=date(1975, 11, 6), dln=None, ni=None, postcode=None, address="12 Oak Road, Leeds")
        b = record(2, born=date(1957, 1, 16), dln=None, ni=None, postcode=None, address="12 Oak Rd Leeds")
        assert blocking_keys(a) & blocking_keys(b)
