"""Seeded synthetic registers for the demo, the tests and the benchmarks. All data is invented."""

from licensing.synthetic.feed import CANONICAL_COLUMNS, feed_csv
from licensing.synthetic.generator import (
    DEMO_AUTHORITY_WEIGHTS,
    SyntheticLicence,
    SyntheticPerson,
    SyntheticRegister,
    demo_register,
    generate_register,
    is_near_date_of_birth,
    national_register,
)
from licensing.synthetic.profile import CORRUPTIONS, GeneratorProfile

__all__ = [
    "CANONICAL_COLUMNS",
    "CORRUPTIONS",
    "DEMO_AUTHORITY_WEIGHTS",
    "GeneratorProfile",
    "SyntheticLicence",
    "SyntheticPerson",
    "SyntheticRegister",
    "demo_register",
    "feed_csv",
    "generate_register",
    "is_near_date_of_birth",
    "national_register",
]
