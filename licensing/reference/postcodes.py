"""Where a driver lives: GB postcode -> local authority district -> licensing authority.

The full postcode list (OS Code-Point Open, 1.74 million rows) is served from a read-only SQLite
index file rather than held in memory, so that every web worker and job process shares the one
file through the operating system's page cache. The index is built once from the packaged data
files and named by a hash of them, so new data produces a new file and an old file is never
modified in place.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import os
import random
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import ClassVar, Literal

from filelock import FileLock

from licensing.reference.authorities import authority_for_district, canonical_district_code
from licensing.values import is_northern_ireland, normalise_postcode, postcode_outward, postcode_sector

_DATA = files("licensing.reference") / "data"

_POSTCODES_FILE = "postcode_to_lad_cpo2025.csv.gz"
_SECTORS_FILE = "sector_to_lad_cpo2025.csv"
_OUTWARDS_FILE = "outward_to_lad_cpo2025.csv"
_ALIASES_FILE = "lad_code_aliases_2025.csv"

# Part of the index file's name: bump it when the table layout below changes, so that processes
# running new code never open an index built by old code.
_INDEX_LAYOUT_VERSION = "1"

# Comfortably under SQLite's limit on bound parameters; larger batches cost more per statement
# than they save in Python overhead.
_BATCH_SIZE = 500

Precision = Literal["exact", "probable", "unknown"]


@dataclass(frozen=True)
class HomeArea:
    """The district and licensing authority a postcode lies in, and how sure that is.

    precision:
    - 'exact': the postcode is in the full postcode list; share is 1.0.
    - 'probable': the postcode itself is not in the list (it may be new, retired or mistyped), so
      the answer is the district holding most postcodes of its sector ('SW1A 1'), or failing that
      of its outward code ('SW1A'); share is the fraction of that area's postcodes in the district.
      This holds even when the whole sector lies in one district (share 1.0): an unknown postcode
      is never reported as exact.
    - 'unknown': no postcode given, not a UK postcode, a Northern Ireland (BT) postcode (not
      covered by the data), or an outward code not in the data; every other field is None.
    """

    authority_code: str | None
    district_code: str | None
    precision: Precision
    share: float | None

    UNKNOWN: ClassVar[HomeArea]


HomeArea.UNKNOWN = HomeArea(authority_code=None, district_code=None, precision="unknown", share=None)


def default_cache_dir() -> Path:
    return Path(os.environ.get("CROSSCHECK_VAR_DIR", "var")) / "reference"


@cache
def _index_file_name() -> str:
    digest = hashlib.sha256(_INDEX_LAYOUT_VERSION.encode())
    for name in (_POSTCODES_FILE, _SECTORS_FILE, _OUTWARDS_FILE, _ALIASES_FILE):
        digest.update(name.encode())
        digest.update((_DATA / name).read_bytes())
    return f"postcodes-{digest.hexdigest()[:12]}.sqlite"


def build_postcode_index(cache_dir: Path | None = None) -> Path:
    """The path of the postcode index for the packaged data, building it first if it is not there.

    Safe to call from several processes at once: one builds while the others wait, and the file
    appears under its final name only when complete.
    """
    directory = cache_dir if cache_dir is not None else default_cache_dir()
    index_path = directory / _index_file_name()
    if index_path.exists():
        return index_path
    directory.mkdir(parents=True, exist_ok=True)
    with FileLock(f"{index_path}.lock"):
        if index_path.exists():
            return index_path
        handle, building = tempfile.mkstemp(prefix=f"{index_path.stem}.", suffix=".building", dir=directory)
        os.close(handle)
        try:
            _write_index(Path(building))
            # mkstemp creates the file private to its owner; workers may run as another user.
            os.chmod(building, 0o644)
            os.replace(building, index_path)
        except BaseException:
            Path(building).unlink(missing_ok=True)
            raise
    return index_path


def _write_index(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        # The file is not visible under its final name until complete, so a crash mid-build
        # loses nothing: journaling would only slow the build down.
        connection.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE district (
                id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, postcode_count INTEGER NOT NULL);
            CREATE TABLE postcode (
                postcode TEXT PRIMARY KEY, district_id INTEGER NOT NULL, position INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE sector (
                sector TEXT PRIMARY KEY, district_id INTEGER NOT NULL, share REAL NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE outward (
                outward TEXT PRIMARY KEY, district_id INTEGER NOT NULL, share REAL NOT NULL
            ) WITHOUT ROWID;
            """
        )
        district_ids: dict[str, int] = {}
        postcode_counts: list[int] = []

        def district_id(lad_code: str) -> int:
            code = canonical_district_code(lad_code)
            if code not in district_ids:
                district_ids[code] = len(postcode_counts)
                postcode_counts.append(0)
            return district_ids[code]

        def postcode_rows() -> Iterator[tuple[str, int, int]]:
            # position numbers the postcodes of each district 0, 1, 2, ... so that a random
            # sample can be fetched by position through the index below.
            for postcode, lad_code in _csv_rows(_POSTCODES_FILE):
                identifier = district_id(lad_code)
                yield postcode, identifier, postcode_counts[identifier]
                postcode_counts[identifier] += 1

        def top_ranked_rows(file_name: str) -> Iterator[tuple[str, int, float]]:
            for area, lad_code, _count, share, rank in _csv_rows(file_name):
                if rank == "1":
                    yield area, district_id(lad_code), float(share)

        connection.executemany("INSERT INTO postcode VALUES (?, ?, ?)", postcode_rows())
        connection.executemany("INSERT INTO sector VALUES (?, ?, ?)", top_ranked_rows(_SECTORS_FILE))
        connection.executemany("INSERT INTO outward VALUES (?, ?, ?)", top_ranked_rows(_OUTWARDS_FILE))
        connection.executemany(
            "INSERT INTO district VALUES (?, ?, ?)",
            ((identifier, code, postcode_counts[identifier]) for code, identifier in district_ids.items()),
        )
        connection.execute("CREATE INDEX postcode_by_district ON postcode (district_id, position)")
        connection.commit()
    finally:
        connection.close()
    # synchronous=OFF left the data to the OS: make it durable before it gets its final name.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _csv_rows(file_name: str) -> Iterator[list[str]]:
    with (_DATA / file_name).open("rb") as raw:
        binary = gzip.open(raw) if file_name.endswith(".gz") else raw
        rows = csv.reader(io.TextIOWrapper(binary, encoding="utf-8", newline=""))
        next(rows)
        yield from rows


class PostcodeDirectory:
    """Answers where postcodes lie. Safe to share between threads: each thread gets its own
    read-only connection to the index file."""

    def __init__(self, index_path: Path) -> None:
        # immutable=1: the file never changes once it has its name, so SQLite may skip locking.
        self._uri = f"{index_path.resolve().as_uri()}?mode=ro&immutable=1"
        self._per_thread = threading.local()
        districts = self._connection().execute(
            "SELECT id, code, postcode_count FROM district ORDER BY id"
        ).fetchall()
        self._district_ids = {code: identifier for identifier, code, _count in districts}
        self._postcode_counts = [count for _identifier, _code, count in districts]
        self._exact_by_district = [
            HomeArea(authority_for_district(code), code, "exact", 1.0) for _identifier, code, _count in districts
        ]

    @classmethod
    def open(cls, cache_dir: Path | None = None) -> PostcodeDirectory:
        """Open the index in cache_dir (default $CROSSCHECK_VAR_DIR/reference, else
        ./var/reference), building it first if needed (a few seconds)."""
        return cls(build_postcode_index(cache_dir))

    def _connection(self) -> sqlite3.Connection:
        # A connection must not cross a fork (gunicorn --preload opens the directory in the
        # master), so a forked worker opens its own.
        per_thread = self._per_thread
        if getattr(per_thread, "pid", None) != os.getpid():
            per_thread.connection = sqlite3.connect(self._uri, uri=True)
            per_thread.pid = os.getpid()
        return per_thread.connection

    def _probable(self, district_id: int, share: float) -> HomeArea:
        exact = self._exact_by_district[district_id]
        return HomeArea(exact.authority_code, exact.district_code, "probable", share)

    def home_of(self, postcode: str | None) -> HomeArea:
        """Where a postcode, raw ('sw1a1aa') or normalised ('SW1A 1AA'), lies. Never raises:
        anything that cannot be placed is HomeArea.UNKNOWN."""
        normalised = normalise_postcode(postcode)
        if normalised is None or is_northern_ireland(normalised):
            return HomeArea.UNKNOWN
        connection = self._connection()
        found = connection.execute("SELECT district_id FROM postcode WHERE postcode = ?", (normalised,)).fetchone()
        if found:
            return self._exact_by_district[found[0]]
        found = connection.execute(
            "SELECT district_id, share FROM sector WHERE sector = ?", (postcode_sector(normalised),)
        ).fetchone()
        if found:
            return self._probable(*found)
        found = connection.execute(
            "SELECT district_id, share FROM outward WHERE outward = ?", (postcode_outward(normalised),)
        ).fetchone()
        if found:
            return self._probable(*found)
        return HomeArea.UNKNOWN

    def home_of_many(self, postcodes: Iterable[str]) -> dict[str, HomeArea]:
        """home_of for each postcode, keyed by the text as given; much faster than one call each."""
        answers: dict[str, HomeArea] = {}
        inputs_by_postcode: dict[str, list[str]] = {}
        for raw in postcodes:
            normalised = normalise_postcode(raw)
            if normalised is None or is_northern_ireland(normalised):
                answers[raw] = HomeArea.UNKNOWN
            else:
                inputs_by_postcode.setdefault(normalised, []).append(raw)

        district_by_postcode = self._fetch_in(
            "SELECT postcode, district_id FROM postcode WHERE postcode", inputs_by_postcode
        )
        not_listed = [postcode for postcode in inputs_by_postcode if postcode not in district_by_postcode]
        by_sector = self._fetch_in(
            "SELECT sector, district_id, share FROM sector WHERE sector", {postcode_sector(p) for p in not_listed}
        )
        by_outward = self._fetch_in(
            "SELECT outward, district_id, share FROM outward WHERE outward",
            {postcode_outward(p) for p in not_listed if postcode_sector(p) not in by_sector},
        )

        for postcode, inputs in inputs_by_postcode.items():
            if postcode in district_by_postcode:
                answer = self._exact_by_district[district_by_postcode[postcode][0]]
            elif (fallback := by_sector.get(postcode_sector(postcode)) or by_outward.get(postcode_outward(postcode))):
                answer = self._probable(*fallback)
            else:
                answer = HomeArea.UNKNOWN
            for raw in inputs:
                answers[raw] = answer
        return answers

    def _fetch_in(self, select_where: str, keys: Iterable[str]) -> dict[str, tuple]:
        """Rows of `select_where IN (keys)`, keyed by their first column."""
        connection = self._connection()
        rows: dict[str, tuple] = {}
        for batch in _batches(list(keys)):
            statement = f"{select_where} IN ({','.join('?' * len(batch))})"
            for key, *values in connection.execute(statement, batch):
                rows[key] = tuple(values)
        return rows

    def sample_postcodes(self, district_code: str, n: int, rng: random.Random) -> list[str]:
        """n real postcodes in a district (either code vintage), the same ones for the same rng
        state. Distinct while the district has enough postcodes; beyond that some repeat.
        Raises ValueError for a district with no postcodes in the data."""
        code = canonical_district_code(district_code)
        district_id = self._district_ids.get(code)
        count = 0 if district_id is None else self._postcode_counts[district_id]
        if not count:
            raise ValueError(f"no postcodes for district code {code!r}")
        positions = rng.sample(range(count), min(n, count))
        if n > count:
            positions += rng.choices(range(count), k=n - count)
        connection = self._connection()
        postcode_at: dict[int, str] = {}
        for batch in _batches(sorted(set(positions))):
            statement = (
                "SELECT position, postcode FROM postcode WHERE district_id = ? "
                f"AND position IN ({','.join('?' * len(batch))})"
            )
            postcode_at.update(connection.execute(statement, (district_id, *batch)).fetchall())
        return [postcode_at[position] for position in positions]


def _batches(items: Sequence) -> Iterator[Sequence]:
    for start in range(0, len(items), _BATCH_SIZE):
        yield items[start : start + _BATCH_SIZE]
