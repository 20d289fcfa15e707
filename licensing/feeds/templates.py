"""The feed templates a council's systems officer starts from: the columns, one example row, and
(in the workbook) a sheet of notes saying what each column holds."""

from __future__ import annotations

import csv
import io

from licensing.feeds.codes import LICENCE_TYPES, STATUSES
from licensing.feeds.rows import COLUMNS, OPTIONAL_COLUMNS
from licensing.feeds.text import MAX_LENGTH
from licensing.values import DATE_FORMS

EXAMPLE = {
    "licence_number": "PH/2024/0001",
    "licence_type": "private_hire_driver",
    "status": "active",
    "issued_on": "01/04/2024",
    "expires_on": "31/03/2027",
    "surname": "Smith",
    "forenames": "John Paul",
    "date_of_birth": "17/05/1980",
    "driving_licence_number": "SMITH805170JP9AB",
    "ni_number": "AB123456C",
    "address": "1 High Street, Manchester",
    "postcode": "M1 1AE",
}

NOTES = {
    "licence_number": "The authority's own licence (badge) number; one row per licence.",
    "licence_type": f"One of {', '.join(LICENCE_TYPES)}, or a common form such as PHD, HCD, Dual, Private Hire.",
    "status": f"One of {', '.join(STATUSES)}, or a common form such as Current, Granted, Lapsed.",
    "issued_on": f"Date the licence was granted: {DATE_FORMS}.",
    "expires_on": "Date the licence expires, in the same forms.",
    "surname": "The holder's surname (for an operator licence, the operator's name).",
    "forenames": "The holder's forenames (drivers).",
    "date_of_birth": "The holder's date of birth (drivers); two-digit years are read as docs/feeds.md says.",
    "driving_licence_number": "The DVLA driving licence number, 16 characters (optional).",
    "ni_number": "National Insurance number, e.g. AB123456C (optional).",
    "address": "The holder's home address (optional).",
    "postcode": "The holder's home postcode: it says where the holder lives.",
}


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE[column] for column in COLUMNS])
    return out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook  # imported here: only this download needs it

    book = Workbook(write_only=True)
    licences = book.create_sheet("Licences")
    licences.append(list(COLUMNS))
    licences.append([EXAMPLE[column] for column in COLUMNS])
    notes = book.create_sheet("Notes")
    notes.append(["column", "required", "what it holds", "longest value"])
    for column in COLUMNS:
        notes.append([column, "no" if column in OPTIONAL_COLUMNS else "yes", NOTES[column], MAX_LENGTH[column]])
    notes.append([])
    notes.append(["Crosscheck reads the first sheet (Licences) unless the authority's feed mapping names another."])
    notes.append(["Your own column names and codes can be kept: save them once as a feed mapping (docs/feeds.md)."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
