"""Applying a 125,000-row feed (TfL's size): first load and unchanged re-post."""

from __future__ import annotations

import argparse

from benchmarks.common import Stopwatch, emit, fresh_database
from benchmarks.data import tfl_feed
from licensing.feeds import parse_feed
from licensing.services import feeds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--rows", type=int, default=125_000)
    args = parser.parse_args()

    body = tfl_feed(args.rows).read_bytes()
    clock = Stopwatch()
    with clock.time("parse_s"):
        parse_feed(body, "text/csv")
    with fresh_database(args.db) as app:
        for name in ("first_load_s", "unchanged_repost_s"):
            with app.unit_of_work() as uow:
                feeds.receive_feed(uow, authority_code="TFL", body=body, content_type="text/csv", source="import")
            with clock.time(name):
                outcome, = feeds.apply_pending_feeds(app)
            assert outcome.status == "applied", outcome
    emit({"db": args.db, "rows": args.rows, "feed_mb": round(len(body) / 1e6, 1), **clock.figures})


if __name__ == "__main__":
    main()
