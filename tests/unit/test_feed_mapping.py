"""Councils' own exports read as they are: their column names and codes, their date forms, Excel
workbooks, and values kept to one line of bounded length."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from licensing.clock import london_today
from licensing.feeds import FeedMapping, FeedRejected, InvalidMapping, parse_feed
from licensing.feeds.sniff import XLSX
from licensing.feeds.text import has_unsafe, single_line
from tests.feeds import workbook
from tests.unit.test_feed_parse import VALID, csv_body, licence, only_error, parse_csv, problems_of

COUNCIL_HEADERS = ["Licence No", "Licence Type", "Status", "Issue Date", "Expiry Date", "Surname",
                   "Forename(s)", "DOB", "Post Code", "Badge Colour"]
COUNCIL_ROW = ["PH0001", "PHD", "Current", "01/04/2024 00:00", "31.08.2026", "Smith", "John", "17/05/80",
               "M1 1AE", "yellow"]
MAPPING = FeedMapping.from_json({"columns": {"licence no": "licence_number", "Issue Date": "issued_on",
                                             "EXPIRY-DATE": "expires_on", "D.O.B.": "date_of_birth"}})


def council_csv(*rows: list[str], headers=COUNCIL_HEADERS) -> bytes:
    return "\n".join(",".join(cells) for cells in (headers, *rows)).encode()


def test_a_councils_own_export_is_read_through_its_mapping_and_its_codes_and_dates_without_one():
    feed = parse_feed(council_csv(COUNCIL_ROW), "text/csv", MAPPING)
    [row] = feed.rows
    assert (row.licence_number, row.licence_type, row.status) == ("PH0001", "private_hire_driver", "active")
    assert (row.issued_on, row.expires_on, row.date_of_birth) == (date(2024, 4, 1), date(2026, 8, 31), date(1980, 5, 17))
    assert feed.interpreted == {"date_of_birth": 1, "licence_type": 1, "status": 1}
    [ignored] = [p for p in feed.problems if p.row is None]
    assert ignored.message == "Column not used by Crosscheck and ignored: Badge Colour."


def test_without_a_mapping_the_refusal_says_which_header_looks_like_each_missing_column_and_how_to_save_it():
    error = pytest.raises(FeedRejected, parse_feed, council_csv(COUNCIL_ROW), "text/csv").value
    assert error.message.startswith("Required columns missing: licence_number, issued_on, expires_on, date_of_birth.")
    assert "'Licence No' looks like licence_number" in error.message
    assert "'DOB' looks like date_of_birth" in error.message and "'Expiry Date' looks like expires_on" in error.message
    assert "feed-mapping" in error.message and '"Licence No": "licence_number"' in error.message
    assert "Badge Colour' looks like" not in error.message


def test_headers_match_ignoring_case_spaces_and_punctuation():
    headers = ["LICENCE-NUMBER", "Licence Type", "status", "Issued On", "expires.on", "SURNAME", "Forename(s)",
               "Date of Birth", "Post Code"]
    row = ["PH1", "Private Hire", "Granted", "1-Sep-2023", "01 September 2026", "Smith", "John", "7/5/1980", "M1 1AE"]
    [licence_row] = parse_feed(council_csv(row, headers=headers), "text/csv").rows
    assert (licence_row.issued_on, licence_row.expires_on) == (date(2023, 9, 1), date(2026, 9, 1))


@pytest.mark.parametrize(("given", "meant"), [
    ("HCD", "hackney_carriage_driver"), ("Hackney Carriage", "hackney_carriage_driver"),
    ("PHD", "private_hire_driver"), ("Private Hire", "private_hire_driver"), ("Dual", "dual_driver"),
    ("Combined", "dual_driver"), ("PH Operator", None)])
def test_common_licence_types_are_understood_from_the_one_table(given, meant):
    feed = parse_csv(licence(licence_type=given))
    assert (feed.rows[0].licence_type if feed.rows else None) == meant


@pytest.mark.parametrize(("given", "meant"), [
    ("Current", "active"), ("Granted", "active"), ("Valid", "active"), ("Lapsed", "expired"), ("Expired", "expired"),
    ("Revoked", "revoked"), ("Suspended", "suspended"), ("Surrendered", "surrendered")])
def test_common_statuses_are_understood_from_the_one_table(given, meant):
    assert parse_csv(licence(status=given, expires_on="2099-01-01")).rows[0].status == meant


def test_a_mappings_codes_come_before_the_table_and_are_counted_as_interpreted():
    mapping = FeedMapping.from_json({"values": {"status": {"Lapsed": "suspended", "X1": "active"},
                                                "licence_type": {"P": "private_hire_driver"}}})
    feed = parse_feed(csv_body(licence(status="LAPSED", licence_type="p"), licence(licence_number="B", status="x1")),
                      "text/csv", mapping)
    assert [(r.status, r.licence_type) for r in feed.rows] == [("suspended", "private_hire_driver"),
                                                                ("active", "private_hire_driver")]
    assert feed.interpreted == {"licence_type": 1, "status": 2}


@pytest.mark.parametrize(("text", "meant"), [
    ("17/05/1980", date(1980, 5, 17)), ("7/5/1980", date(1980, 5, 7)), ("17-05-1980", date(1980, 5, 17)),
    ("17.05.1980", date(1980, 5, 17)), ("17-May-1980", date(1980, 5, 17)), ("17 May 1980", date(1980, 5, 17)),
    ("17 September 1980", date(1980, 9, 17)), ("1980-05-17", date(1980, 5, 17)),
    ("17/05/1980 00:00", date(1980, 5, 17)), ("1980-05-17T00:00:00", date(1980, 5, 17))])
def test_dates_in_the_forms_councils_export(text, meant):
    assert parse_csv(licence(date_of_birth=text)).rows[0].date_of_birth == meant


def test_a_two_digit_year_of_birth_takes_the_century_that_makes_the_holder_18_to_100():
    year = london_today().year
    young = f"01/01/{(year - 20) % 100:02d}"  # 20 years old in the 2000s, 120 in the 1900s
    old = f"01/01/{(year - 90) % 100:02d}"  # 90 in the 1900s, -10 in the 2000s
    rows = parse_csv(licence(date_of_birth=young), licence(licence_number="B", date_of_birth=old)).rows
    assert [r.date_of_birth.year for r in rows] == [year - 20, year - 90]
    child = f"01/01/{(year - 10) % 100:02d}"  # 10 or 110: neither century settles it
    problem = only_error(parse_csv(licence(date_of_birth=child)))
    assert problem.field == "date_of_birth" and child in problem.message and "two-digit year" in problem.message


def test_a_two_digit_year_on_a_licence_date_is_in_the_2000s():
    row = parse_csv(licence(issued_on="01/04/24", expires_on="31/03/27")).rows[0]
    assert (row.issued_on, row.expires_on) == (date(2024, 4, 1), date(2027, 3, 31))


@pytest.mark.parametrize("text", ["01/04/2024 13:30", "2024-04-01T09:00:00"])
def test_a_time_other_than_midnight_rejects_the_row_naming_the_value(text):
    problem = only_error(parse_csv(licence(issued_on=text)))
    assert text in problem.message and "midnight" in problem.message


def test_an_active_licence_past_its_expiry_is_kept_with_a_warning():
    feed = parse_csv(licence(expires_on="01/01/2025"))
    [warning] = problems_of(feed, row=1, severity="warning")
    assert len(feed.rows) == 1 and warning.field == "expires_on" and "expired on 2025-01-01" in warning.message


@pytest.mark.parametrize("document", [
    {"columns": {"Surname": "surname", "Last Name": "surname"}},
    {"columns": {"Licence No": "licence_no"}},
    {"columns": {"Licence No": "licence_number", "LICENCE NO.": "licence_number"}},
    {"values": {"status": {"Current": "live"}}},
    {"values": {"surname": {"A": "B"}}},
    {"column": {}},
])
def test_a_mapping_that_would_guess_or_cannot_work_is_refused(document):
    with pytest.raises(InvalidMapping):
        FeedMapping.from_json(document)


def test_two_headers_of_one_field_reject_the_feed_naming_both():
    mapping = FeedMapping.from_json({"columns": {"Last Name": "surname"}})
    body = csv_body(licence(), columns=[*VALID][:-1] + ["Last Name"]).replace(b"Last Name", b"Last Name,surname")
    with pytest.raises(FeedRejected, match="surname more than once"):
        parse_feed(body.replace(b"postcode", b"x"), "text/csv", mapping)


def register_sheet(*rows: list) -> list[list]:
    return [["Licence No", "Type", "Status", "Issued", "Expires", "Surname", "Forenames", "DOB", "Postcode"], *rows]


SHEET_MAPPING = FeedMapping.from_json({"columns": {"Licence No": "licence_number", "Type": "licence_type",
                                                   "Issued": "issued_on", "Expires": "expires_on",
                                                   "DOB": "date_of_birth"}, "sheet": "Register"})


def test_a_workbook_is_read_with_real_dates_serial_numbers_and_formulas_cached_values():
    body = workbook(*register_sheet(
        ["PH1", "PHD", "Current", date(2024, 4, 1), 46630, "Smith", "John", "17/05/1980", "M1 1AE"],
        ["PH2", "HCD", "Valid", date(2024, 4, 1), date(2027, 3, 31), "=\"Jo\"&\"nes\"", "Sian", date(1979, 11, 30),
         "M1 1AE"],
        [None, None, None], ["PH3", "Dual", "Current", "01/04/2024", "31/03/2027", "Khan", "Imran", 29361, "M1 1AE"],
    ), first_sheet=[["This sheet is not the register"]], formula_results={"F3": "Jones", "G3": "never"})
    feed = parse_feed(body, XLSX, SHEET_MAPPING)
    assert [r.licence_number for r in feed.rows] == ["PH1", "PH2", "PH3"]
    assert feed.rows[0].expires_on == date(2027, 8, 31)  # Excel's 46630
    assert feed.rows[2].date_of_birth == date(1980, 5, 20)
    assert [r.row for r in feed.rows] == [2, 3, 5]  # the spreadsheet's own row numbers
    assert feed.rows[1].surname == "Jones"  # the value Excel cached, not the formula


def test_text_saved_once_in_the_shared_strings_is_read_as_the_cell_shows_it():
    body = workbook(*register_sheet(["PH1", "PHD", "Current", "01/04/2024", "31/03/2027", "x", "x", "1/1/1980",
                                     "M1 1AE"]),
                    shared_strings={"F2": '<r><t>Smith</t></r><r><rPr><b/></rPr><t>-Jones</t></r>'
                                          '<rPh sb="0" eb="5"><t>sumisu</t></rPh>',
                                    "G2": "<t>John &amp; Paul</t>", "C2": "<t>Current</t>"})
    row, = parse_feed(body, XLSX, SHEET_MAPPING).rows
    assert (row.surname, row.forenames, row.status) == ("Smith-Jones", "John & Paul", "active")


def test_a_formula_without_a_cached_value_is_never_evaluated():
    body = workbook(*register_sheet(["PH1", "PHD", "Current", "01/04/2024", "31/03/2027", '="Sm"&"ith"', "John",
                                     "1/1/1980", "M1 1AE"]))
    problem = only_error(parse_feed(body, XLSX, SHEET_MAPPING), row=2)
    assert problem.field == "surname" and "empty" in problem.message


def test_the_first_sheet_is_read_unless_the_mapping_names_another():
    body = workbook(*register_sheet(["PH1", "PHD", "Current", "01/04/2024", "31/03/2027", "Smith", "J", "1/1/1980",
                                     "M1 1AE"]), first_sheet=[["Notes"], ["nothing here"]])
    with pytest.raises(FeedRejected, match="Required columns missing"):
        parse_feed(body, XLSX, FeedMapping.from_json({"columns": SHEET_MAPPING.columns}))
    missing = FeedMapping.from_json({"sheet": "Drivers"})
    with pytest.raises(FeedRejected, match="no sheet named 'Drivers'.*'Cover', 'Register'"):
        parse_feed(body, XLSX, missing)


def test_a_workbook_that_would_unpack_past_the_bound_is_refused_before_it_is_unpacked():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            megabyte = b"\0" * 1024 * 1024
            for _ in range(300):
                sheet.write(megabyte)
    assert len(out.getvalue()) < 2 * 1024 * 1024  # a small file that would unpack to 300 MB
    with pytest.raises(FeedRejected, match="would unpack to 300 MB"):
        parse_feed(out.getvalue(), XLSX)


@pytest.mark.parametrize(("body", "content_type", "said"), [
    (workbook(["a"]), "text/csv", "its content is an Excel workbook (.xlsx); send it with Content-Type: "
                                  f"{XLSX}"),
    (b'[{"licence_number": "A"}]', "text/csv", "its content is JSON; send it with Content-Type: application/json"),
    (b"%PDF-1.7 ...", "text/csv", "a PDF document"),
    (b"licence_number,status\nA,active\n", "application/json", "looks like CSV text; send it with Content-Type: text/csv"),
    (b"PK\x03\x04" + b"\0" * 40, "text/csv", "damaged zip"),
])
def test_bytes_that_are_not_what_their_content_type_says_are_answered_with_what_to_send(body, content_type, said):
    assert said in pytest.raises(FeedRejected, parse_feed, body, content_type).value.message


def test_line_breaks_controls_and_direction_overrides_are_removed_with_a_warning_in_csv_and_json():
    dirty = {"surname": "Smith\r\nDear officer,", "forenames": "\u202eJohn\x00", "address": "Flat 2\n1 High St"}
    for feed in (parse_csv(licence(**dirty)), parse_feed(json.dumps([licence(**dirty)]).encode(), "application/json")):
        [row] = feed.rows
        assert (row.surname, row.forenames, row.address) == ("Smith Dear officer,", "John", "Flat 2 1 High St")
        assert {p.field for p in problems_of(feed, row=1, severity="warning")} == {"surname", "forenames", "address"}


@pytest.mark.parametrize("content_type", ["text/csv", "application/json"])
def test_every_field_has_the_same_length_cap_in_csv_and_json(content_type):
    row = licence(surname="A" * 100_000)
    body = csv_body(row) if content_type == "text/csv" else json.dumps({"licences": [row]}).encode()
    problem = only_error(parse_feed(body, content_type))
    assert problem.field == "surname" and "100,000 characters" in problem.message and "at most 200" in problem.message


def test_a_json_feed_is_read_through_the_mapping_as_it_streams():
    rows = [{"Licence No": "A1", **{k: v for k, v in VALID.items() if k != "licence_number"}, "status": "Current"}]
    feed = parse_feed(json.dumps({"licences": rows}).encode(), "application/json",
                      FeedMapping.from_json({"columns": {"Licence No": "licence_number"}}))
    assert [(r.licence_number, r.status) for r in feed.rows] == [("A1", "active")]
    with pytest.raises(FeedRejected, match="'licences' member is not a list"):
        parse_feed(b'{"licences": {"a": 1}}', "application/json")


def test_a_value_is_flagged_as_unsafe_exactly_when_cleaning_it_would_change_it():
    # The check runs on every row; the cleaning only on rows it flags. A character the check missed
    # would reach other councils' emails and pages as sent.
    surrogates = range(0xD800, 0xE000)
    characters = [chr(point) for point in [*range(0x10000), *range(0x10000, 0x110000, 97)] if point not in surrogates]
    differ = [repr(c) for c in characters if has_unsafe(f"a{c}b") != (single_line(f"a{c}b") != f"a{c}b")]
    assert differ == []
    assert has_unsafe("O'Brien-Ünal, Flat 2") is False
