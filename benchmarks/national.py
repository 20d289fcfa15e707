"""The national register for the identity and search benchmarks: feed files, labelled search queries
and a built, resolved database, each made once and reused.

    var/bench/national-<rows>/            one CSV feed per authority (<code>.csv), generated in a
                                          subprocess so that the generator's memory never counts
    var/bench/national-<rows>/queries.json  search queries made from people in the register, each
                                          with the (authority, licence number) of that person's licences
    var/bench/national-<rows>/changed-<code>.csv  the largest authority's feed with 5,000 rows changed
    var/bench/national-<rows>.db          the built SQLite database   (+ .build.json: build timings)
    crosscheck_national_<rows>            the built PostgreSQL database, used as a template
                                          (+ var/bench/national-<rows>-postgresql.build.json)

Every built database is made in its own process (`python -m benchmarks.national build --db ...`),
and every benchmark works on a copy, so the built one is never changed.

    python -m benchmarks.national build --db sqlite|postgresql [--rows N]   build if missing, print timings
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from benchmarks.common import PG_SERVER, REPO, peak_rss_mb
from benchmarks.data import BENCH_DIR

NATIONAL_ROWS = 500_000
SEED = 1
QUERIES = 2_000
CHANGED_ROWS = 5_000
WORK_DATABASE = "crosscheck_bench_national"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--rows", type=int, default=NATIONAL_ROWS,
                        help="licences in the national register (develop at 50000)")


# ---------------------------------------------------------------------------------------------
# Feed files, queries and the changed feed (generated in a subprocess)


def generator_fingerprint() -> str:
    """A digest of the synthetic generator's code and data: a cache made by another version of it
    is reported, since its register (and so every figure measured on it) differs."""
    digest = hashlib.sha256()
    root = REPO / "licensing" / "synthetic"
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def feed_dir(rows: int) -> Path:
    directory = BENCH_DIR / f"national-{rows}"
    done = directory / "done"
    if not done.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "benchmarks.national", "generate", "--rows", str(rows)],
                       cwd=REPO, check=True)
    elif json.loads(done.read_text()).get("generator") != generator_fingerprint():
        print(f"note: {directory} (and the databases built from it) was made by another version of "
              f"licensing/synthetic; delete it, {sqlite_path(rows).name} and the {template_name(rows)} "
              "database to regenerate", file=sys.stderr)
    return directory


def authority_feeds(rows: int) -> list[tuple[str, Path]]:
    directory = feed_dir(rows)
    return [(path.stem, path) for path in sorted(directory.glob("*.csv")) if not path.name.startswith("changed-")]


def queries(rows: int) -> list[dict]:
    return json.loads((feed_dir(rows) / "queries.json").read_text())


def changed_feed(rows: int) -> tuple[str, Path, dict]:
    directory = feed_dir(rows)
    path, = directory.glob("changed-*.csv")
    summary = json.loads((directory / "changed.json").read_text())
    return path.stem.removeprefix("changed-"), path, summary


def _generate(rows: int) -> None:
    from licensing.synthetic import feed_csv, national_register

    directory = BENCH_DIR / f"national-{rows}"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    register = national_register(seed=SEED, licences=rows)
    generated_s = time.perf_counter() - started
    sizes = {}
    for code in register.authorities():
        feed_rows = register.feed_rows(code)
        if feed_rows:
            (directory / f"{code}.csv").write_bytes(feed_csv(feed_rows))
            sizes[code] = len(feed_rows)
    (directory / "queries.json").write_text(json.dumps(_make_queries(register)))
    biggest = max(sizes, key=sizes.get)
    changed, summary = _change_feed(register, biggest, random.Random(f"changed:{SEED}"))
    (directory / f"changed-{biggest}.csv").write_bytes(feed_csv(changed))
    (directory / "changed.json").write_text(json.dumps(summary))
    (directory / "done").write_text(json.dumps({"generator": generator_fingerprint(),
                                                "generated_s": round(generated_s, 1), "authorities": len(sizes),
                                                "licences": len(register.licences)}))


def _make_queries(register) -> list[dict]:
    """Searches an officer might type for a person in the register, each from a corrupted copy of
    the person's true details, with the person's licences as the truth."""
    from licensing.synthetic.corruptions import applicable_corruptions
    from licensing.synthetic.pools import name_variants

    rng = random.Random(f"queries:{SEED}")
    licences_of: dict[int, list[list[str]]] = {}
    for licence in register.licences:
        if licence.person_id > 0:
            licences_of.setdefault(licence.person_id, []).append([licence.authority_code, licence.row["licence_number"]])
    people = sorted(licences_of)
    chosen = rng.sample(people, min(QUERIES, len(people)))
    kinds = ("name_variant+dob", "name_typo+dob", "swapped_names+dob", "name+dob_typo", "dln_only",
             "name+postcode", "ni_only", "middle_name+dob")
    made = []
    for index, person_id in enumerate(chosen):
        person = register.people[person_id]
        kind = kinds[index % len(kinds)]
        surname, forenames, born = person.surname, person.forenames, person.date_of_birth
        query: dict = {}
        applicable = applicable_corruptions(surname, forenames, born)
        if kind == "name_variant+dob" and "name_variant" not in applicable:
            kind = "name_typo+dob"
        if kind == "name_variant+dob":
            tokens = forenames.split() + surname.replace("-", " ").split()
            token = rng.choice([t for t in tokens if t.upper() in name_variants()])
            spelling = rng.choice(name_variants()[token.upper()])
            surname, forenames = surname.replace(token, spelling), forenames.replace(token, spelling)
            query.update(surname=surname, forenames=forenames, date_of_birth=born.isoformat())
        elif kind == "name_typo+dob":
            query.update(surname=_one_edit(surname, rng), forenames=forenames, date_of_birth=born.isoformat())
        elif kind == "swapped_names+dob":
            query.update(surname=forenames.split()[0], forenames=surname, date_of_birth=born.isoformat())
        elif kind == "name+dob_typo":
            query.update(surname=surname, forenames=forenames, date_of_birth=_dob_typo(born, rng).isoformat())
        elif kind == "dln_only":
            query.update(driving_licence_number=person.driving_licence_number)
        elif kind == "name+postcode":
            query.update(surname=surname, forenames=forenames.split()[0], postcode=person.home_postcode)
        elif kind == "ni_only":
            query.update(ni_number=person.ni_number)
        elif kind == "middle_name+dob":
            first = forenames.split()[0]
            query.update(surname=surname.upper(), forenames=first.upper(), date_of_birth=born.isoformat())
        made.append({"kind": kind, "person_id": person_id, "query": query, "licences": licences_of[person_id]})
    return made


def _one_edit(text_: str, rng: random.Random) -> str:
    from licensing.synthetic.corruptions import _one_edit as edit

    return edit(text_, rng)


def _dob_typo(born, rng: random.Random):
    from datetime import date

    while True:
        draw = rng.random()
        if draw < 0.3 and born.day <= 12 and born.day != born.month:
            return date(born.year, born.day, born.month)  # day and month swapped
        written = born.strftime("%Y%m%d")
        position = rng.choice((2, 3, 4, 5, 6, 7))
        digit = rng.choice([d for d in "0123456789" if d != written[position]])
        typed = written[:position] + digit + written[position + 1:]
        try:
            return date(int(typed[:4]), int(typed[4:6]), int(typed[6:]))
        except ValueError:
            continue


def _change_feed(register, code: str, rng: random.Random) -> tuple[list[dict], dict]:
    """The authority's feed with CHANGED_ROWS rows different: 60% moved (address and postcode of
    another of its rows), 20% a new surname, 16% a middle name added, 4% new licences for people
    licensed elsewhere (the typical second licence)."""
    rows = register.feed_rows(code)
    drivers = [i for i, row in enumerate(rows) if row["licence_type"] != "private_hire_operator"]
    total = min(CHANGED_ROWS, len(drivers) // 2)
    new = total * 4 // 100
    surnames = total * 20 // 100
    middles = total * 16 // 100
    moves = total - new - surnames - middles
    picked = rng.sample(drivers, moves + surnames + middles)
    for i in picked[:moves]:
        other = rows[rng.choice(drivers)]
        rows[i]["address"], rows[i]["postcode"] = other["address"], other["postcode"]
    for i in picked[moves:moves + surnames]:
        rows[i]["surname"] = rows[rng.choice(drivers)]["surname"]
    for i in picked[moves + surnames:]:
        middle = rows[rng.choice(drivers)]["forenames"].split()[0]
        rows[i]["forenames"] = f"{rows[i]['forenames'].split()[0]} {middle}"
    elsewhere = [licence for licence in register.licences
                 if licence.authority_code != code and licence.person_id > 0 and not licence.extra_record]
    template = rows[drivers[0]]
    for serial, licence in enumerate(rng.sample(elsewhere, new)):
        row = dict(licence.row)
        row.update(licence_number=f"BENCH{serial:05d}", issued_on=template["issued_on"],
                   expires_on=template["expires_on"], status="active")
        rows.append(row)
    return rows, {"authority": code, "feed_rows": len(rows), "moved": moves, "surname_changed": surnames,
                  "middle_name_added": middles, "new": new}


# ---------------------------------------------------------------------------------------------
# The built database


def sqlite_path(rows: int) -> Path:
    return BENCH_DIR / f"national-{rows}.db"


def template_name(rows: int) -> str:
    return f"crosscheck_national_{rows}"


def build_record(kind: str, rows: int) -> Path:
    return BENCH_DIR / (f"national-{rows}.build.json" if kind == "sqlite" else f"national-{rows}-postgresql.build.json")


def _admin():
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def _pg_exists(name: str) -> bool:
    admin = _admin()
    with admin.connect() as connection:
        found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    admin.dispose()
    return bool(found)


def _pg_execute(*statements: str) -> None:
    admin = _admin()
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def is_built(kind: str, rows: int) -> bool:
    if not build_record(kind, rows).exists():
        return False
    return sqlite_path(rows).exists() if kind == "sqlite" else _pg_exists(template_name(rows))


def ensure_built(kind: str, rows: int) -> dict:
    """Build the national database in a separate process if it is missing; return its build timings."""
    if not is_built(kind, rows):
        feed_dir(rows)
        subprocess.run([sys.executable, "-m", "benchmarks.national", "build", "--db", kind, "--rows", str(rows)],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return json.loads(build_record(kind, rows).read_text())


def app_for(url: str, var_dir: str):
    from licensing.bootstrap import Crosscheck
    from licensing.config import Settings

    return Crosscheck(Settings.from_env({"DATABASE_URL": url, "CROSSCHECK_VAR_DIR": var_dir,
                                         "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference")}))


def environment(url: str, var_dir: str) -> dict[str, str]:
    return {"DATABASE_URL": url, "CROSSCHECK_VAR_DIR": var_dir,
            "CROSSCHECK_REFERENCE_DIR": str(REPO / "var" / "reference")}


def _build(kind: str, rows: int) -> dict:
    from licensing.services import feeds, findings, identity
    from licensing.services.authorities import load_reference_authorities
    from licensing.store.migrate import upgrade_to_head

    feeds_by_authority = authority_feeds(rows)
    with tempfile.TemporaryDirectory(prefix="crosscheck-bench-") as tmp:
        if kind == "sqlite":
            building = Path(tmp) / "national.db"
            url = f"sqlite:///{building}"
        else:
            building = f"{template_name(rows)}_building"
            _pg_execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)', f'CREATE DATABASE "{building}"')
            url = f"{PG_SERVER}/{building}"
        app = app_for(url, tmp)
        upgrade_to_head(app.engine)
        with app.unit_of_work() as uow:
            load_reference_authorities(uow)
        app.postcodes
        figures: dict = {"db": kind, "rows": rows, "authorities": len(feeds_by_authority)}
        started = time.perf_counter()
        for code, path in feeds_by_authority:
            with app.unit_of_work() as uow:
                feeds.receive_feed(uow, authority_code=code, body=path.read_bytes(), content_type="text/csv",
                                   source="import")
        figures["receive_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        outcomes = feeds.apply_pending_feeds(app)
        figures["apply_s"] = round(time.perf_counter() - started, 1)
        assert all(outcome.status == "applied" for outcome in outcomes), outcomes
        started = time.perf_counter()
        report = identity.resolve_pending(app)
        figures["resolve_s"] = round(time.perf_counter() - started, 1)
        figures["drivers"] = report.drivers_created
        # What process_feeds does next, so the built register is in its steady state (no licence
        # waiting for findings) before any benchmark posts to it.
        started = time.perf_counter()
        findings.refresh_pending_findings(app)
        figures["findings_s"] = round(time.perf_counter() - started, 1)
        with app.unit_of_work(write=False) as uow:
            figures["licences"] = uow.session.execute(text("SELECT count(*) FROM licence")).scalar_one()
        app.engine.dispose()
        figures["total_s"] = round(sum(figures[k] for k in ("receive_s", "apply_s", "resolve_s", "findings_s")), 1)
        figures["peak_rss_mb"] = round(peak_rss_mb())
        if kind == "sqlite":
            import sqlite3

            connection = sqlite3.connect(building)
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("VACUUM")
            connection.close()
            shutil.copyfile(building, sqlite_path(rows).with_suffix(".tmp"))
            sqlite_path(rows).with_suffix(".tmp").replace(sqlite_path(rows))
        else:
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as connection:
                connection.execute(text("VACUUM ANALYZE"))
            engine.dispose()
            _pg_execute(f'DROP DATABASE IF EXISTS "{template_name(rows)}" WITH (FORCE)',
                        f'ALTER DATABASE "{building}" RENAME TO "{template_name(rows)}"')
    build_record(kind, rows).write_text(json.dumps(figures))
    return figures


@contextmanager
def national_copy(kind: str, rows: int):
    """A working copy of the built national database: yields (database URL, var dir)."""
    ensure_built(kind, rows)
    with tempfile.TemporaryDirectory(prefix="crosscheck-bench-") as tmp:
        if kind == "sqlite":
            copy = Path(tmp) / "national.db"
            shutil.copyfile(sqlite_path(rows), copy)
            # On disk before any clock starts (_settle_disk): otherwise the kernel writes the copy's
            # 1.5 GB back while the benchmark runs, and the benchmark measures that.
            _settle_disk()
            yield f"sqlite:///{copy}", tmp
        else:
            # FILE_COPY, not PostgreSQL 15's default WAL_LOG: that writes the whole 2 GB template
            # through the WAL, and the checkpoints it sets off then land in the middle of the run.
            _pg_execute(f'DROP DATABASE IF EXISTS "{WORK_DATABASE}" WITH (FORCE)',
                        f'CREATE DATABASE "{WORK_DATABASE}" TEMPLATE "{template_name(rows)}" STRATEGY FILE_COPY')
            _settle_disk()
            try:
                yield f"{PG_SERVER}/{WORK_DATABASE}", tmp
            finally:
                _pg_execute(f'DROP DATABASE IF EXISTS "{WORK_DATABASE}" WITH (FORCE)')


def _settle_disk() -> None:
    """What earlier benchmarks left to write goes to disk before this one's clock starts, not during
    it: after a full re-resolution, PostgreSQL's checkpoint and the kernel's write-back of a
    gigabyte of SQLite WAL otherwise run on into the benchmarks that follow."""
    try:
        _pg_execute("CHECKPOINT")
    except OperationalError:
        pass  # no PostgreSQL here: SQLite benchmarks only
    os.sync()


@contextmanager
def national_app(kind: str, rows: int):
    """A Crosscheck on a working copy of the built national database, postcode index open."""
    with national_copy(kind, rows) as (url, var_dir):
        app = app_for(url, var_dir)
        app.postcodes
        try:
            yield app
        finally:
            app.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=("generate", "build"))
    parser.add_argument("--db", choices=("sqlite", "postgresql"))
    parser.add_argument("--rows", type=int, default=NATIONAL_ROWS)
    args = parser.parse_args()
    if args.action == "generate":
        _generate(args.rows)
        print((BENCH_DIR / f"national-{args.rows}" / "done").read_text())
    elif is_built(args.db, args.rows):
        print(build_record(args.db, args.rows).read_text())
    else:
        print(json.dumps(_build(args.db, args.rows)))


if __name__ == "__main__":
    main()
