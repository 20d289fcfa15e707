"""Name normalisation shared by comparison, blocking and search.

Names arrive in every shape councils type them: accents or not, hyphens or spaces in
double-barrelled surnames, "Mc" or "Mac", transliterations of the same name. Everything here reduces
a name to forms that can be compared cheaply and repeatedly; results are cached because a register
holds far fewer distinct names than records.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jellyfish
from unidecode import unidecode

_NOT_LETTERS = re.compile(r"[^A-Z]+")
_APOSTROPHES = re.compile(r"['`\u2019]")


def _load_variant_groups() -> dict[str, str]:
    text = resources.files("licensing.identity").joinpath("data/name_variants.csv").read_text("utf-8")
    return {row["variant"]: row["canonical"] for row in csv.DictReader(text.splitlines())}


VARIANT_CANONICAL: dict[str, str] = _load_variant_groups()


def name_tokens(text: str | None) -> tuple[str, ...]:
    """'Siân O'Brien-Smith' -> ('SIAN', 'OBRIEN', 'SMITH')."""
    if not text:
        return ()
    # O'Brien and OBrien are the same name: drop apostrophes before splitting on other punctuation.
    ascii_text = _APOSTROPHES.sub("", unidecode(text).upper())
    return tuple(_NOT_LETTERS.sub(" ", ascii_text).split())


def canonical_token(token: str) -> str:
    known = VARIANT_CANONICAL.get(token)
    if known:
        return known
    # The DVLA writes Mac as Mc; councils write either.
    if token.startswith("MAC") and len(token) > 5:
        return "MC" + token[3:]
    return token


@dataclass(frozen=True, slots=True)
class NamePart:
    """One name field (surname or forenames) in the forms the comparisons use."""

    tokens: tuple[str, ...]
    joined: str  # no spaces: 'SMITH JONES' and 'SMITHJONES' compare equal
    canonical: tuple[str, ...]
    canonical_joined: str
    first: str
    first_canonical: str
    phonetic: str  # metaphone of the joined form
    first_phonetic: str

    @property
    def is_empty(self) -> bool:
        return not self.tokens


@lru_cache(maxsize=400_000)
def name_part(text: str | None) -> NamePart:
    tokens = name_tokens(text)
    canonical = tuple(canonical_token(t) for t in tokens)
    joined = "".join(tokens)
    first = tokens[0] if tokens else ""
    return NamePart(
        tokens=tokens,
        joined=joined,
        canonical=canonical,
        canonical_joined="".join(canonical),
        first=first,
        first_canonical=canonical[0] if canonical else "",
        phonetic=phonetic_code("".join(canonical)),
        first_phonetic=phonetic_code(canonical[0]) if canonical else "",
    )


@lru_cache(maxsize=200_000)
def phonetic_code(token: str) -> str:
    return jellyfish.metaphone(token) if token else ""

