"""Field comparisons: each pair of prepared records becomes one level per comparison.

The levels are ordered from the strongest agreement to disagreement; level 0 always means "nothing
to compare" and weighs nothing. The model (model.py) gives each level its weight; this module only
decides which level a pair falls into, and how to say it in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from licensing.identity.names import NamePart
from licensing.identity.records import PreparedRecord

# Comparison order in every comparison vector and in the model.
DLN, NI, DOB, SURNAME, FORENAMES, ADDRESS = range(6)

COMPARISON_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("driving_licence_number", ("missing", "identical", "one_character_different", "different_both_well_formed", "different")),
    ("ni_number", ("missing", "identical", "one_character_different", "different_both_valid", "different")),
    ("date_of_birth", ("missing", "identical", "day_month_swapped", "one_digit_different", "year_differs", "different")),
    ("surname", ("missing", "identical", "variant", "shares_part", "similar", "different")),
    ("forenames", ("missing", "identical", "variant", "other_forename", "similar", "initial", "different")),
    ("address", ("missing", "same_postcode_and_address", "same_postcode", "similar_address", "same_sector", "same_district", "same_area", "different")),
)

# A first name this close (Jaro-Winkler) is a spelling slip rather than another name.
SIMILAR_NAME = 0.9
# token_set_ratio at or above which two addresses are the same address written differently.
SIMILAR_ADDRESS = 88.0

# DVLA numbers of people with the same name and date of birth share the first 13 characters and
# differ only in the last three; a difference confined there is another person, not a typo.
_DLN_ENCODED_PART = 13


@dataclass(frozen=True, slots=True)
class Comparison:
    levels: tuple[int, int, int, int, int, int]
    names_swapped: bool


def compare_records(a: PreparedRecord, b: PreparedRecord) -> Comparison:
    surname_level, forename_level, swapped = _name_levels(a, b)
    return Comparison(
        (
            _dln_level(a, b),
            _ni_level(a, b),
            _dob_level(a.dob_digits, b.dob_digits),
            surname_level,
            forename_level,
            _address_level(a, b),
        ),
        swapped,
    )


def _dln_level(a: PreparedRecord, b: PreparedRecord) -> int:
    x, y = a.dln, b.dln
    if not x or not y:
        return 0
    if x == y:
        return 1
    if OSA.distance(x, y, score_cutoff=1) <= 1 and not (
        len(x) == len(y) > _DLN_ENCODED_PART and x[:_DLN_ENCODED_PART] == y[:_DLN_ENCODED_PART]
    ):
        return 2
    if a.dln_well_formed and b.dln_well_formed:
        return 3
    return 4


def differ_in_one_final_character(x: str | None, y: str | None) -> bool:
    if not x or not y or len(x) != len(y) or len(x) <= _DLN_ENCODED_PART:
        return False
    return x[:_DLN_ENCODED_PART] == y[:_DLN_ENCODED_PART] and sum(p != q for p, q in zip(x, y)) == 1


def _ni_level(a: PreparedRecord, b: PreparedRecord) -> int:
    x, y = a.ni, b.ni
    if not x or not y:
        return 0
    if x == y:
        return 1
    if OSA.distance(x, y, score_cutoff=1) <= 1:
        return 2
    if a.ni_valid and b.ni_valid:
        return 3
    return 4


def _dob_level(x: str, y: str) -> int:
    if not x or not y:
        return 0
    if x == y:
        return 1
    if x[:4] == y[:4] and x[4:6] == y[6:8] and x[6:8] == y[4:6]:
        return 2
    differing = [i for i in range(8) if x[i] != y[i]]
    if len(differing) == 1:
        return 3
    if len(differing) == 2 and differing[1] == differing[0] + 1 and x[differing[0]] == y[differing[1]] and x[differing[1]] == y[differing[0]]:
        return 3  # two neighbouring digits transposed
    if x[4:] == y[4:]:
        return 4
    return 5


def surname_level(x: NamePart, y: NamePart) -> int:
    if not x.tokens or not y.tokens:
        return 0
    if x.joined == y.joined:
        return 1
    if x.canonical_joined == y.canonical_joined:
        return 2
    if (len(x.tokens) > 1 or len(y.tokens) > 1) and _share_a_name(x.canonical, y.canonical):
        return 3
    if x.phonetic == y.phonetic or JaroWinkler.similarity(x.joined, y.joined) >= SIMILAR_NAME:
        return 4
    return 5


def forename_level(x: NamePart, y: NamePart) -> int:
    if not x.tokens or not y.tokens:
        return 0
    if x.first == y.first:
        return 1
    if x.first_canonical == y.first_canonical:
        return 2
    if (len(x.first) > 1 and x.first_canonical in y.canonical) or (len(y.first) > 1 and y.first_canonical in x.canonical):
        return 3
    if (
        len(x.first) > 1
        and len(y.first) > 1
        and (x.first_phonetic == y.first_phonetic or JaroWinkler.similarity(x.first, y.first) >= SIMILAR_NAME)
    ):
        return 4
    if x.first[0] == y.first[0]:
        return 5
    return 6


def _share_a_name(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    return any(len(token) > 1 and token in y for token in x)


def _name_levels(a: PreparedRecord, b: PreparedRecord) -> tuple[int, int, bool]:
    s = surname_level(a.surname, b.surname)
    f = forename_level(a.forenames, b.forenames)
    if s == 1 and f == 1:
        return s, f, False
    # Forenames and surname entered the wrong way round: keep whichever reading agrees better.
    swapped_s = surname_level(a.surname, b.forenames)
    swapped_f = forename_level(a.forenames, b.surname)
    if swapped_s and swapped_f and swapped_s + swapped_f < s + f:
        return swapped_s, swapped_f, True
    return s, f, False


def _address_level(a: PreparedRecord, b: PreparedRecord) -> int:
    if not (a.postcode or a.address) or not (b.postcode or b.address):
        return 0
    both_addresses = bool(a.address and b.address)
    if a.postcode and a.postcode == b.postcode:
        if not both_addresses or token_set_ratio(a.address, b.address, score_cutoff=SIMILAR_ADDRESS):
            return 1
        return 2
    if both_addresses and token_set_ratio(a.address, b.address, score_cutoff=SIMILAR_ADDRESS):
        return 3
    if a.postcode and b.postcode:
        # Normalised postcodes end in a space and three characters: the sector drops the last two,
        # the district (outward code) the last four.
        if a.postcode[:-2] == b.postcode[:-2]:
            return 4
        if a.postcode[:-4] == b.postcode[:-4]:
            return 5
        # People who move mostly stay in the same town; the postcode area (its leading letters)
        # says so without a gazetteer.
        if _postcode_area(a.postcode) == _postcode_area(b.postcode):
            return 6
    return 7


def _postcode_area(postcode: str) -> str:
    return postcode[:2] if postcode[1].isalpha() else postcode[:1]


def level_reason(comparison: int, level: int, a: PreparedRecord, b: PreparedRecord, swapped: bool) -> str | None:
    """The words an officer reads for one comparison level."""
    if comparison == SURNAME:
        other = b.forenames if swapped else b.surname
        return _surname_reason(level, a.surname, other)
    if comparison == FORENAMES:
        other = b.surname if swapped else b.forenames
        return _forename_reason(level, a.forenames, other)
    return _FIXED_REASONS[comparison][level]


def _surname_reason(level: int, x: NamePart, y: NamePart) -> str:
    if level == 2:
        return f"surname a variant of {x.canonical_joined}"
    if level == 3:
        shared = next(t for t in x.canonical if len(t) > 1 and t in y.canonical)
        return f"surname shares the part {shared} (double-barrelled or shortened)"
    return _FIXED_REASONS[SURNAME][level]


def _forename_reason(level: int, x: NamePart, y: NamePart) -> str:
    if level == 2:
        return f"forename a variant of {x.first_canonical}"
    if level == 3:
        return "a forename on one record is a middle name on the other"
    return _FIXED_REASONS[FORENAMES][level]


_FIXED_REASONS: dict[int, tuple[str | None, ...]] = {
    DLN: (
        "no driving licence number to compare",
        "driving licence number identical",
        "driving licence numbers differ by one character",
        "different driving licence numbers (both well-formed)",
        "different driving licence numbers (one not well-formed)",
    ),
    NI: (
        "no National Insurance number to compare",
        "National Insurance number identical",
        "National Insurance numbers differ by one character",
        "different National Insurance numbers (both valid)",
        "different National Insurance numbers (one not valid)",
    ),
    DOB: (
        "no date of birth to compare",
        "date of birth identical",
        "date of birth day and month swapped",
        "dates of birth differ by one digit",
        "same birthday, different year of birth",
        "different dates of birth",
    ),
    SURNAME: ("no surname to compare", "surname identical", None, None, "surname spelled similarly", "different surnames"),
    FORENAMES: (
        "no forename to compare",
        "forename identical",
        None,
        None,
        "forename spelled similarly",
        "only the initial of the forename agrees",
        "different forenames",
    ),
    ADDRESS: (
        "no address to compare",
        "same postcode and address",
        "same postcode, different address",
        "address similar, postcode differs",
        "same postcode sector",
        "same postcode district",
        "same postcode area, different address",
        "different address",
    ),
}
