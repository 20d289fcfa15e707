"""Synthetic feed files for the benchmarks, generated once into var/bench and reused, so that the
generator's own memory never counts against the process being measured."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from benchmarks.common import REPO

BENCH_DIR = REPO / "var" / "bench"


def tfl_feed(rows: int) -> Path:
    return _generated(BENCH_DIR / f"tfl-{rows}.csv", str(rows))


def _generated(path: Path, *arguments: str) -> Path:
    if not path.exists():
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "benchmarks.data", *arguments, str(path)], cwd=REPO, check=True)
    return path


# A council's own export: its headers and codes, real dates in the cells. COUNCIL_MAPPING reads it.
COUNCIL_HEADERS = {
    "licence_number": "Licence No", "licence_type": "Licence Type", "status": "Status", "issued_on": "Issue Date",
    "expires_on": "Expiry Date", "surname": "Surname", "forenames": "Forename(s)", "date_of_birth": "DOB",
    "driving_licence_number": "DVLA Licence", "ni_number": "NI No", "address": "Address", "postcode": "Post Code",
}
COUNCIL_MAPPING = {"columns": {"Licence No": "licence_number", "Issue Date": "issued_on", "Expiry Date": "expires_on",
                               "DOB": "date_of_birth", "DVLA Licence": "driving_licence_number",
                               "NI No": "ni_number"},
                   "values": {"status": {"Live": "active"}}}
_COUNCIL_TYPES = {"private_hire_driver": "PHD", "hackney_carriage_driver": "HCD", "dual_driver": "Dual"}
_COUNCIL_STATUSES = {"active": "Current", "expired": "Lapsed"}


def council_workbook(rows: int, *, strings: str = "shared") -> Path:
    """A council's register as a workbook. Excel (and LibreOffice) save text once, in the workbook's
    shared strings; some reporting tools write each cell's text in the cell ("inline")."""
    return _generated(BENCH_DIR / f"council-{rows}-{strings}.xlsx", "workbook", str(rows), strings)


def sized_feed(kind: str, size: int) -> Path:
    """A CSV or JSON feed of about `size` bytes: TfL's 125,000 rows, repeated under new licence numbers."""
    return _generated(BENCH_DIR / f"sized-{size}.{kind}", "sized", kind, str(size))


def _tfl_rows(rows: int):
    import csv

    with tfl_feed(rows).open(newline="", encoding="utf-8") as file:
        yield from csv.DictReader(file)


def _write_council_workbook(rows: int, strings: str, path: Path) -> None:
    from datetime import date

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Licences")
    sheet.append(list(COUNCIL_HEADERS.values()))
    for row in _tfl_rows(rows):
        cells = dict(row)
        cells["licence_type"] = _COUNCIL_TYPES.get(row["licence_type"], row["licence_type"])
        cells["status"] = _COUNCIL_STATUSES.get(row["status"], row["status"])
        for name in ("issued_on", "expires_on", "date_of_birth"):
            cells[name] = date.fromisoformat(row[name]) if row[name] else None
        sheet.append([cells[name] for name in COUNCIL_HEADERS])
    written = path.with_suffix(".tmp")
    book.save(written)
    _as_saved(written, path, f"A1:L{rows + 1}", shared_strings=strings == "shared")


_INLINE_TEXT = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t(?: xml:space="preserve")?>'
                          rb'(.*?)</t></is></c>')
_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _as_saved(written: Path, path: Path, cells: str, *, shared_strings: bool) -> None:
    """openpyxl writes each cell's text inline and records no sheet extent. Excel records the extent
    (without it a reader scans the sheet once to find it) and, unlike some reporting tools, keeps
    each distinct text once in the shared strings, the cells pointing into them."""
    import zipfile

    table: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = table.setdefault(match[3], len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match[1], match[2] or b"", index)

    temporary = path.with_suffix(".part")
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = source.read(part)
            if part.filename.startswith("xl/worksheets/sheet"):
                at = min(data.find(tag) for tag in (b"<sheetViews", b"<sheetFormatPr", b"<sheetData") if tag in data)
                data = data[:at] + f'<dimension ref="{cells}"/>'.encode() + data[at:]
                if shared_strings:
                    data = _INLINE_TEXT.sub(shared, data)
            elif shared_strings and part.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif shared_strings and part.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
                                    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                    b'sharedStrings"/></Relationships>')
            target.writestr(part, data)
        if shared_strings:
            items = b"".join(b"<si><t>%s</t></si>" % text for text in table)
            target.writestr("xl/sharedStrings.xml", b'<sst xmlns="%s" uniqueCount="%d">%s</sst>' % (_MAIN, len(table), items))
    written.unlink()
    temporary.replace(path)


def _write_sized_feed(kind: str, size: int, path: Path) -> None:
    import csv
    import io
    import json

    temporary = path.with_suffix(".tmp")
    written = 0
    with temporary.open("w", encoding="utf-8", newline="") as out:
        rows = list(_tfl_rows(125_000))
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        if kind == "csv":
            writer.writeheader()
        else:
            out.write("[")
        copy = 0
        while written < size:
            for row in rows:
                row = {**row, "licence_number": f"{row['licence_number']}-{copy}"}
                if kind == "csv":
                    line = io.StringIO()
                    csv.DictWriter(line, fieldnames=list(row), lineterminator="\r\n").writerow(row)
                    text = line.getvalue()
                else:
                    text = ("," if written else "") + json.dumps(row)
                if written + len(text) >= size:
                    break
                out.write(text)
                written += len(text)
            else:
                copy += 1
                continue
            break
        if kind == "json":
            out.write("]")
    temporary.replace(path)


def _write_tfl_feed(rows: int, path: Path) -> None:
    from licensing.synthetic import feed_csv, generate_register

    register = generate_register(seed=11, authority_codes=["TFL"], licences=rows)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(feed_csv(register.feed_rows("TFL")))
    temporary.replace(path)


if __name__ == "__main__":
    if sys.argv[1] == "workbook":
        _write_council_workbook(int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
    elif sys.argv[1] == "sized":
        _write_sized_feed(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
    else:
        _write_tfl_feed(int(sys.argv[1]), Path(sys.argv[2]))
