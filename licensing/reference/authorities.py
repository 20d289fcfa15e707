"""The taxi and private hire licensing authorities of Great Britain and the local authority
districts each one covers.

Districts are identified by their ONS codes as of December 2024, the codes the authority list
uses. Barnsley and Sheffield were recoded on 1 April 2025; their new codes are accepted as aliases
so that feeds using either vintage land on the same authority.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_DATA = files("licensing.reference") / "data"


@dataclass(frozen=True)
class Authority:
    code: str
    """ONS code of the council that licenses, or 'TFL' for the 33 London districts."""
    name: str
    country: str
    """'England', 'Wales' or 'Scotland'."""
    district_codes: tuple[str, ...]
    """The December 2024 district codes it licenses for, sorted."""


def _read_csv(name: str) -> list[dict[str, str]]:
    with (_DATA / name).open("rb") as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))


@cache
def _authorities() -> tuple[Authority, ...]:
    districts_by_authority: dict[str, list[str]] = defaultdict(list)
    name_and_country: dict[str, tuple[str, str]] = {}
    for row in _read_csv("lad_to_taxi_licensing_authority_gb.csv"):
        code = row["licensing_authority_id"]
        districts_by_authority[code].append(row["lad_code"])
        name_and_country[code] = (row["licensing_authority_name"], row["country"])
    return tuple(
        Authority(
            code=code,
            name=name_and_country[code][0],
            country=name_and_country[code][1],
            district_codes=tuple(sorted(districts_by_authority[code])),
        )
        for code in sorted(districts_by_authority)
    )


def load_authorities() -> list[Authority]:
    """Every licensing authority in Great Britain, sorted by code."""
    # A fresh list each call: the cached tuple must not be mutated by a caller.
    return list(_authorities())


def authority_name(code: str | None) -> str | None:
    """The authority's name, or None for a code that is not a licensing authority."""
    return _names().get(code)


@cache
def _names() -> dict[str, str]:
    return {authority.code: authority.name for authority in _authorities()}


@cache
def _authority_by_district() -> dict[str, str]:
    return {district: authority.code for authority in _authorities() for district in authority.district_codes}


@cache
def _district_code_aliases() -> dict[str, str]:
    return {row["lad25_code"]: row["lad24_code"] for row in _read_csv("lad_code_aliases_2025.csv")}


def canonical_district_code(lad_code: str) -> str:
    """The December 2024 code for a district code of either vintage ('E08000038' -> 'E08000016');
    any other text is returned trimmed and upper-cased, whether or not it is a known district."""
    code = lad_code.strip().upper()
    return _district_code_aliases().get(code, code)


def authority_for_district(lad_code: str) -> str | None:
    """The code of the authority that licenses in a district, or None for a code that is not a
    GB district (Northern Ireland districts are not covered)."""
    return _authority_by_district().get(canonical_district_code(lad_code))
