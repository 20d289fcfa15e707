"""Full re-resolution of the national register (resolve_everyone, the nightly run) on a copy of the
built database. This process does only that, so its peak RSS is the resolution's."""

from __future__ import annotations

import argparse

from benchmarks.common import Stopwatch, emit
from benchmarks.national import add_arguments, ensure_built, national_app
from licensing.services import identity


def main() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args()

    build = ensure_built(args.db, args.rows)  # in its own process when missing
    clock = Stopwatch()
    with national_app(args.db, args.rows) as app:
        with clock.time("resolve_everyone_s"):
            report = identity.resolve_everyone(app)
    emit({"db": args.db, "rows": args.rows, "records": report.records, "drivers_created": report.drivers_created,
          "licences_moved": report.licences_moved, "build_s": build["total_s"], **clock.figures})


if __name__ == "__main__":
    main()
