"""How big each authority's register is and where its drivers live."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

from licensing.reference.authorities import Authority, load_authorities
from licensing.synthetic.pools import districts, pick_weighted
from licensing.synthetic.profile import WOLVERHAMPTON, GeneratorProfile

TFL = "TFL"
GREATER_MANCHESTER: tuple[str, ...] = tuple(f"E080000{n:02d}" for n in range(1, 11))
# Birmingham, Coventry, Dudley, Sandwell, Solihull and Walsall: the rest of the West Midlands.
WEST_MIDLANDS_AROUND_WOLVERHAMPTON: tuple[str, ...] = tuple(f"E080000{n:02d}" for n in range(25, 31))

# Shares of first licences (DOMAIN.md: TfL ~124,000 and Wolverhampton ~50,000 of roughly 500,000
# driver licences). Wolverhampton's is set lower because it also gets many second licences. Every
# other authority's share follows the number of postcodes it covers, a stand-in for its population.
_FIXED_NATIONAL_SHARES = {TFL: 0.26, WOLVERHAMPTON: 0.075}


@dataclass(frozen=True, slots=True)
class _WeightedDistricts:
    codes: tuple[str, ...]
    cumulative_weights: tuple[int, ...]

    @classmethod
    def of(cls, codes: Sequence[str]) -> _WeightedDistricts:
        ordered = tuple(sorted(codes))
        return cls(ordered, tuple(accumulate(districts()[code].postcode_count for code in ordered)))

    def choose(self, rng: random.Random) -> str:
        return pick_weighted(rng, self.codes, self.cumulative_weights)


@cache
def authorities_by_code() -> dict[str, Authority]:
    return {authority.code: authority for authority in load_authorities()}


@cache
def authority_of_district() -> dict[str, str]:
    return {district: a.code for a in authorities_by_code().values() for district in a.district_codes}


def national_licence_weights() -> dict[str, float]:
    """Each authority's expected share of GB driver licences."""
    postcodes = {
        code: sum(districts()[d].postcode_count for d in authority.district_codes)
        for code, authority in authorities_by_code().items()
        if code not in _FIXED_NATIONAL_SHARES
    }
    rest = 1.0 - sum(_FIXED_NATIONAL_SHARES.values())
    total = sum(postcodes.values())
    return {**{code: rest * count / total for code, count in postcodes.items()}, **_FIXED_NATIONAL_SHARES}


@cache
def _own_districts(authority_code: str) -> _WeightedDistricts:
    return _WeightedDistricts.of(authorities_by_code()[authority_code].district_codes)


@cache
def _greater_manchester() -> _WeightedDistricts:
    return _WeightedDistricts.of(GREATER_MANCHESTER)


@cache
def _west_midlands() -> _WeightedDistricts:
    return _WeightedDistricts.of(WEST_MIDLANDS_AROUND_WOLVERHAMPTON)


@cache
def _districts_by_postcode_area() -> dict[str, set[str]]:
    by_area: dict[str, set[str]] = defaultdict(set)
    for district in districts().values():
        for area in district.postcode_areas:
            by_area[area].add(district.code)
    return by_area


@cache
def _neighbouring_districts(authority_code: str) -> _WeightedDistricts:
    """Districts of other authorities sharing a postcode area ('M', 'BL', 'WV') with this one."""
    by_area = _districts_by_postcode_area()
    own = set(authorities_by_code()[authority_code].district_codes)
    neighbours = {d for code in own for area in districts()[code].postcode_areas for d in by_area[area]} - own
    return _WeightedDistricts.of(sorted(neighbours) or sorted(set(districts()) - own))


@cache
def _everywhere_else(authority_code: str) -> _WeightedDistricts:
    return _WeightedDistricts.of(sorted(set(districts()) - set(authorities_by_code()[authority_code].district_codes)))


def choose_home_district(licensing_authority: str, profile: GeneratorProfile, rng: random.Random) -> str:
    """Where a driver first licensed by this authority lives."""
    if licensing_authority == WOLVERHAMPTON:
        draw = rng.random()
        if draw >= profile.wolverhampton_out_of_area_rate:
            return _own_districts(WOLVERHAMPTON).choose(rng)
        if draw < profile.wolverhampton_greater_manchester_share:
            return _greater_manchester().choose(rng)
        # The rest come from the West Midlands around the city and from all over the country.
        if rng.random() < 0.5:
            return _west_midlands().choose(rng)
        return _everywhere_else(WOLVERHAMPTON).choose(rng)
    if rng.random() < profile.out_of_area_rate:
        return _neighbouring_districts(licensing_authority).choose(rng)
    return _own_districts(licensing_authority).choose(rng)


def choose_business_district(licensing_authority: str, rng: random.Random) -> str:
    return _own_districts(licensing_authority).choose(rng)
