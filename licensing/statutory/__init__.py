"""The statutory duties of the Taxis and Private Hire Vehicles (Safeguarding and Road Safety) Act
2022 and the 2026 cross-border suspension power, as plain rules: the vocabularies of decisions,
grounds and concerns (defined once, here) and working days over the right nation's bank holidays.
See docs/statutory-duties.md."""
