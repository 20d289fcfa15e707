"""Reading a feed sent as an Excel workbook (.xlsx), row by row, with bounded memory.

openpyxl reads the sheet in read-only (streaming) mode and gives each formula's value as Excel last
saved it: nothing in a workbook is ever evaluated. A workbook is a zip archive, so its parts'
uncompressed sizes are checked before anything is unpacked: a small file that would inflate to
gigabytes (a "zip bomb") is refused. A part cannot unpack past the size its archive declares
(zipfile stops there and then fails the part's checksum), so the declared sizes are the bound.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time

MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
# The shared strings are held in memory whole while the sheet streams.
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024


class UnreadableWorkbook(ValueError):
    pass


def workbook_rows(body: bytes, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells as text) for each row of the sheet; empty rows skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
        parts = archive.infolist()
    except zipfile.BadZipFile:
        raise UnreadableWorkbook("The workbook cannot be opened: the file is damaged or not an .xlsx workbook; "
                                 "save it again from Excel and send it again.") from None
    total = sum(part.file_size for part in parts)
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_UNCOMPRESSED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        raise UnreadableWorkbook(
            f"The workbook would unpack to {total / 2**20:,.0f} MB, more than the {MAX_UNCOMPRESSED_BYTES // 2**20} MB "
            "a feed may hold; send the register alone, as CSV or as a workbook of one sheet.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it does not need
            reader = _plain_text_reader()(io.BytesIO(body), read_only=True, data_only=True, keep_links=False)
            reader.read()
            book = reader.wb
    except Exception:  # openpyxl raises many kinds for a broken workbook; each means the same to a council
        raise UnreadableWorkbook("The workbook cannot be read as an .xlsx workbook; save it again from Excel "
                                 "(File > Save As > Excel Workbook) and send it again.") from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise UnreadableWorkbook(f"The workbook has no sheet named '{sheet}' (the feed mapping names it); its "
                                     f"sheets are {', '.join(repr(name) for name in book.sheetnames)}.")
        if not hasattr(worksheet, "iter_rows"):
            raise UnreadableWorkbook("The first sheet of the workbook is a chart, not a table of licences.")
        # The dimensions a workbook declares are often wrong; let the rows themselves say.
        worksheet.reset_dimensions()
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(cells):
                yield number, cells
    finally:
        book.close()


def _plain_text_reader():
    """openpyxl's workbook reader, with its shared strings read as the plain text a feed needs.

    openpyxl builds an object per shared string to hold its formatting, then keeps only the text;
    for a register of 125,000 rows that is a third of the whole read. The text is the same: the
    string's own text and its formatted runs' text, in order, without phonetic guides."""
    # Imported here: openpyxl is large, and most feeds (and every process start) need none of it.
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    item, text, run = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "r"))

    class PlainTextReader(ExcelReader):
        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is None:
                return
            strings = []
            with self.archive.open(part.PartName[1:]) as source:
                for _, node in iterparse(source):
                    if node.tag == item:
                        pieces = [node.findtext(text) or ""]
                        pieces.extend(formatted.findtext(text) or "" for formatted in node.iterfind(run))
                        strings.append("".join(pieces).replace("x005F_", ""))
                        node.clear()
            self.shared_strings = strings

    return PlainTextReader


def cell_text(value: object) -> str:
    """A cell as the text a CSV export would hold; dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
