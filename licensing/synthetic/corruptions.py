"""The discrepancies between two councils' records of the same person ("Identity in practice" in
DOMAIN.md), each applied to a copy of the person's true details."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from unidecode import unidecode

from licensing.synthetic.pools import name_variants

_SURNAME_PARTS = re.compile(r"([ -])")
_MOHAMMED = {"MOHAMMED", "MUHAMMAD", "MOHAMMAD", "MOHAMED", "MUHAMMED", "MOHAMAD", "MOHD", "MD"}
_ABBREVIATIONS = {"MOHD", "MD"}
_PARTICLES = {"AL", "EL"}


@dataclass(slots=True)
class RecordDetails:
    """A person's details as one council holds them; starts as the truth."""

    surname: str
    forenames: str
    date_of_birth: date
    driving_licence_number: str
    ni_number: str
    address: str
    postcode: str


@dataclass(frozen=True, slots=True)
class Alternatives:
    """What some corruptions need beyond the record itself."""

    middle_name: Callable[[random.Random], str]
    """A forename of the person's community and sex."""
    new_home: Callable[[random.Random], tuple[str, str]]
    """Another (address, postcode) in the person's home district."""


def _has_variant(token: str) -> bool:
    return token.upper() in name_variants()


def _surname_parts(surname: str) -> list[str]:
    return [part for part in re.split(r"[ -]", surname) if part]


def applicable_corruptions(surname: str, forenames: str, date_of_birth: date) -> frozenset[str]:
    """The corruptions that can change a record of someone with these true details; each profile
    rate is a share of the records where its corruption is applicable."""
    applicable = {
        "middle_name",
        "surname_typo",
        "dob_digit_typo",
        "moved",
        "missing_dln",
        "dln_typo",
        "missing_ni",
    }
    if any(_has_variant(token) for token in forenames.split() + _surname_parts(surname)):
        applicable.add("name_variant")
    if surname.upper() != forenames.upper():
        applicable.add("swapped_names")
    if not (surname + forenames).isascii():
        applicable.add("accent")
    if len(_surname_parts(surname)) > 1:
        applicable.add("double_barrel")
    if date_of_birth.day <= 12 and date_of_birth.day != date_of_birth.month:
        applicable.add("dob_day_month_swap")
    return frozenset(applicable)


def corrupt(details: RecordDetails, corruption: str, rng: random.Random, alternatives: Alternatives) -> None:
    _APPLY[corruption](details, rng, alternatives)


def _name_variant(details: RecordDetails, rng: random.Random, _: Alternatives) -> None:
    forenames = details.forenames.split()
    surname = _SURNAME_PARTS.split(details.surname)
    candidates = [(forenames, i) for i, token in enumerate(forenames) if _has_variant(token)]
    candidates += [(surname, i) for i, token in enumerate(surname) if _has_variant(token)]
    tokens, index = rng.choice(candidates)
    spellings = name_variants()[tokens[index].upper()]
    if tokens is surname:
        # Abbreviations such as "Md" stand for a forename, never a surname.
        spellings = tuple(s for s in spellings if s.upper() not in _ABBREVIATIONS) or spellings
    tokens[index] = rng.choice(spellings)
    details.forenames = " ".join(forenames)
    details.surname = "".join(surname)


def _accent(details: RecordDetails, _rng: random.Random, _: Alternatives) -> None:
    details.forenames = unidecode(details.forenames)
    details.surname = unidecode(details.surname)


def _double_barrel(details: RecordDetails, rng: random.Random, _: Alternatives) -> None:
    parts = _surname_parts(details.surname)
    one_part = parts[-1] if parts[0].upper() in _PARTICLES else rng.choice((parts[0], parts[-1]))
    other_separator = " " if "-" in details.surname else "-"
    details.surname = rng.choice((other_separator.join(parts), "".join(parts), one_part))


def _middle_name(details: RecordDetails, rng: random.Random, alternatives: Alternatives) -> None:
    names = details.forenames.split()
    if len(names) > 1:
        # "Mohammed" is often a first name the driver does not use, so records drop it as
        # readily as a middle name.
        droppable = range(len(names)) if names[0].upper() in _MOHAMMED else range(1, len(names))
        del names[rng.choice(droppable)]
    else:
        middle = alternatives.middle_name(rng)
        while middle == names[0]:
            middle = alternatives.middle_name(rng)
        names.append(middle)
    details.forenames = " ".join(names)


def _one_edit(text: str, rng: random.Random) -> str:
    while True:
        position = rng.randrange(len(text))
        letter = rng.choice(string.ascii_lowercase)
        if position == 0 or text.isupper():
            letter = letter.upper()
        edit = rng.randrange(3)
        if edit == 0:
            edited = text[:position] + letter + text[position + 1 :]
        elif edit == 1 and len(text) > 2:
            edited = text[:position] + text[position + 1 :]
        else:
            edited = text[:position] + letter + text[position:]
        if edited != text and edited[0] not in " -":
            return edited


def _surname_typo(details: RecordDetails, rng: random.Random, _: Alternatives) -> None:
    details.surname = _one_edit(details.surname, rng)


def _swapped_names(details: RecordDetails, _rng: random.Random, _: Alternatives) -> None:
    details.surname, details.forenames = details.forenames, details.surname


def _dob_day_month_swap(details: RecordDetails, _rng: random.Random, _: Alternatives) -> None:
    born = details.date_of_birth
    details.date_of_birth = date(born.year, born.day, born.month)


def _dob_digit_typo(details: RecordDetails, rng: random.Random, _: Alternatives) -> None:
    # One keying slip in a digit of the year's last two, the month or the day, kept only when it
    # still reads as a real date (a feed with an impossible date would be rejected outright).
    written = details.date_of_birth.strftime("%Y%m%d")
    while True:
        position = rng.choice((2, 3, 4, 5, 6, 7))
        digit = rng.choice([d for d in string.digits if d != written[position]])
        typed = written[:position] + digit + written[position + 1 :]
        try:
            details.date_of_birth = date(int(typed[:4]), int(typed[4:6]), int(typed[6:]))
            return
        except ValueError:
            continue


def _moved(details: RecordDetails, rng: random.Random, alternatives: Alternatives) -> None:
    address, postcode = alternatives.new_home(rng)
    while postcode == details.postcode:
        address, postcode = alternatives.new_home(rng)
    details.address, details.postcode = address, postcode


def _missing_dln(details: RecordDetails, _rng: random.Random, _: Alternatives) -> None:
    details.driving_licence_number = ""


def _dln_typo(details: RecordDetails, rng: random.Random, _: Alternatives) -> None:
    number = details.driving_licence_number
    position = rng.randrange(len(number))
    pool = string.digits if number[position].isdigit() else string.ascii_uppercase
    wrong = rng.choice([c for c in pool if c != number[position]])
    details.driving_licence_number = number[:position] + wrong + number[position + 1 :]


def _missing_ni(details: RecordDetails, _rng: random.Random, _: Alternatives) -> None:
    details.ni_number = ""


_APPLY: dict[str, Callable[[RecordDetails, random.Random, Alternatives], None]] = {
    "name_variant": _name_variant,
    "accent": _accent,
    "double_barrel": _double_barrel,
    "middle_name": _middle_name,
    "surname_typo": _surname_typo,
    "swapped_names": _swapped_names,
    "dob_day_month_swap": _dob_day_month_swap,
    "dob_digit_typo": _dob_digit_typo,
    "moved": _moved,
    "missing_dln": _missing_dln,
    "dln_typo": _dln_typo,
    "missing_ni": _missing_ni,
}
