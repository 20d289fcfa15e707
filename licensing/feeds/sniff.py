"""What a feed's bytes look like, whatever its content type says, so a council that sends a
workbook as CSV or a PDF of its register is told what it sent and what to send instead."""

from __future__ import annotations

import io
import zipfile

CSV = "text/csv"
JSON = "application/json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = (CSV, JSON, XLSX)
# How each kind is named to a council, and what it is sent as.
KINDS = {CSV: "CSV text", JSON: "JSON", XLSX: "an Excel workbook (.xlsx)"}
SEND_AS = {CSV: "Content-Type: text/csv", JSON: "Content-Type: application/json", XLSX: f"Content-Type: {XLSX}"}
EXTENSIONS = {".csv": CSV, ".txt": CSV, ".json": JSON, ".xlsx": XLSX}


def media_type(content_type: str | None) -> str:
    """A Content-Type without its parameters, as compared: 'Text/CSV; charset=utf-8' is text/csv."""
    return (content_type or "").split(";", 1)[0].strip().lower()

_UTF8_BOM = b"\xef\xbb\xbf"
_NOT_A_REGISTER = {
    b"%PDF-": "a PDF document, which cannot be read as a register; export the register from your licensing "
              "system as CSV or as an Excel workbook (.xlsx) and send that",
    b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook (.xls) or another old Office file; open it in Excel and save it "
                         "as an Excel workbook (.xlsx) or as 'CSV UTF-8', then send that",
}


def looks_like(body: bytes) -> str:
    """The content type the bytes are, or a sentence for bytes that are no feed at all."""
    for magic, sentence in _NOT_A_REGISTER.items():
        if body.startswith(magic):
            return sentence
    if body.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except zipfile.BadZipFile:
            return "a damaged zip archive; save the register again and send it as CSV or .xlsx"
        if "xl/workbook.xml" in names:
            return XLSX
        if "word/document.xml" in names:
            return "a Word document, which cannot be read as a register; send the register as CSV or .xlsx"
        return "a zip archive; unzip it and send the CSV or .xlsx file inside, on its own"
    start = body[:4096].removeprefix(_UTF8_BOM).lstrip()[:1]
    if start in (b"{", b"["):
        return JSON
    if start == b"<":
        return "an HTML or XML page, not a register; send the register as CSV, JSON or .xlsx"
    return CSV


def mismatch(body: bytes, media_type: str) -> str | None:
    """Why bytes labelled media_type cannot be what they say, with what to send instead; None if they fit."""
    actual = looks_like(body)
    if actual == media_type:
        return None
    if actual == CSV:
        if media_type == XLSX:
            return f"The feed is labelled {XLSX} but is not an Excel workbook; if it is CSV, send it with {SEND_AS[CSV]}."
        if media_type == JSON and b"," in body[:4096].split(b"\n", 1)[0]:
            return f"The feed is labelled {JSON} but its content looks like CSV text; send it with {SEND_AS[CSV]}."
        return None  # the parser says what is wrong with it
    if actual in KINDS:
        return (f"The feed is labelled {media_type} but its content is {KINDS[actual]}; send it with "
                f"{SEND_AS[actual]}.")
    return f"The feed is labelled {media_type or '(no content type)'} but it is {actual}."
