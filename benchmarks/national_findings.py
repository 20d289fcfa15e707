"""The nightly findings run over the national register (refresh_all_findings) on a copy of the
built database: every licence evaluated, every finding compared with what is stored."""

from __future__ import annotations

import argparse

from benchmarks.common import Stopwatch, emit
from benchmarks.national import add_arguments, ensure_built, national_app
from licensing.services import findings


def main() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args()

    ensure_built(args.db, args.rows)
    clock = Stopwatch()
    with national_app(args.db, args.rows) as app:
        with clock.time("nightly_findings_s"):
            report = findings.refresh_all_findings(app)
    emit({"db": args.db, "rows": args.rows, "licences": report.evaluated_licences, "opened": report.opened,
          "updated": report.updated, "closed": report.closed, **clock.figures})


if __name__ == "__main__":
    main()
