"""Councils' own formats at TfL's size: a 125,000-row .xlsx workbook read through a feed mapping
(first load and unchanged re-post), a dry run of the 125,000-row CSV, and the peak memory of
applying a 50 MB JSON or CSV feed (each in its own process, so each peak is its own).

The peak is the applying worker's: the body is received as the web service receives it, then this
process lets go of its own copy and measures from there, as the jobs worker holds only what it reads."""

from __future__ import annotations

import argparse

from benchmarks.common import Stopwatch, emit, fresh_database, reset_peak_rss
from benchmarks.data import COUNCIL_MAPPING, council_workbook, sized_feed, tfl_feed
from licensing.actors import Actor
from licensing.feeds.sniff import CSV, JSON, XLSX
from licensing.services import feeds
from licensing.services.feed_mappings import save_feed_mapping

SIZE = 50_000_000


def _receive(app, body: bytes, content_type: str) -> None:
    with app.unit_of_work() as uow:
        feeds.receive_feed(uow, authority_code="TFL", body=body, content_type=content_type, source="import")


def _apply(app) -> feeds.FeedOutcome:
    outcome, = feeds.apply_pending_feeds(app)
    assert outcome.status == "applied", outcome
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--case", choices=("xlsx", "xlsx-inline", "dry-run", "json-50mb", "csv-50mb"), required=True)
    parser.add_argument("--rows", type=int, default=125_000)
    args = parser.parse_args()
    clock = Stopwatch()
    figures: dict = {"db": args.db, "case": args.case}
    if args.case.startswith("xlsx"):
        body = council_workbook(args.rows, strings="inline" if args.case == "xlsx-inline" else "shared").read_bytes()
    elif args.case == "dry-run":
        body = tfl_feed(args.rows).read_bytes()
    else:
        body = sized_feed(args.case[:4].rstrip("-"), SIZE).read_bytes()
    figures["feed_mb"] = round(len(body) / 1e6, 1)
    with fresh_database(args.db) as app:
        if args.case.startswith("xlsx"):
            with app.unit_of_work() as uow:
                save_feed_mapping(uow, Actor.service(), "TFL", COUNCIL_MAPPING)
            for name in ("first_load_s", "unchanged_repost_s"):
                with clock.time(name):
                    _receive(app, body, XLSX)
                    _apply(app)
        elif args.case == "dry-run":
            with clock.time("dry_run_s"), app.unit_of_work(write=False) as uow:
                answer = feeds.dry_run_feed(uow, authority_code="TFL", body=body, content_type=CSV,
                                            hold_share=app.settings.feed_hold_share)
            assert answer["counts"]["added"] == args.rows, answer["counts"]
        else:
            _receive(app, body, JSON if args.case.startswith("json") else CSV)
            del body
            reset_peak_rss()
            with clock.time("apply_s"):
                _apply(app)
    emit({**figures, **clock.figures})


if __name__ == "__main__":
    main()
