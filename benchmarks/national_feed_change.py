"""A feed from the largest authority with 5,000 rows changed (moves, new surnames, added middle
names, a few new licences), posted to the built national register and taken through the pipeline:
apply, resolve the records it touched, refresh their findings (pipeline.process_feeds, step by step
so that each step is timed)."""

from __future__ import annotations

import argparse

from benchmarks.common import Stopwatch, emit
from benchmarks.national import add_arguments, changed_feed, ensure_built, national_app
from licensing.services import feeds, findings, identity


def main() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args()

    ensure_built(args.db, args.rows)
    code, path, summary = changed_feed(args.rows)
    body = path.read_bytes()
    clock = Stopwatch()
    with national_app(args.db, args.rows) as app:
        with app.unit_of_work() as uow:
            feeds.receive_feed(uow, authority_code=code, body=body, content_type="text/csv", source="import")
        # pipeline.process_feeds, one step at a time.
        with clock.time("pipeline_s"):
            with clock.time("apply_s"):
                outcome, = feeds.apply_pending_feeds(app)
            with clock.time("resolve_s"):
                resolution = identity.resolve_pending(app)
            with clock.time("findings_s"):
                refreshed = findings.refresh_pending_findings(app)
        assert outcome.status == "applied", outcome
    emit({"db": args.db, "rows": args.rows, **summary, "resolved_records": resolution.records,
          "drivers_created": resolution.drivers_created, "licences_moved": resolution.licences_moved,
          "findings": repr(refreshed), **clock.figures})


if __name__ == "__main__":
    main()
