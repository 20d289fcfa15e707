import csv
import io
import math
from collections import Counter
from datetime import date

import pytest
from unidecode import unidecode

from licensing.reference.postcodes import PostcodeDirectory
from licensing.synthetic import (
    CANONICAL_COLUMNS,
    CORRUPTIONS,
    GeneratorProfile,
    demo_register,
    feed_csv,
    generate_register,
    is_near_date_of_birth,
    national_register,
)
from licensing.synthetic.corruptions import applicable_corruptions
from licensing.values import (
    is_valid_ni_number,
    is_well_formed_gb_driving_licence_number,
    normalise_postcode,
    parse_calendar_date,
)

WOLVERHAMPTON = "E08000031"
GREATER_MANCHESTER = {f"E080000{n:02d}" for n in range(1, 11)}
MIXED_AUTHORITIES = (
    WOLVERHAMPTON,
    "E08000003",  # Manchester
    "E08000001",  # Bolton
    "E08000005",  # Rochdale
    "E08000019",  # Sheffield
    "E08000025",  # Birmingham
    "TFL",
    "E06000001",  # Hartlepool
    "W06000015",  # Cardiff
    "S12000049",  # Glasgow
)
# Rates far from the defaults and from each other, so that a rate wired to the wrong knob shows.
MEASURED_PROFILE = GeneratorProfile(
    out_of_area_rate=0.2,
    wolverhampton_out_of_area_rate=0.9,
    multi_licence_rate=0.3,
    namesake_rate=0.05,
    name_variant_rate=0.4,
    accent_rate=0.6,
    double_barrel_rate=0.7,
    middle_name_rate=0.25,
    surname_typo_rate=0.15,
    swapped_names_rate=0.1,
    dob_day_month_swap_rate=0.2,
    dob_digit_typo_rate=0.12,
    moved_rate=0.3,
    missing_dln_rate=0.18,
    dln_typo_rate=0.08,
    missing_ni_rate=0.35,
    operators_per_authority=7,
    expired_rate=0.1,
    suspended_rate=0.03,
    revoked_rate=0.02,
    surrendered_rate=0.04,
)
NAME_CORRUPTIONS = {"name_variant", "accent", "double_barrel", "middle_name", "surname_typo", "swapped_names"}
DOB_CORRUPTIONS = {"dob_day_month_swap", "dob_digit_typo"}


@pytest.fixture(scope="module")
def postcodes():
    return PostcodeDirectory.open()


@pytest.fixture(scope="module")
def register(postcodes):
    return generate_register(
        seed=11, authority_codes=MIXED_AUTHORITIES, licences=20_000, profile=MEASURED_PROFILE, postcodes=postcodes
    )


def assert_rate(hits: int, trials: int, rate: float, what: str) -> None:
    # Four standard deviations of a binomial count: a fixed seed never flakes, yet a rate wired
    # to the wrong knob or off by a few points fails.
    assert trials > 100, f"too few records to measure {what}"
    allowed = 4 * math.sqrt(trials * rate * (1 - rate)) + 2
    assert abs(hits - rate * trials) <= allowed, f"{what}: {hits}/{trials} = {hits / trials:.3f}, wanted {rate}"


def drivers(register):
    return [licence for licence in register.licences if licence.person_id > 0]


def test_the_same_seed_gives_the_same_register_and_another_seed_a_different_one(postcodes):
    def make(seed):
        return generate_register(seed=seed, authority_codes=MIXED_AUTHORITIES, licences=3_000, postcodes=postcodes)

    first, again, other = make(5), make(5), make(6)
    assert first.licences == again.licences
    assert first.people == again.people
    assert first.namesake_groups == again.namesake_groups
    assert [feed_csv(first.feed_rows(code)) for code in MIXED_AUTHORITIES] == [
        feed_csv(again.feed_rows(code)) for code in MIXED_AUTHORITIES
    ]
    assert [licence.row for licence in other.licences] != [licence.row for licence in first.licences]


def test_register_has_exactly_the_licences_asked_for_split_into_feeds(register):
    assert len(register.licences) == 20_000
    assert register.authorities() == list(MIXED_AUTHORITIES)
    assert sum(len(register.feed_rows(code)) for code in register.authorities()) == 20_000
    assert register.feed_rows("E07000117") == []
    for code in register.authorities():
        numbers = [row["licence_number"] for row in register.feed_rows(code)]
        assert len(numbers) == len(set(numbers)), f"duplicate licence numbers in {code}"


def test_feed_rows_are_copies_that_cannot_alter_the_ground_truth(register):
    rows = register.feed_rows("TFL")
    original = rows[0]["surname"]
    rows[0]["surname"] = "Changed"
    assert register.feed_rows("TFL")[0]["surname"] == original


def decode_driver_number(number: str) -> dict:
    month = int(number[6:8])
    return {
        "surname": number[:5],
        "sex": "F" if month > 50 else "M",
        "month": month - 50 if month > 50 else month,
        "day": int(number[8:10]),
        "decade_and_year": number[5] + number[10],
        "initials": number[11:13],
    }


def expected_surname_key(surname: str) -> str:
    letters = "".join(c for c in surname.upper() if "A" <= c <= "Z")
    if letters.startswith("MAC"):
        letters = "MC" + letters[3:]
    return letters[:5].ljust(5, "9")


def test_uncorrupted_records_carry_driver_numbers_that_encode_the_row(register):
    checked = 0
    for licence in drivers(register):
        if licence.extra_record:
            continue
        row, person = licence.row, register.people[licence.person_id]
        number = row["driving_licence_number"]
        assert is_well_formed_gb_driving_licence_number(number), number
        born = parse_calendar_date(row["date_of_birth"])
        decoded = decode_driver_number(number)
        # Accented letters are written without the accent in a driver number.
        assert decoded["surname"] == expected_surname_key(unidecode(row["surname"])), (number, row["surname"])
        assert (decoded["month"], decoded["day"]) == (born.month, born.day)
        assert decoded["decade_and_year"] == f"{born.year:04d}"[2:]
        assert decoded["sex"] == person.sex
        initials = "".join(name[0] for name in unidecode(row["forenames"]).split())[:2].upper()
        assert decoded["initials"] == initials.ljust(2, "9"), (number, row["forenames"])
        assert is_valid_ni_number(row["ni_number"]), row["ni_number"]
        checked += 1
    assert checked > 14_000


def test_scottish_mac_surnames_encode_as_mc():
    register = generate_register(seed=3, authority_codes=["S12000049"], licences=6_000)
    macs = [p for p in register.people.values() if p.surname.upper().startswith("MAC")]
    assert macs
    for person in macs:
        assert person.driving_licence_number.startswith(expected_surname_key(person.surname))
        assert person.driving_licence_number[:2] == "MC"


def test_out_of_area_multi_licence_and_namesake_rates_are_met(register):
    first_licences = [licence for licence in drivers(register) if not licence.extra_record]
    elsewhere = [licence for licence in first_licences if licence.authority_code != WOLVERHAMPTON]
    assert_rate(
        sum(register.people[lic.person_id].home_authority != lic.authority_code for lic in elsewhere),
        len(elsewhere),
        MEASURED_PROFILE.out_of_area_rate,
        "out of area",
    )
    wolverhampton = [licence for licence in first_licences if licence.authority_code == WOLVERHAMPTON]
    assert_rate(
        sum(register.people[lic.person_id].home_authority != WOLVERHAMPTON for lic in wolverhampton),
        len(wolverhampton),
        MEASURED_PROFILE.wolverhampton_out_of_area_rate,
        "Wolverhampton out of area",
    )
    licences_per_person = Counter(licence.person_id for licence in drivers(register))
    assert_rate(
        sum(count > 1 for count in licences_per_person.values()),
        len(licences_per_person),
        MEASURED_PROFILE.multi_licence_rate,
        "multi-licence",
    )
    assert max(licences_per_person.values()) == 3
    planted = len(register.namesake_groups)
    # Each planted namesake adds a person: people = originals + planted.
    assert_rate(planted, len(register.people) - planted, MEASURED_PROFILE.namesake_rate, "namesakes")


def test_each_corruption_is_applied_at_its_rate_where_it_can_apply(register):
    extra = [licence for licence in drivers(register) if licence.extra_record]
    assert all(not licence.corruptions for licence in drivers(register) if not licence.extra_record)
    for corruption in CORRUPTIONS:
        eligible = []
        for licence in extra:
            person = register.people[licence.person_id]
            if corruption not in applicable_corruptions(person.surname, person.forenames, person.date_of_birth):
                continue
            if corruption == "dln_typo" and "missing_dln" in licence.corruptions:
                continue
            eligible.append(licence)
        hits = sum(corruption in licence.corruptions for licence in eligible)
        assert_rate(hits, len(eligible), MEASURED_PROFILE.corruption_rate(corruption), corruption)


def test_recorded_corruptions_are_exactly_the_differences_from_the_person(register):
    for licence in drivers(register):
        row, person, applied = licence.row, register.people[licence.person_id], set(licence.corruptions)
        names_match = (row["surname"].upper(), row["forenames"]) == (person.surname.upper(), person.forenames)
        assert names_match == (not applied & NAME_CORRUPTIONS), (applied, row["surname"], row["forenames"], person)
        born = parse_calendar_date(row["date_of_birth"])
        assert (born == person.date_of_birth) == (not applied & DOB_CORRUPTIONS)
        assert (normalise_postcode(row["postcode"]) != person.home_postcode) == ("moved" in applied)
        assert (row["address"] != person.address) == ("moved" in applied)
        if "missing_dln" in applied:
            assert row["driving_licence_number"] == ""
        elif "dln_typo" in applied:
            differing = sum(a != b for a, b in zip(row["driving_licence_number"], person.driving_licence_number))
            assert differing == 1
        else:
            assert row["driving_licence_number"] == person.driving_licence_number
        assert (row["ni_number"] == "") == ("missing_ni" in applied)
        if "swapped_names" in applied and applied & NAME_CORRUPTIONS == {"swapped_names"}:
            assert (row["surname"].upper(), row["forenames"].upper()) == (
                person.forenames.upper(),
                person.surname.upper(),
            )


def test_transliteration_variants_occur_among_extra_records(register):
    spellings = {"Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed", "Mohamad", "Mohd", "Md"}
    variants_seen = set()
    for licence in drivers(register):
        if set(licence.corruptions) & NAME_CORRUPTIONS == {"name_variant"}:
            true_names = register.people[licence.person_id].forenames.split()
            for recorded, true in zip(licence.row["forenames"].split(), true_names):
                if recorded != true and true in spellings:
                    variants_seen.add((true, recorded))
    assert len(variants_seen) >= 5
    assert all(recorded in spellings for _, recorded in variants_seen)


def test_licence_type_and_status_mix_is_as_profiled(register):
    driver_rows = [licence.row for licence in drivers(register)]
    types = Counter(row["licence_type"] for row in driver_rows)
    shares = (MEASURED_PROFILE.private_hire_share, MEASURED_PROFILE.hackney_share, MEASURED_PROFILE.dual_share)
    for licence_type, share in zip(("private_hire_driver", "hackney_carriage_driver", "dual_driver"), shares):
        assert_rate(types[licence_type], len(driver_rows), share / sum(shares), licence_type)
    statuses = Counter(row["status"] for row in driver_rows)
    for status in ("expired", "suspended", "revoked", "surrendered"):
        assert_rate(statuses[status], len(driver_rows), getattr(MEASURED_PROFILE, f"{status}_rate"), status)


def test_expiry_dates_agree_with_status_and_each_authority_writes_one_date_format(register):
    as_of = MEASURED_PROFILE.as_of
    for code in register.authorities():
        formats = set()
        for row in register.feed_rows(code):
            issued, expires = parse_calendar_date(row["issued_on"]), parse_calendar_date(row["expires_on"])
            assert issued < expires
            assert (expires < as_of) == (row["status"] == "expired"), row
            formats.add("iso" if "-" in row["expires_on"] else "uk")
        assert len(formats) == 1, code
    first_rows = [register.feed_rows(code)[0] for code in register.authorities()]
    assert {"iso" if "-" in row["issued_on"] else "uk" for row in first_rows} == {"iso", "uk"}


def test_operators_are_companies_without_personal_details(register):
    operators = [licence for licence in register.licences if licence.person_id < 0]
    assert Counter(licence.authority_code for licence in operators) == {
        code: MEASURED_PROFILE.operators_per_authority for code in MIXED_AUTHORITIES
    }
    for licence in operators:
        row = licence.row
        assert row["licence_type"] == "private_hire_operator"
        assert row["surname"] and row["forenames"] == row["date_of_birth"] == row["driving_licence_number"] == ""
        assert licence.person_id not in register.people
    drivers_types = {licence.row["licence_type"] for licence in drivers(register)}
    assert "private_hire_operator" not in drivers_types


def test_namesakes_are_different_people_with_the_same_name_and_a_near_birth_date(register):
    assert register.namesake_groups
    licensed = {licence.person_id for licence in register.licences}
    for group in register.namesake_groups:
        people = [register.people[person_id] for person_id in group]
        assert len({(p.surname, p.forenames) for p in people}) == 1
        assert len({p.driving_licence_number for p in people}) == len(people)
        assert len({p.ni_number[:8] for p in people}) == len(people)
        for person in people:
            others = [other for other in people if other is not person]
            assert any(is_near_date_of_birth(person.date_of_birth, other.date_of_birth) for other in others)
            assert person.person_id in licensed
    birth_dates_per_group = [{register.people[i].date_of_birth for i in group} for group in register.namesake_groups]
    assert any(len(dates) == 1 for dates in birth_dates_per_group)
    assert any(len(dates) > 1 for dates in birth_dates_per_group)


def test_no_two_people_share_a_driver_number_or_ni_number(register):
    people = list(register.people.values())
    assert len({p.driving_licence_number for p in people}) == len(people)
    assert len({p.ni_number[:8] for p in people}) == len(people)


def test_near_date_of_birth():
    assert is_near_date_of_birth(date(1980, 5, 1), date(1980, 5, 1))
    assert is_near_date_of_birth(date(1980, 5, 1), date(1980, 4, 28))
    assert is_near_date_of_birth(date(1980, 5, 1), date(1981, 5, 1))
    assert not is_near_date_of_birth(date(1980, 5, 1), date(1980, 5, 5))
    assert not is_near_date_of_birth(date(1980, 5, 1), date(1982, 5, 1))


def test_every_postcode_is_a_valid_gb_postcode_in_the_home_district(register, postcodes):
    for licence in register.licences:
        assert normalise_postcode(licence.row["postcode"]) is not None, licence.row["postcode"]
    homes = postcodes.home_of_many(p.home_postcode for p in register.people.values())
    for person in register.people.values():
        assert homes[person.home_postcode].district_code == person.home_district
        assert homes[person.home_postcode].authority_code == person.home_authority


def test_feed_csv_round_trips_through_a_csv_reader(register):
    rows = [row for code in register.authorities() for row in register.feed_rows(code)]
    assert any("," in row["address"] for row in rows) and any(not row["surname"].isascii() for row in rows)
    parsed = list(csv.DictReader(io.StringIO(feed_csv(rows).decode("utf-8"), newline="")))
    assert parsed == rows
    assert tuple(parsed[0]) == CANONICAL_COLUMNS


def test_demo_register_has_wolverhampton_drivers_living_in_greater_manchester(postcodes):
    register = demo_register()
    assert 3_000 <= len(register.licences) <= 5_000
    assert set(register.authorities()) == {WOLVERHAMPTON, "E08000003", "E08000001", "E08000005", "E08000019", "TFL"}
    wolverhampton_drivers = {
        licence.person_id
        for licence in register.licences
        if licence.authority_code == WOLVERHAMPTON and licence.person_id > 0
    }
    in_greater_manchester = [
        register.people[person_id]
        for person_id in wolverhampton_drivers
        if register.people[person_id].home_district in GREATER_MANCHESTER
    ]
    assert len(in_greater_manchester) >= 0.1 * len(wolverhampton_drivers)
    homes = postcodes.home_of_many(person.home_postcode for person in in_greater_manchester)
    assert all(home.district_code in GREATER_MANCHESTER for home in homes.values())
    # Some are licensed by their own Greater Manchester council too: the case the register exists for.
    licensed_at_home = [
        licence
        for licence in register.licences
        if licence.person_id in wolverhampton_drivers
        and licence.authority_code in GREATER_MANCHESTER
        and licence.authority_code == register.people[licence.person_id].home_authority
    ]
    assert licensed_at_home


def test_national_register_covers_every_authority_with_tfl_and_wolverhampton_largest():
    register = national_register(licences=20_000)
    sizes = Counter(licence.authority_code for licence in register.licences)
    assert len(register.authorities()) == len(sizes) == 318
    (largest, _), (second, _) = sizes.most_common(2)
    assert (largest, second) == ("TFL", WOLVERHAMPTON)
    assert 0.2 <= sizes["TFL"] / 20_000 <= 0.3


def test_unknown_authority_codes_are_refused():
    with pytest.raises(ValueError, match="E99999999"):
        generate_register(seed=1, authority_codes=["E99999999"], licences=10)
