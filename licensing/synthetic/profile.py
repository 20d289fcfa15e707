"""The knobs of the synthetic register: how often each situation the register must handle occurs.

Defaults are shaped by the public figures in DOMAIN.md (licence-type mix, Wolverhampton's
out-of-area share) and, where no figure is published, by what makes a useful test bed: frequent
enough that a 20,000-licence register holds hundreds of each case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The order is also the order in which corruptions are applied to a record, so that, for example,
# a variant spelling is chosen before a typo is made in it.
CORRUPTIONS: tuple[str, ...] = (
    "name_variant",
    "accent",
    "double_barrel",
    "middle_name",
    "surname_typo",
    "swapped_names",
    "dob_day_month_swap",
    "dob_digit_typo",
    "moved",
    "missing_dln",
    "dln_typo",
    "missing_ni",
)

WOLVERHAMPTON = "E08000031"


@dataclass(frozen=True, slots=True)
class GeneratorProfile:
    out_of_area_rate: float = 0.10
    """Share of drivers whose first licence comes from an authority other than their home one,
    for every authority except Wolverhampton, which has its own rate below."""

    wolverhampton_out_of_area_rate: float = 0.96
    """Wolverhampton licensed ~96% of its drivers from outside the city in 2023-24."""

    wolverhampton_greater_manchester_share: float = 0.19
    """Share of Wolverhampton's drivers who live in Greater Manchester (~9,000 of ~48,000)."""

    multi_licence_rate: float = 0.06
    """Share of drivers licensed by more than one authority (when the register has several)."""

    third_licence_share: float = 0.12
    """Of the drivers with more than one licence, the share that hold a third."""

    namesake_rate: float = 0.01
    """For each driver, the chance that a different person with the same common name and an equal
    or near date of birth is also licensed. Planted namesakes come on top of those that common
    names produce by chance; both are listed in SyntheticRegister.namesake_groups."""

    # Each rate is the chance that a second or third licence record of a person carries that
    # discrepancy, among the records where it can occur at all (an accent can only be lost from a
    # name that has one, day and month can only be swapped when both are 12 or less and differ).
    name_variant_rate: float = 0.35
    accent_rate: float = 0.5
    double_barrel_rate: float = 0.5
    middle_name_rate: float = 0.15
    surname_typo_rate: float = 0.05
    swapped_names_rate: float = 0.04
    dob_day_month_swap_rate: float = 0.03
    dob_digit_typo_rate: float = 0.03
    moved_rate: float = 0.25
    missing_dln_rate: float = 0.10
    dln_typo_rate: float = 0.03
    """Applies only to records whose number was not left out."""
    missing_ni_rate: float = 0.20

    operators_per_authority: int = 3
    """Private hire operator licences per authority (a company, not a person)."""

    private_hire_share: float = 0.69
    hackney_share: float = 0.09
    dual_share: float = 0.20
    """Driver licence types in England, 1 April 2024; normalised, so they need not add up to 1."""

    expired_rate: float = 0.06
    suspended_rate: float = 0.01
    revoked_rate: float = 0.008
    surrendered_rate: float = 0.01

    as_of: date = date(2025, 11, 1)
    """The day the feeds are taken: active licences run past it, expired ones ended before it.
    Fixed, so that one seed always gives the same register."""

    def corruption_rate(self, corruption: str) -> float:
        if corruption not in CORRUPTIONS:
            raise ValueError(f"unknown corruption {corruption!r}")
        return getattr(self, f"{corruption}_rate")
