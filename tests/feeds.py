"""Licence feeds for tests, written as an authority would send them."""

from licensing.feeds.parse import COLUMNS

HEADER = ",".join(COLUMNS)


def feed(*rows: str) -> bytes:
    """A CSV feed of rows given in COLUMNS order."""
    return ("\n".join((HEADER, *rows)) + "\n").encode()
