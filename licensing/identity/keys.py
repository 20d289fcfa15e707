"""Blocking keys: which records are worth comparing at all.

The same keys serve full resolution (records sharing a key are compared) and search (a query's keys
are looked up in an index of the register's keys). Each key is an opaque string; a record has a
handful. Between them they survive every kind of corruption the register shows, one at a time and
most pairs of them:

- `dln:<number>` and `ni:<number>`: identical identifiers, whatever the names and dates say;
- `dob+nm:<year>-<lower>-<higher>:<code>`: date of birth with day and month in ascending order (so a
  day-month swap gives the same key) and the phonetic code of one name token (each surname part and
  the first forename, after variant canonicalisation): survives swapped names, a middle name, a
  double-barrelled surname, a variant spelling, and a typo in one of the two name fields;
- `yob+nm:<year>:<codes>` and `md+nm:<lower>-<higher>:<codes>`: both name codes with only the year,
  or only the day and month, so that a digit typo in the other part still meets;
- `pc+nm:<postcode>:<codes>`: both name codes at the same postcode, for records whose date of birth
  is wrong in a way the others miss;
- `st+dob:<street>:<date>`: the street of the address (the phonetic code of the word after the
  house number) with the date of birth (day and month in order), for records whose names are both
  mistyped, on registers whose postcodes are missing or not British too;
- `dob+in:<date>:<initials>`: the date of birth (day and month in order) with the initials of the
  surname and first forename, for a record with a typo in both names (past their first letters);
- `dob+hn:<date>:<number>`: the date of birth with the house number, for a record whose names are
  both changed or mistyped beyond their initials (a married name with a nickname, say);
- `sp+dob:<prefix>:<date>` and `sp+nm:<prefix>:<district>:<codes>`: the same two with the first four
  letters of the street instead of its code (within the postcode district, when there is one), for a
  street run into the next word or with its ending mistyped;
- `st+nm1:<street>:<district>:<code>`: the street (within the postcode district when there is one)
  with one name code, for a record whose date of birth is wrong, one name mistyped and the house
  number different or missing (with no postcode, a foreign address, it is national);
- `hn+nm1:<number>:<district>:<code>`: the house number (within the postcode district when there
  is one) with one name code, for the same with the street mistyped or run into the next word.
  These two replace keys of the street, or house number and street, with a name nationally, which
  reached no true pair these miss and cost three keys more per record (docs/matching.md).
- `home:<number>-<prefix>:<district>`: the house (number, the street's first four letters and
  postcode district when there is one), for a record whose names and date of birth are all wrong in
  one way or another: the people registered at one house are few, and the comparisons decide which
  of them are one. The street is named by its first letters, not its sound, so that a street run
  into the next word ('KIRKLANDC IRCUIT') or mistyped past its start still meets;
- `hn+in:<number>:<district>:<initials>`: the house number with the initials, for a record with a
  typo in both names past their first letters, a slipped date of birth and the address reordered.

Name codes in the two-name keys are sorted, so forenames and surname entered the wrong way round
give the same key.
"""

from __future__ import annotations

from functools import lru_cache

from licensing.identity.names import NamePart, phonetic_code
from licensing.identity.records import IdentityRecord, PreparedRecord, prepare

# A key shared by more records than this is too common to compare all against all (a very common
# name in one birth year, say); such keys are skipped in resolution and should be skipped or capped
# the same way in an index lookup. Each record keeps its other keys.
KEY_GROUP_LIMIT = 80


def blocking_keys(record: IdentityRecord) -> frozenset[str]:
    return prepared_keys(prepare(record))


def prepared_keys(record: PreparedRecord) -> frozenset[str]:
    keys: set[str] = set()
    if record.dln and len(record.dln) >= 8:
        keys.add(f"dln:{record.dln}")
    if record.ni_valid:
        keys.add(f"ni:{record.ni}")
    token_codes = _token_codes(record.surname) | _first_code(record.forenames)
    pair_code = _pair_code(record.surname, record.forenames)
    dob = record.dob_digits
    if dob:
        year, month, day = dob[:4], dob[4:6], dob[6:8]
        low, high = sorted((month, day))
        for code in token_codes:
            keys.add(f"dob+nm:{year}-{low}-{high}:{code}")
        if pair_code:
            keys.add(f"yob+nm:{year}:{pair_code}")
            keys.add(f"md+nm:{low}-{high}:{pair_code}")
    if record.postcode and pair_code:
        keys.add(f"pc+nm:{record.postcode}:{pair_code}")
    number, street, street_prefix = street_code(record.address)
    if street and dob:
        keys.add(f"st+dob:{street}:{dob[:4]}-{low}-{high}")
    initials = _initials(record.surname, record.forenames)
    if dob:
        if initials:
            keys.add(f"dob+in:{year}-{low}-{high}:{initials}")
        if number:
            keys.add(f"dob+hn:{year}-{low}-{high}:{number}")
    # Keys on the street alone with a name are kept within the postcode district, when there is one:
    # a street name recurs in every town.
    district = record.postcode[:-4] if record.postcode else ""
    if street_prefix:
        if dob:
            keys.add(f"sp+dob:{street_prefix}:{year}-{low}-{high}")
        if pair_code:
            keys.add(f"sp+nm:{street_prefix}:{district}:{pair_code}")
    if street:
        for code in token_codes:
            keys.add(f"st+nm1:{street}:{district}:{code}")
        if number:
            keys.add(f"home:{number}-{street_prefix}:{district}")
            if initials:
                keys.add(f"hn+in:{number}:{district}:{initials}")
            for code in token_codes:
                keys.add(f"hn+nm1:{number}:{district}:{code}")
    return frozenset(keys)


@lru_cache(maxsize=200_000)
def street_code(address: str) -> tuple[str, str, str]:
    """The house number, the phonetic code of the street name and its first four letters: the street
    is the first word of three letters or more that follows a number ('FLAT 3 12 OAK ROAD LEEDS' ->
    12, the code of OAK, OAK), or with no house number the first such word that is not a flat's; ''
    for what is not there. The prefix survives what the code does not: the street run into the next
    word ('PEARSONSTREET') or its ending mistyped."""
    words = address.split()
    for number, word in zip(words, words[1:]):
        if number.isdigit() and word.isalpha() and len(word) >= 3:
            return number, phonetic_code(word), word[:4]
    for word in words:
        if word.isalpha() and len(word) >= 3 and word not in _NOT_STREETS:
            return "", phonetic_code(word), word[:4]
    return "", "", ""


_NOT_STREETS = frozenset(("FLAT", "UNIT", "APARTMENT", "APT", "ROOM", "THE"))


def _token_codes(part: NamePart) -> set[str]:
    return {code for code in (phonetic_code(token) for token in part.canonical if len(token) > 1) if code}


def _first_code(part: NamePart) -> set[str]:
    if len(part.first_canonical) < 2:
        return set()
    code = phonetic_code(part.first_canonical)
    return {code} if code else set()


def _initials(surname: NamePart, forenames: NamePart) -> str:
    if not surname.joined or not forenames.first:
        return ""
    # Sorted, so that forenames and surname entered the wrong way round meet too.
    return "".join(sorted((surname.joined[0], forenames.first[0])))


def _pair_code(surname: NamePart, forenames: NamePart) -> str:
    if not surname.phonetic or len(forenames.first_canonical) < 2:
        return ""
    first = phonetic_code(forenames.first_canonical)
    return "+".join(sorted((surname.phonetic, first)))
