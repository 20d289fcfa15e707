"""The feed file an authority posts: one row per licence, every value as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from licensing.feeds.parse import COLUMNS

# The columns of the feed format, in the order the format documents them.
CANONICAL_COLUMNS: tuple[str, ...] = COLUMNS


def feed_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """UTF-8 CSV with the canonical header; columns a row lacks are left empty."""
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=CANONICAL_COLUMNS, restval="", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")
