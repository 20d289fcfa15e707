"""Licence feeds: an authority's full current register of licences, read and validated."""

from licensing.feeds.export import csv_safe
from licensing.feeds.mapping import FeedMapping, InvalidMapping
from licensing.feeds.parse import (
    COLUMNS,
    LICENCE_TYPES,
    REQUIRED_COLUMNS,
    STATUSES,
    FeedRejected,
    LicenceRow,
    ParsedFeed,
    RowProblem,
    parse_feed,
)

__all__ = [
    "COLUMNS",
    "LICENCE_TYPES",
    "REQUIRED_COLUMNS",
    "STATUSES",
    "FeedMapping",
    "FeedRejected",
    "InvalidMapping",
    "LicenceRow",
    "ParsedFeed",
    "RowProblem",
    "csv_safe",
    "parse_feed",
]
