"""Synthetic driving licence and National Insurance numbers that follow the real formats."""

from __future__ import annotations

import random
import re
from datetime import date

from unidecode import unidecode

from licensing.synthetic.pools import pick

_NOT_LETTERS = re.compile(r"[^A-Z]")

# Prefixes that pass the format check but that HMRC does not allocate to people (administrative
# and reserved prefixes), so no synthetic number can be someone's real one.
SYNTHETIC_NI_PREFIXES: tuple[str, ...] = ("CR", "MW", "NC", "PP", "PY", "PZ")

_CHECK_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def surname_key(surname: str) -> str:
    """Characters 1-5 of a driver number: letters only, 'MAC' written 'MC', padded with 9."""
    letters = _NOT_LETTERS.sub("", unidecode(surname).upper())
    if letters.startswith("MAC"):
        letters = "MC" + letters[3:]
    return (letters[:5] + "99999")[:5]


def initials_key(forenames: str) -> str:
    initials = "".join(_NOT_LETTERS.sub("", unidecode(name).upper())[:1] for name in forenames.split())
    return (initials[:2] + "99")[:2]


def driver_number_stem(surname: str, forenames: str, date_of_birth: date, sex: str) -> str:
    """The 13 characters that follow from the person's details; two holders with the same stem
    are told apart by the 14th character."""
    month = date_of_birth.month + (50 if sex == "F" else 0)
    year = date_of_birth.year
    return (
        f"{surname_key(surname)}{(year // 10) % 10}{month:02d}{date_of_birth.day:02d}{year % 10}"
        f"{initials_key(forenames)}"
    )


def driving_licence_number(stem: str, distinguishing_digit: int, rng: random.Random) -> str:
    return f"{stem}{distinguishing_digit}{pick(rng, _CHECK_CHARACTERS)}{pick(rng, _CHECK_CHARACTERS)}"


def ni_number(rng: random.Random) -> str:
    return f"{pick(rng, SYNTHETIC_NI_PREFIXES)}{int(rng.random() * 1_000_000):06d}{pick(rng, 'ABCD')}"
