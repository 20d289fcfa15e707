"""Seeded synthetic registers: invented people, the licences councils hold for them, and the feed
rows each council would post, with the ground truth a matcher is judged against.

Everything is drawn from one random.Random(seed) in a fixed order, plus one generator per district
for its postcodes, so a seed always gives the same register.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate

from licensing.reference.postcodes import PostcodeDirectory
from licensing.synthetic.corruptions import Alternatives, RecordDetails, applicable_corruptions, corrupt
from licensing.synthetic.geography import (
    TFL,
    authorities_by_code,
    authority_of_district,
    choose_business_district,
    choose_home_district,
    national_licence_weights,
)
from licensing.synthetic.identifiers import driver_number_stem, driving_licence_number, ni_number
from licensing.synthetic.pools import (
    NameGroup,
    districts,
    name_groups,
    operator_words,
    pick,
    pick_weighted,
    street_words,
)
from licensing.synthetic.profile import CORRUPTIONS, WOLVERHAMPTON, GeneratorProfile

_DRIVER_TERM = timedelta(days=3 * 365)
_OPERATOR_TERM = timedelta(days=5 * 365)
_LICENCE_TYPES = ("private_hire_driver", "hackney_carriage_driver", "dual_driver")
_LICENCE_TYPE_CODES = {
    "private_hire_driver": "PH",
    "hackney_carriage_driver": "HC",
    "dual_driver": "DL",
    "private_hire_operator": "OP",
}
_DOUBLE_BARREL_SHARE = 0.03
_COMMON_FORENAMES = 3
_COMMON_SURNAMES = 4
# Drivers were 21 or over when licensed; a licence in the register may have been issued five years
# before the generator's date (a three-year term that expired up to two years ago), so nobody is
# younger than 26. Most are in their thirties to fifties.
_AGE_YEARS = (26.0, 75.0, 44.0)
_POSTCODE_POOL_LIMITS = (20, 5000)


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    person_id: int
    surname: str
    forenames: str
    date_of_birth: date
    sex: str
    """'F' or 'M'."""
    driving_licence_number: str
    """Correctly encoded from surname, date of birth, sex and initials."""
    ni_number: str
    """Well-formed, with a prefix HMRC never allocates."""
    home_district: str
    home_postcode: str
    address: str
    home_authority: str
    """The authority that licenses where the person lives."""


@dataclass(frozen=True, slots=True)
class SyntheticLicence:
    authority_code: str
    person_id: int
    """Ground truth: the person the licence belongs to. Operators (companies) have negative ids
    and no entry in SyntheticRegister.people."""
    corruptions: tuple[str, ...]
    """The discrepancies applied to this record relative to the person's true details."""
    row: dict[str, str]
    """The canonical feed columns, as text, as the authority posts them."""
    extra_record: bool = False
    """True for a person's second or third licence; only these carry corruptions."""


@dataclass
class SyntheticRegister:
    people: dict[int, SyntheticPerson]
    licences: list[SyntheticLicence]
    namesake_groups: list[tuple[int, ...]]
    """person_ids of different people sharing a name and an equal or near date of birth (see
    is_near_date_of_birth), each group sorted, planted or by chance."""
    authority_codes: tuple[str, ...] = ()
    _licences_by_authority: dict[str, list[SyntheticLicence]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._licences_by_authority = defaultdict(list)
        for licence in self.licences:
            self._licences_by_authority[licence.authority_code].append(licence)

    def feed_rows(self, authority_code: str) -> list[dict[str, str]]:
        """The rows the authority posts, copies so that a caller cannot alter the ground truth."""
        return [dict(licence.row) for licence in self._licences_by_authority.get(authority_code, ())]

    def authorities(self) -> list[str]:
        return list(self.authority_codes) or sorted(self._licences_by_authority)


def is_near_date_of_birth(first: date, second: date) -> bool:
    """Equal, within three days, or the same day and month a year apart: close enough that a
    typo or a guess could explain the difference."""
    if abs((first - second).days) <= 3:
        return True
    return (first.month, first.day) == (second.month, second.day) and abs(first.year - second.year) == 1


@dataclass(frozen=True, slots=True)
class _AuthorityStyle:
    """How one council writes its export; fixed per council, whatever the seed."""

    date_format: str
    upper_case_surnames: bool
    compact_postcodes: bool
    licence_number_pattern: int
    first_serial: int
    place_prefix: str


def _authority_style(authority_code: str) -> _AuthorityStyle:
    rng = random.Random(f"style:{authority_code}")
    first_district = authorities_by_code()[authority_code].district_codes[0]
    letters = [c for c in districts()[first_district].name.upper() if c.isalpha()]
    return _AuthorityStyle(
        date_format=rng.choice(("iso", "uk")),
        upper_case_surnames=rng.random() < 0.3,
        compact_postcodes=rng.random() < 0.15,
        licence_number_pattern=rng.randrange(4),
        first_serial=rng.randrange(1_000, 40_000),
        place_prefix="".join(letters[:3]),
    )


def _format_date(day: date, date_format: str) -> str:
    if date_format == "iso":
        return day.isoformat()
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _licence_number(style: _AuthorityStyle, serial: int, licence_type: str, issued_on: date) -> str:
    kind = _LICENCE_TYPE_CODES[licence_type]
    pattern = style.licence_number_pattern
    if pattern == 0:
        return f"{serial:06d}"
    if pattern == 1:
        return f"{kind}/{serial:05d}"
    if pattern == 2:
        return f"{style.place_prefix}{serial:05d}"
    return f"{kind}{issued_on.year % 100:02d}-{serial:05d}"


@dataclass(slots=True)
class _PlannedPerson:
    licensing_authorities: list[str]
    """First the authority that licensed them first, then any others."""
    home_district: str
    namesake_of: int | None = None
    """Index of the planned person whose name this one shares."""
    common_name: bool = False


class _Builder:
    def __init__(
        self,
        seed: int,
        authority_codes: Sequence[str],
        licences: int,
        profile: GeneratorProfile,
        authority_weights: Mapping[str, float],
        postcodes: PostcodeDirectory,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.codes = tuple(authority_codes)
        self.licences_wanted = licences
        self.profile = profile
        self.cumulative_authority_weights = tuple(accumulate(authority_weights[c] for c in self.codes))
        self.postcodes = postcodes
        self.groups = name_groups()
        self.cumulative_group_weights = tuple(accumulate(g.weight for g in self.groups))
        shares = (profile.private_hire_share, profile.hackney_share, profile.dual_share)
        self.cumulative_type_weights = tuple(accumulate(shares))
        self.styles = {code: _authority_style(code) for code in self.codes}
        self.next_serial = {code: style.first_serial for code, style in self.styles.items()}
        self.postcode_pools: dict[str, list[str]] = {}
        self.date_texts: dict[tuple[date, str], str] = {}
        self.used_driver_number_stems: set[str] = set()
        self.used_ni_numbers: set[str] = set()
        self.groups_of_namesakes: dict[int, NameGroup] = {}
        """The community of each person a planted namesake copies, by person_id."""
        self.streets = street_words()

    # Planning: who is licensed where, and where they live.

    def _choose_authority(self) -> str:
        return pick_weighted(self.rng, self.codes, self.cumulative_authority_weights)

    def _plan_person(self, records_left: int) -> _PlannedPerson:
        rng, profile = self.rng, self.profile
        first = self._choose_authority()
        home = choose_home_district(first, profile, rng)
        authorities = [first]
        if len(self.codes) > 1 and rng.random() < profile.multi_licence_rate:
            extra = 2 if rng.random() < profile.third_licence_share and len(self.codes) > 2 else 1
            for _ in range(min(extra, records_left - 1)):
                authorities.append(self._choose_another_authority(authorities, authority_of_district()[home]))
        return _PlannedPerson(authorities, home)

    def _choose_another_authority(self, taken: list[str], home_authority: str) -> str:
        # The typical second licence is from the home council or from Wolverhampton; otherwise
        # any authority, more often a large one.
        draw = self.rng.random()
        if draw < 0.5 and home_authority in self.styles and home_authority not in taken:
            return home_authority
        if draw < 0.65 and WOLVERHAMPTON in self.styles and WOLVERHAMPTON not in taken:
            return WOLVERHAMPTON
        while True:
            code = self._choose_authority()
            if code not in taken:
                return code

    def plan(self) -> tuple[list[_PlannedPerson], int]:
        operators = min(self.licences_wanted, self.profile.operators_per_authority * len(self.codes))
        driver_records = self.licences_wanted - operators
        planned: list[_PlannedPerson] = []
        records = 0
        while records < driver_records:
            person = self._plan_person(driver_records - records)
            planned.append(person)
            records += len(person.licensing_authorities)
            if records < driver_records and self.rng.random() < self.profile.namesake_rate:
                person.common_name = True
                namesake = self._plan_person(driver_records - records)
                namesake.namesake_of = len(planned) - 1
                planned.append(namesake)
                records += len(namesake.licensing_authorities)
        return planned, operators

    def sample_postcodes(self, planned: list[_PlannedPerson], operator_districts: list[str]) -> None:
        residents: dict[str, int] = defaultdict(int)
        for person in planned:
            residents[person.home_district] += 1
        for district in operator_districts:
            residents[district] += 1
        low, high = _POSTCODE_POOL_LIMITS
        for district in sorted(residents):
            size = min(max(2 * residents[district], low), high)
            self.postcode_pools[district] = self.postcodes.sample_postcodes(
                district, size, random.Random(f"{self.seed}:{district}")
            )

    # People.

    def _address(self, district: str, rng: random.Random) -> tuple[str, str]:
        street = f"{pick(rng, self.streets['stem'])} {pick(rng, self.streets['kind'])}"
        number = 1 + int(rng.random() * 240)
        flat = f"Flat {1 + int(rng.random() * 30)}, " if rng.random() < 0.12 else ""
        return f"{flat}{number} {street}, {districts()[district].name}", pick(rng, self.postcode_pools[district])

    def _forename(self, group: NameGroup, sex: str) -> str:
        return group.forenames[sex].pick(self.rng)

    def _surname(self, group: NameGroup) -> str:
        rng, pool = self.rng, group.surnames
        surname = pool.pick(rng)
        if rng.random() < _DOUBLE_BARREL_SHARE:
            other = pool.pick(rng)
            if other != surname:
                surname = f"{surname}{'-' if group.name == 'white_british' else ' '}{other}"
        return surname

    def _name(self, person: _PlannedPerson) -> tuple[NameGroup, str, str, str]:
        rng = self.rng
        group = self.groups[bisect(self.cumulative_group_weights, rng.random() * self.cumulative_group_weights[-1])]
        sex = "F" if rng.random() < group.female_share else "M"
        if person.common_name:
            forenames = rng.choice(group.forenames[sex].most_common(_COMMON_FORENAMES))
            return group, sex, forenames, rng.choice(group.surnames.most_common(_COMMON_SURNAMES))
        forenames = self._forename(group, sex)
        if rng.random() < group.two_forenames_share:
            middle = self._forename(group, sex)
            if middle != forenames:
                forenames = f"{forenames} {middle}"
        return group, sex, forenames, self._surname(group)

    def _date_of_birth(self) -> date:
        age_in_days = int(self.rng.triangular(*_AGE_YEARS) * 365.25)
        return self.profile.as_of - timedelta(days=age_in_days)

    def _near_date_of_birth(self, original: date) -> date:
        rng = self.rng
        draw = rng.random()
        if draw < 0.4:
            return original
        if draw < 0.7 or (original.month, original.day) == (2, 29):
            return original + timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3)))
        return original.replace(year=original.year + rng.choice((-1, 1)))

    def _driving_licence_number(self, surname: str, forenames: str, born: date, sex: str) -> str:
        stem = driver_number_stem(surname, forenames, born, sex)
        # DVLA tells apart holders whose details encode alike by the 14th character, 9 first.
        digit = 9
        while f"{stem}{digit}" in self.used_driver_number_stems:
            digit -= 1
        self.used_driver_number_stems.add(f"{stem}{digit}")
        return driving_licence_number(stem, digit, self.rng)

    def _ni_number(self) -> str:
        while True:
            number = ni_number(self.rng)
            # The final letter does not tell people apart: the eight characters before it do.
            if number[:8] not in self.used_ni_numbers:
                self.used_ni_numbers.add(number[:8])
                return number

    def person(
        self, person_id: int, planned: _PlannedPerson, namesake_of: SyntheticPerson | None
    ) -> tuple[SyntheticPerson, NameGroup]:
        if namesake_of is None:
            group, sex, forenames, surname = self._name(planned)
            born = self._date_of_birth()
        else:
            group = self.groups_of_namesakes[namesake_of.person_id]
            sex, forenames, surname = namesake_of.sex, namesake_of.forenames, namesake_of.surname
            born = self._near_date_of_birth(namesake_of.date_of_birth)
        address, postcode = self._address(planned.home_district, self.rng)
        person = SyntheticPerson(
            person_id=person_id,
            surname=surname,
            forenames=forenames,
            date_of_birth=born,
            sex=sex,
            driving_licence_number=self._driving_licence_number(surname, forenames, born, sex),
            ni_number=self._ni_number(),
            home_district=planned.home_district,
            home_postcode=postcode,
            address=address,
            home_authority=authority_of_district()[planned.home_district],
        )
        return person, group

    # Licences.

    def _date_text(self, day: date, style: _AuthorityStyle) -> str:
        # Rows with the same date share one string: a national register holds a million and a
        # half dates but only tens of thousands of distinct ones.
        key = (day, style.date_format)
        text = self.date_texts.get(key)
        if text is None:
            text = self.date_texts[key] = _format_date(day, style.date_format)
        return text

    def _licence_fields(self, authority_code: str, licence_type: str) -> dict[str, str]:
        rng, profile, style = self.rng, self.profile, self.styles[authority_code]
        term = _OPERATOR_TERM if licence_type == "private_hire_operator" else _DRIVER_TERM
        draw = rng.random()
        if draw < profile.expired_rate:
            status = "expired"
            expires_on = profile.as_of - timedelta(days=1 + int(rng.random() * 730))
            issued_on = expires_on - term + timedelta(days=1)
        else:
            draw -= profile.expired_rate
            status = "active"
            for candidate in ("suspended", "revoked", "surrendered"):
                rate = getattr(profile, f"{candidate}_rate")
                if draw < rate:
                    status = candidate
                    break
                draw -= rate
            issued_on = profile.as_of - timedelta(days=int(rng.random() * term.days))
            expires_on = issued_on + term - timedelta(days=1)
        serial = self.next_serial[authority_code]
        self.next_serial[authority_code] = serial + 1
        return {
            "licence_number": _licence_number(style, serial, licence_type, issued_on),
            "licence_type": licence_type,
            "status": status,
            "issued_on": self._date_text(issued_on, style),
            "expires_on": self._date_text(expires_on, style),
        }

    def _driver_row(self, authority_code: str, details: RecordDetails) -> dict[str, str]:
        style = self.styles[authority_code]
        licence_type = pick_weighted(self.rng, _LICENCE_TYPES, self.cumulative_type_weights)
        row = self._licence_fields(authority_code, licence_type)
        row["surname"] = details.surname.upper() if style.upper_case_surnames else details.surname
        row["forenames"] = details.forenames
        row["date_of_birth"] = self._date_text(details.date_of_birth, style)
        row["driving_licence_number"] = details.driving_licence_number
        row["ni_number"] = details.ni_number
        row["address"] = details.address
        row["postcode"] = details.postcode.replace(" ", "") if style.compact_postcodes else details.postcode
        return row

    def licences_of(self, person: SyntheticPerson, group: NameGroup, authorities: list[str]) -> list[SyntheticLicence]:
        records = []
        applicable = None
        for index, authority_code in enumerate(authorities):
            details = RecordDetails(
                surname=person.surname,
                forenames=person.forenames,
                date_of_birth=person.date_of_birth,
                driving_licence_number=person.driving_licence_number,
                ni_number=person.ni_number,
                address=person.address,
                postcode=person.home_postcode,
            )
            applied: list[str] = []
            if index:
                if applicable is None:
                    applicable = applicable_corruptions(person.surname, person.forenames, person.date_of_birth)
                alternatives = Alternatives(
                    middle_name=group.forenames[person.sex].pick,
                    new_home=lambda rng, district=person.home_district: self._address(district, rng),
                )
                for corruption in CORRUPTIONS:
                    if corruption not in applicable or (corruption == "dln_typo" and "missing_dln" in applied):
                        continue
                    if self.rng.random() < self.profile.corruption_rate(corruption):
                        corrupt(details, corruption, self.rng, alternatives)
                        applied.append(corruption)
            records.append(
                SyntheticLicence(
                    authority_code=authority_code,
                    person_id=person.person_id,
                    corruptions=tuple(applied),
                    row=self._driver_row(authority_code, details),
                    extra_record=index > 0,
                )
            )
        return records

    def operator_licence(self, operator_id: int, authority_code: str, district: str) -> SyntheticLicence:
        rng, words = self.rng, operator_words()
        trading_name = f"{pick(rng, words['prefix'])} {pick(rng, words['trade'])}"
        if rng.random() < 0.4:
            trading_name = f"{trading_name} Ltd"
        address, postcode = self._address(district, rng)
        row = self._licence_fields(authority_code, "private_hire_operator")
        style = self.styles[authority_code]
        row.update(
            surname=trading_name.upper() if style.upper_case_surnames else trading_name,
            forenames="",
            date_of_birth="",
            driving_licence_number="",
            ni_number="",
            address=address,
            postcode=postcode.replace(" ", "") if style.compact_postcodes else postcode,
        )
        return SyntheticLicence(authority_code=authority_code, person_id=operator_id, corruptions=(), row=row)

    def build(self) -> SyntheticRegister:
        planned, operator_count = self.plan()
        operator_authorities = [self.codes[i % len(self.codes)] for i in range(operator_count)]
        operator_districts = [choose_business_district(code, self.rng) for code in operator_authorities]
        self.sample_postcodes(planned, operator_districts)

        people: dict[int, SyntheticPerson] = {}
        licences: list[SyntheticLicence] = []
        for index, plan in enumerate(planned):
            original = None if plan.namesake_of is None else people[plan.namesake_of + 1]
            person, group = self.person(index + 1, plan, original)
            people[person.person_id] = person
            if plan.common_name:
                self.groups_of_namesakes[person.person_id] = group
            licences.extend(self.licences_of(person, group, plan.licensing_authorities))
        for index, (code, district) in enumerate(zip(operator_authorities, operator_districts, strict=True)):
            licences.append(self.operator_licence(-(index + 1), code, district))
        return SyntheticRegister(
            people=people,
            licences=licences,
            namesake_groups=namesake_groups(people.values()),
            authority_codes=self.codes,
        )


def namesake_groups(people: Iterable[SyntheticPerson]) -> list[tuple[int, ...]]:
    """Groups of people with exactly the same name whose dates of birth are near, joined
    transitively, each sorted by person_id; the list sorted by first member."""
    by_name: dict[tuple[str, str], list[SyntheticPerson]] = defaultdict(list)
    for person in people:
        by_name[(person.surname, person.forenames)].append(person)
    parent: dict[int, int] = {}

    def root(person_id: int) -> int:
        while parent.get(person_id, person_id) != person_id:
            person_id = parent[person_id]
        return person_id

    def join(first: int, second: int) -> None:
        parent.setdefault(first, first)
        parent.setdefault(second, second)
        parent[root(first)] = root(second)

    for namesakes in by_name.values():
        if len(namesakes) < 2:
            continue
        namesakes.sort(key=lambda p: p.date_of_birth)
        for i, person in enumerate(namesakes):
            for later in namesakes[i + 1 :]:
                if (later.date_of_birth - person.date_of_birth).days > 3:
                    break
                join(person.person_id, later.person_id)
        by_birthday: dict[tuple[int, int], list[SyntheticPerson]] = defaultdict(list)
        for person in namesakes:
            by_birthday[(person.date_of_birth.month, person.date_of_birth.day)].append(person)
        for same_birthday in by_birthday.values():
            for i, person in enumerate(same_birthday):
                for other in same_birthday[i + 1 :]:
                    if abs(person.date_of_birth.year - other.date_of_birth.year) == 1:
                        join(person.person_id, other.person_id)
    groups: dict[int, list[int]] = defaultdict(list)
    for person_id in parent:
        groups[root(person_id)].append(person_id)
    return sorted(tuple(sorted(members)) for members in groups.values())


def generate_register(
    *,
    seed: int,
    authority_codes: Sequence[str],
    licences: int,
    profile: GeneratorProfile = GeneratorProfile(),
    authority_weights: Mapping[str, float] | None = None,
    postcodes: PostcodeDirectory | None = None,
) -> SyntheticRegister:
    """A register of exactly `licences` licence records spread over the given authorities.

    authority_weights: relative sizes of the authorities' registers; by default their national
    shares (TfL a quarter, Wolverhampton a tenth, the rest by population). postcodes: the
    directory to draw home postcodes from; by default the packaged one.
    """
    codes = tuple(dict.fromkeys(authority_codes))
    unknown = [code for code in codes if code not in authorities_by_code()]
    if unknown:
        raise ValueError(f"not licensing authority codes: {', '.join(unknown)}")
    if not codes:
        raise ValueError("at least one authority is needed")
    if licences < 0:
        raise ValueError("licences must not be negative")
    weights = dict(authority_weights) if authority_weights is not None else national_licence_weights()
    missing = [code for code in codes if weights.get(code, 0) <= 0]
    if missing:
        raise ValueError(f"no positive weight for: {', '.join(missing)}")
    builder = _Builder(seed, codes, licences, profile, weights, postcodes or PostcodeDirectory.open())
    return builder.build()


def national_register(*, seed: int = 1, licences: int = 500_000) -> SyntheticRegister:
    """All 318 authorities, sized like the real registers (at 500,000 licences TfL holds about
    125,000 and Wolverhampton about 50,000; many small councils hold a few hundred)."""
    return generate_register(seed=seed, authority_codes=sorted(authorities_by_code()), licences=licences)


DEMO_AUTHORITY_WEIGHTS: dict[str, float] = {
    WOLVERHAMPTON: 1600,
    "E08000003": 800,  # Manchester
    "E08000001": 400,  # Bolton
    "E08000005": 350,  # Rochdale
    "E08000019": 550,  # Sheffield
    TFL: 900,
}


def demo_register(*, seed: int = 7) -> SyntheticRegister:
    """A few authorities around the Wolverhampton story, about 4,600 licences: loads in seconds."""
    return generate_register(
        seed=seed,
        authority_codes=tuple(DEMO_AUTHORITY_WEIGHTS),
        licences=int(sum(DEMO_AUTHORITY_WEIGHTS.values())),
        authority_weights=DEMO_AUTHORITY_WEIGHTS,
    )
