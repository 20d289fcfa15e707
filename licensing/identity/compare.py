"""Field comparisons: each pair of prepared records becomes one level per comparison.

The levels are ordered from the strongest agreement to disagreement; level 0 always means "nothing
to compare" and weighs nothing. The model (model.py) gives each level its weight; this module only
decides which level a pair falls into, and how to say it in words. docs/matching.md gives the reason
for every level.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from licensing.identity.names import NamePart, name_part
from licensing.identity.records import PreparedRecord

# Comparison order in every comparison vector and in the model.
DLN, NI, DOB, SURNAME, FORENAMES, ADDRESS = range(6)

COMPARISON_LEVELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("driving_licence_number", ("missing", "identical", "one_character_different", "different_both_well_formed",
                                "different")),
    ("ni_number", ("missing", "identical", "one_character_different", "different_both_valid", "different")),
    ("date_of_birth", ("missing", "identical", "day_month_swapped", "one_digit_different", "two_digits_different",
                       "year_differs", "different")),
    ("surname", ("missing", "identical", "variant", "one_typo", "shares_part", "similar", "different")),
    ("forenames", ("missing", "identical", "variant", "one_typo", "other_forename", "similar", "initial", "different")),
    ("address", ("missing", "same_postcode_and_address", "same_postcode", "similar_address", "same_sector",
                 "same_district", "partly_similar_address", "same_area", "different")),
)


def _level(comparison: int, name: str) -> int:
    return COMPARISON_LEVELS[comparison][1].index(name)


# Levels other modules need by name (the weight of a level is the model's; these say what it means).
DLN_IDENTICAL = _level(DLN, "identical")
DLN_DIFFERENT_WELL_FORMED = _level(DLN, "different_both_well_formed")
NI_IDENTICAL = _level(NI, "identical")
NI_DIFFERENT_VALID = _level(NI, "different_both_valid")
SURNAME_DIFFERENT = _level(SURNAME, "different")
SURNAME_SHARES_PART = _level(SURNAME, "shares_part")
# Name levels whose weight depends on how common the name is (term-frequency adjustment).
NAME_LEVELS_WEIGHED_BY_FREQUENCY = (1, 2, 3)

# A name this close (Jaro-Winkler) is a spelling slip rather than another name.
SIMILAR_NAME = 0.88
# token_set_ratio at or above which two addresses are the same address written differently, and at
# or above which they share most of their words (street and town, say, with a typo in each).
SIMILAR_ADDRESS = 88.0
PARTLY_SIMILAR_ADDRESS = 70.0

# The first 13 characters of a DVLA number encode the holder: surname (1-5), date of birth (6-11)
# and initials (12-13). The last three (an arbitrary digit and two check characters) are what
# tells apart people whose name and date of birth are the same.
HOLDER_PART = 13


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
    encoded = a.dln_well_formed and b.dln_well_formed
    if encoded and x[:HOLDER_PART] == y[:HOLDER_PART]:
        # The same surname, date of birth and initials with other final characters is how the DVLA
        # numbers two people of one name born the same day: another person, not a typo. (Weighing
        # it as agreement would count the name and date of birth twice: the other comparisons have
        # already seen them.)
        return 3
    if OSA.distance(x, y, score_cutoff=1) <= 1:
        # One slip in the encoded surname, date of birth or initials (a digit of the date of birth
        # typed wrong, say) while the final characters agree: a typo of one number.
        return 2
    if encoded:
        return 3
    return 4


def differ_in_one_final_character(x: str | None, y: str | None) -> bool:
    if not x or not y or len(x) != len(y) or len(x) <= HOLDER_PART:
        return False
    return x[:HOLDER_PART] == y[:HOLDER_PART] and sum(p != q for p, q in zip(x, y)) == 1


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
        return 5
    if len(differing) == 2:
        return 4
    return 6
def surname_level(x: NamePart, y: NamePart) -> int:
    if not x.tokens or not y.tokens:
        return 0
    if x.joined == y.joined:
        return 1
    if x.canonical_joined == y.canonical_joined:
        return 2
    if _one_typo(x.joined, y.joined):
        return 3
    if (len(x.tokens) > 1 or len(y.tokens) > 1) and shared_part(x.canonical, y.canonical):
        return 4
    if _spelled_similarly(x.joined, y.joined, x.phonetic, y.phonetic):
        return 5
    return 6


def forename_level(x: NamePart, y: NamePart) -> int:
    if not x.tokens or not y.tokens:
        return 0
    if x.first == y.first or x.joined == y.joined:
        return 1
    if x.first_canonical == y.first_canonical:
        return 2
    if _one_typo(x.first, y.first):
        return 3
    if (len(x.first) > 1 and x.first_canonical in y.canonical) or (len(y.first) > 1 and y.first_canonical in x.canonical):
        return 4
    if _spelled_similarly(x.first, y.first, x.first_phonetic, y.first_phonetic):
        return 5
    if x.first[0] == y.first[0]:
        return 6
    return 7


def _spelled_similarly(x: str, y: str, x_phonetic: str, y_phonetic: str) -> bool:
    """A sound-alike or close spelling, in names of three letters or more: two letters are too few
    to tell a slip from another name (Li / Liu, or the particle Al of Al-Hassan read as the forename
    Ali), and a single letter is an initial."""
    return min(len(x), len(y)) >= 3 and (x_phonetic == y_phonetic or JaroWinkler.similarity(x, y) >= SIMILAR_NAME)


def _one_typo(x: str, y: str) -> bool:
    """One letter wrong, missing, added or two neighbours swapped, in a name long enough that one
    letter does not make another common name of it (Tom/Tim)."""
    return max(len(x), len(y)) >= 4 and OSA.distance(x, y, score_cutoff=1) <= 1


def shared_part(x: tuple[str, ...], y: tuple[str, ...]) -> str | None:
    """The part two multi-part names have in common (Smith-Jones and Jones; Smith-Jones and
    Jomes), or None. Single letters are initials, not parts."""
    for token in x:
        if len(token) < 2:
            continue
        for other in y:
            if token == other or (len(token) >= 4 and _one_typo(token, other)):
                return token
    return None


def _name_levels(a: PreparedRecord, b: PreparedRecord) -> tuple[int, int, bool]:
    s = surname_level(a.surname, b.surname)
    f = forename_level(a.forenames, b.forenames)
    if s == 1 and f == 1:
        return s, f, False
    return better_reading(s, f, swapped_surname_level(a.surname, b.forenames), forename_level(a.forenames, b.surname))


def better_reading(s: int, f: int, swapped_s: int, swapped_f: int) -> tuple[int, int, bool]:
    """The surname and forename levels of the reading that agrees better, as entered or with one
    record's forenames and surname entered the wrong way round, and whether that is the swapped one."""
    if swapped_s and swapped_f and swapped_s + swapped_f < s + f:
        return swapped_s, swapped_f, True
    return s, f, False


def swapped_surname_level(surname: NamePart, forenames: NamePart) -> int:
    """A surname box holding the forenames usually holds the first forename alone (middle names are
    left off, as they are in the forename comparison): 'David' in the surname box and 'David Alan'
    as forenames agree as much as 'David' and 'David' do."""
    level = surname_level(surname, forenames)
    if level > 1 and len(forenames.tokens) > 1 and len(surname.tokens) == 1:
        level = min(level, surname_level(surname, name_part(forenames.first)))
    return level


def _address_level(a: PreparedRecord, b: PreparedRecord) -> int:
    if not (a.postcode or a.address) or not (b.postcode or b.address):
        return 0
    both_addresses = bool(a.address and b.address)
    if a.postcode and a.postcode == b.postcode:
        if not both_addresses or token_set_ratio(a.address, b.address, score_cutoff=SIMILAR_ADDRESS):
            return 1
        return 2
    similarity = token_set_ratio(a.address, b.address, score_cutoff=PARTLY_SIMILAR_ADDRESS) if both_addresses else 0.0
    if similarity >= SIMILAR_ADDRESS:
        return 3
    if a.postcode and b.postcode:
        # Normalised postcodes end in a space and three characters: the sector drops the last two,
        # the district (outward code) the last four.
        if a.postcode[:-2] == b.postcode[:-2]:
            return 4
        if a.postcode[:-4] == b.postcode[:-4]:
            return 5
    if similarity:
        return 6
    # People who move mostly stay in the same town; the postcode area (its leading letters) says so
    # without a gazetteer.
    if a.postcode and b.postcode and postcode_area(a.postcode) == postcode_area(b.postcode):
        return 7
    return 8


def postcode_area(postcode: str) -> str:
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


def _surname_reason(level: int, x: NamePart, y: NamePart) -> str | None:
    if level == 2:
        return f"surname a variant of {x.canonical_joined}"
    if level == SURNAME_SHARES_PART:
        return f"surname shares the part {shared_part(x.canonical, y.canonical)} (double-barrelled or shortened)"
    return _FIXED_REASONS[SURNAME][level]


def _forename_reason(level: int, x: NamePart, y: NamePart) -> str | None:
    if level == 2:
        return f"forename a variant of {x.first_canonical}"
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
        "dates of birth differ by two digits",
        "same birthday, different year of birth",
        "different dates of birth",
    ),
    SURNAME: (
        "no surname to compare",
        "surname identical",
        None,
        "surname spelled with one letter different",
        None,
        "surname spelled similarly",
        "different surnames",
    ),
    FORENAMES: (
        "no forename to compare",
        "forename identical",
        None,
        "forename spelled with one letter different",
        "a forename on one record is a middle name on the other",
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
        "addresses share most of their words",
        "same postcode area, different address",
        "different address",
    ),
}
