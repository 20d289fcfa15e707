import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from licensing.reference.authorities import authority_for_district, canonical_district_code, load_authorities
from licensing.reference.postcodes import HomeArea, PostcodeDirectory, build_postcode_index

WOLVERHAMPTON = "E08000031"
BARNSLEY_2024, BARNSLEY_2025 = "E08000016", "E08000038"
SHEFFIELD_2024, SHEFFIELD_2025 = "E08000019", "E08000039"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("reference")
    build_postcode_index(directory)
    return directory


@pytest.fixture(scope="session")
def directory(index_dir):
    return PostcodeDirectory.open(index_dir)


# Authorities


def test_there_are_318_licensing_authorities_sorted_by_code():
    authorities = load_authorities()
    assert len(authorities) == 318
    assert [a.code for a in authorities] == sorted(a.code for a in authorities)
    assert {a.country for a in authorities} == {"England", "Wales", "Scotland"}


def test_every_district_belongs_to_exactly_one_authority():
    districts = [d for a in load_authorities() for d in a.district_codes]
    assert len(districts) == len(set(districts)) == 350
    for authority in load_authorities():
        for district in authority.district_codes:
            assert authority_for_district(district) == authority.code


def test_tfl_licenses_for_all_33_london_districts():
    tfl = next(a for a in load_authorities() if a.code == "TFL")
    london = [d for a in load_authorities() for d in a.district_codes if d.startswith("E09")]
    assert len(london) == 33
    assert tfl.district_codes == tuple(sorted(london))
    assert tfl.name == "Transport for London"


def test_a_district_council_licenses_for_its_own_district():
    assert authority_for_district(WOLVERHAMPTON) == WOLVERHAMPTON


def test_barnsley_and_sheffield_2025_codes_reach_the_same_authority_as_2024_codes():
    assert authority_for_district(BARNSLEY_2025) == authority_for_district(BARNSLEY_2024) == BARNSLEY_2024
    assert authority_for_district(SHEFFIELD_2025) == authority_for_district(SHEFFIELD_2024) == SHEFFIELD_2024
    assert canonical_district_code(BARNSLEY_2025) == BARNSLEY_2024


def test_a_code_that_is_not_a_gb_district_has_no_authority():
    assert authority_for_district("N09000003") is None
    assert authority_for_district("") is None


def test_callers_cannot_corrupt_the_authority_list():
    load_authorities().clear()
    assert len(load_authorities()) == 318


# Postcodes


def test_a_listed_postcode_is_exact(directory):
    assert directory.home_of("WV1 1AA") == HomeArea(WOLVERHAMPTON, WOLVERHAMPTON, "exact", 1.0)


def test_raw_postcode_text_is_normalised_first(directory):
    assert directory.home_of(" wv1 1aa ") == directory.home_of("wv11aa") == directory.home_of("WV1 1AA")
    assert directory.home_of("sw1a1aa") == HomeArea("TFL", "E09000033", "exact", 1.0)


def test_an_unlisted_postcode_in_a_known_sector_is_probable_with_the_sectors_share(directory):
    # Sector WV11 2 is split between Wolverhampton (53.81%), South Staffordshire and Walsall.
    assert directory.home_of("WV11 2ZZ") == HomeArea(WOLVERHAMPTON, WOLVERHAMPTON, "probable", 0.5381)


def test_an_unlisted_postcode_in_a_single_district_sector_is_still_only_probable(directory):
    # Every listed postcode of WV1 1 is in Wolverhampton, but WV1 1ZZ itself is unknown.
    assert directory.home_of("WV1 1ZZ") == HomeArea(WOLVERHAMPTON, WOLVERHAMPTON, "probable", 1.0)


def test_an_unknown_sector_falls_back_to_the_outward_code(directory):
    # Sector WV10 5 does not exist; 82.37% of WV10 postcodes are in Wolverhampton.
    assert directory.home_of("WV10 5AA") == HomeArea(WOLVERHAMPTON, WOLVERHAMPTON, "probable", 0.8237)


def test_a_barnsley_postcode_reaches_barnsley_council(directory):
    home = directory.home_of("S70 1AA")
    assert (home.authority_code, home.district_code, home.precision) == (BARNSLEY_2024, BARNSLEY_2024, "exact")


@pytest.mark.parametrize(
    "postcode",
    [None, "", "   ", "garbage", "12345", "SW1A", "BT1 1AA", "bt71 4ny", "ZZ9 9ZZ"],
    ids=["none", "empty", "blank", "garbage", "digits", "outward-only", "belfast", "bt-raw", "unknown-area"],
)
def test_what_cannot_be_placed_is_unknown(directory, postcode):
    assert directory.home_of(postcode) == HomeArea.UNKNOWN == HomeArea(None, None, "unknown", None)


def test_many_lookups_agree_with_single_lookups_and_keep_the_callers_text(directory):
    postcodes = ["WV1 1AA", "wv11aa", "WV11 2ZZ", "WV10 5AA", "sw1a1aa", "BT1 1AA", "garbage", "ZZ9 9ZZ", "S70 1AA"]
    answers = directory.home_of_many(postcodes)
    assert answers == {postcode: directory.home_of(postcode) for postcode in postcodes}
    assert directory.home_of_many([]) == {}


def test_many_lookups_cover_more_than_one_batch(directory):
    postcodes = directory.sample_postcodes(WOLVERHAMPTON, 1200, random.Random(7))
    answers = directory.home_of_many(postcodes)
    assert {home.district_code for home in answers.values()} == {WOLVERHAMPTON}
    assert {home.precision for home in answers.values()} == {"exact"}


def test_lookups_from_several_threads_agree(directory):
    postcodes = directory.sample_postcodes("E09000033", 200, random.Random(3)) + ["WV11 2ZZ", "BT1 1AA"]
    expected = [directory.home_of(postcode) for postcode in postcodes]

    def look_up_all(_worker):
        return [directory.home_of(postcode) for postcode in postcodes]

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(look_up_all, range(12)))
    assert all(result == expected for result in results)


def test_the_index_is_built_once_and_reused(index_dir):
    path = build_postcode_index(index_dir)
    before = path.stat()
    PostcodeDirectory.open(index_dir)
    assert build_postcode_index(index_dir) == path
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in index_dir.glob("postcodes-*.sqlite")] == [path.name]
    assert list(index_dir.glob("*.building")) == []


def test_sampled_postcodes_are_real_postcodes_of_the_district(directory):
    sample = directory.sample_postcodes(WOLVERHAMPTON, 50, random.Random(1))
    assert len(set(sample)) == 50
    assert all(directory.home_of(postcode).precision == "exact" for postcode in sample)
    assert {directory.home_of(postcode).district_code for postcode in sample} == {WOLVERHAMPTON}


def test_sampling_is_deterministic_for_a_given_random_state(directory):
    first = directory.sample_postcodes("S12000033", 20, random.Random(42))
    again = directory.sample_postcodes("S12000033", 20, random.Random(42))
    other = directory.sample_postcodes("S12000033", 20, random.Random(43))
    assert first == again
    assert first != other


def test_sampling_accepts_the_2025_code_of_a_recoded_district(directory):
    assert directory.sample_postcodes(BARNSLEY_2025, 5, random.Random(5)) == directory.sample_postcodes(
        BARNSLEY_2024, 5, random.Random(5)
    )


def test_sampling_more_postcodes_than_a_district_has_repeats_some(directory):
    # The Isles of Scilly have 96 postcodes.
    sample = directory.sample_postcodes("E06000053", 150, random.Random(9))
    assert len(sample) == 150
    assert len(set(sample)) == 96


def test_sampling_an_unknown_district_is_an_error(directory):
    with pytest.raises(ValueError):
        directory.sample_postcodes("N09000003", 5, random.Random(1))
