from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("CROSSCHECK_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Starts the peak afresh (Linux), so a figure measures one step, not what came before it."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as control:
        control.write("5")


@contextmanager
def fresh_database(kind: str):
    """An empty, migrated database with the reference authorities loaded."""
    from licensing.bootstrap import Crosscheck
    from licensing.config import Settings
    from licensing.services.authorities import load_reference_authorities
    from licensing.store.migrate import upgrade_to_head

    with tempfile.TemporaryDirectory(prefix="crosscheck-bench-") as tmp:
        if kind == "sqlite":
            url = f"sqlite:///{tmp}/bench.db"
        else:
            name = "crosscheck_bench"
            admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            admin.dispose()
            url = f"{PG_SERVER}/{name}"
        app = Crosscheck(Settings.from_env({"DATABASE_URL": url, "CROSSCHECK_VAR_DIR": tmp,
                                             "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference")}))
        upgrade_to_head(app.engine)
        with app.unit_of_work() as uow:
            load_reference_authorities(uow)
        app.postcodes  # open the index before timing anything
        try:
            yield app
        finally:
            app.engine.dispose()


class Stopwatch:
    def __init__(self):
        self.figures: dict[str, float] = {}

    @contextmanager
    def time(self, name: str):
        started = time.perf_counter()
        yield
        self.figures[name] = round(time.perf_counter() - started, 2)


def emit(result: dict) -> None:
    result["peak_rss_mb"] = round(peak_rss_mb())
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
