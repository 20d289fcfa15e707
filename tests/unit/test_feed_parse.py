"""Reading an authority's licence feed: what is kept, what is rejected, and what the authority is told."""

from __future__ import annotations

import codecs
import csv
import io
import json
import tracemalloc
from datetime import date, timedelta

import pytest

from licensing.clock import london_today
from licensing.feeds import COLUMNS, FeedRejected, csv_safe, parse_feed
from licensing.feeds.parse import LicenceRow

VALID = {
    "licence_number": "PH0001",
    "licence_type": "private_hire_driver",
    "status": "active",
    "issued_on": "2024-04-01",
    "expires_on": "2027-03-31",
    "surname": "Smith",
    "forenames": "John",
    "date_of_birth": "1980-05-17",
    "driving_licence_number": "SMITH805170J99AB",
    "ni_number": "AB123456C",
    "address": "1 High Street, Manchester",
    "postcode": "M1 1AE",
}


def licence(**changes: str) -> dict[str, str]:
    return {**VALID, **changes}


def csv_body(*rows: dict[str, str], columns=COLUMNS, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode(encoding)


def parse_csv(*rows: dict[str, str]):
    return parse_feed(csv_body(*rows), "text/csv")


def problems_of(feed, row=None, severity=None):
    return [p for p in feed.problems if (row is None or p.row == row) and (severity is None or p.severity == severity)]


def rejected(body: bytes, content_type: str = "text/csv") -> FeedRejected:
    with pytest.raises(FeedRejected) as caught:
        parse_feed(body, content_type)
    return caught.value


# --- a clean feed ------------------------------------------------------------------------------


def test_a_valid_row_is_read_with_every_value_normalised():
    feed = parse_csv(licence(postcode="m11ae", driving_licence_number="smith 805170 j99ab", ni_number="ab 12 34 56 c"))

    assert feed.problems == []
    assert feed.total_rows == 1
    assert feed.rejected_licence_numbers == frozenset()
    assert feed.rows == [
        LicenceRow(
            row=1,
            licence_number="PH0001",
            licence_type="private_hire_driver",
            status="active",
            issued_on=date(2024, 4, 1),
            expires_on=date(2027, 3, 31),
            surname="Smith",
            forenames="John",
            date_of_birth=date(1980, 5, 17),
            driving_licence_number="SMITH805170J99AB",
            ni_number="AB123456C",
            address="1 High Street, Manchester",
            postcode="M1 1AE",
        )
    ]


def test_row_numbers_count_data_lines_from_one_in_csv_and_array_positions_in_json():
    feed = parse_csv(licence(licence_number="A"), licence(licence_number="B"))
    assert [(r.row, r.licence_number) for r in feed.rows] == [(1, "A"), (2, "B")]

    body = json.dumps([licence(licence_number="A"), licence(licence_number="B")]).encode()
    assert [r.row for r in parse_feed(body, "application/json").rows] == [1, 2]


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_any_line_ending_is_read(line_end):
    body = csv_body(licence(licence_number="A"), licence(licence_number="B")).decode().replace("\r\n", line_end)
    assert [r.licence_number for r in parse_feed(body.encode(), "text/csv").rows] == ["A", "B"]


def test_dates_are_read_in_either_council_format():
    row = parse_csv(licence(issued_on="01/04/2024", expires_on="2027-03-31", date_of_birth="7/5/1980")).rows[0]
    assert (row.issued_on, row.expires_on, row.date_of_birth) == (date(2024, 4, 1), date(2027, 3, 31), date(1980, 5, 7))


def test_values_are_trimmed_and_type_and_status_read_whatever_their_case():
    feed = parse_csv(
        licence(licence_number="  PH0001 ", licence_type="Private Hire Driver", status=" ACTIVE ", surname=" Smith ")
    )
    row = feed.rows[0]
    assert (row.licence_number, row.licence_type, row.status, row.surname) == (
        "PH0001",
        "private_hire_driver",
        "active",
        "Smith",
    )
    assert parse_csv(licence(licence_type="DUAL-DRIVER")).rows[0].licence_type == "dual_driver"


def test_an_operator_needs_neither_forenames_nor_date_of_birth():
    feed = parse_csv(
        licence(licence_type="private_hire_operator", surname="Ace Cars Ltd", forenames="", date_of_birth="",
                driving_licence_number="", ni_number="", address="")
    )
    row = feed.rows[0]
    assert (row.forenames, row.date_of_birth, row.driving_licence_number, row.ni_number, row.address) == (
        "", None, None, None, None
    )
    assert feed.problems == []


def test_optional_columns_may_be_left_out():
    columns = [c for c in COLUMNS if c not in ("driving_licence_number", "ni_number", "address")]
    feed = parse_feed(csv_body(licence(), columns=columns), "text/csv")
    assert feed.problems == []
    assert feed.rows[0].driving_licence_number is None


def test_content_key_ignores_the_row_number_but_not_any_value():
    first = parse_csv(licence()).rows[0]
    moved = parse_csv(licence(licence_number="OTHER"), licence()).rows[1]
    renewed = parse_csv(licence(expires_on="2028-03-31")).rows[0]
    assert moved.row != first.row
    assert moved.content_key() == first.content_key()
    assert renewed.content_key() != first.content_key()


# --- encodings and headers ---------------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_is_read():
    feed = parse_feed(codecs.BOM_UTF8 + csv_body(licence(forenames="Zoë")), "text/csv")
    assert feed.rows[0].forenames == "Zoë"
    assert feed.problems == []


def test_windows_1252_is_read_when_the_feed_is_not_utf8():
    body = csv_body(licence(forenames="Zoë", address="Flat £5, 1 High Street"), encoding="cp1252")
    row = parse_feed(body, "text/csv").rows[0]
    assert (row.forenames, row.address) == ("Zoë", "Flat £5, 1 High Street")


def test_windows_1252_json_is_read_too():
    body = json.dumps([licence(forenames="Zoë")], ensure_ascii=False).encode("cp1252")
    assert parse_feed(body, "application/json").rows[0].forenames == "Zoë"


def test_text_in_neither_encoding_is_rejected():
    # 0x81 is neither valid UTF-8 here nor defined in Windows-1252.
    error = rejected(csv_body(licence()) + b"\x81\n")
    assert "UTF-8" in error.message


def test_utf16_is_rejected_with_advice_to_save_as_utf8():
    body = codecs.BOM_UTF16_LE + csv_body(licence()).decode().encode("utf-16-le")
    assert "UTF-16" in rejected(body).message


def test_header_names_are_case_insensitive_and_trimmed():
    columns = [f"  {column.upper()} " for column in COLUMNS]
    out = io.StringIO()
    csv.writer(out).writerows([columns, [VALID[c] for c in COLUMNS]])
    feed = parse_feed(out.getvalue().encode(), "text/csv")
    assert feed.problems == []
    assert feed.rows[0].licence_number == "PH0001"


def test_unknown_columns_are_ignored_with_one_warning_naming_them():
    feed = parse_feed(csv_body({**licence(), "colour": "red", "Badge": "9"}, columns=[*COLUMNS, "colour", "Badge"]),
                      "text/csv")
    assert len(feed.rows) == 1
    [warning] = feed.problems
    assert (warning.row, warning.severity) == (None, "warning")
    assert "colour" in warning.message and "Badge" in warning.message


def test_missing_required_columns_reject_the_feed_naming_every_one():
    columns = [c for c in COLUMNS if c not in ("status", "date_of_birth", "postcode")]
    error = rejected(csv_body(licence(), columns=columns))
    for column in ("status", "date_of_birth", "postcode"):
        assert column in error.message
    assert sorted(p.field for p in error.problems) == ["date_of_birth", "postcode", "status"]


def test_a_semicolon_separated_file_is_rejected_with_a_hint():
    body = ";".join(COLUMNS).encode() + b"\n" + ";".join(VALID[c] for c in COLUMNS).encode() + b"\n"
    assert "semicolons" in rejected(body).message


def test_a_column_named_twice_rejects_the_feed():
    error = rejected(csv_body(licence(), columns=[*COLUMNS, "Surname"]))
    assert "surname more than once" in error.message


# --- whole-feed rejections ---------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"  \r\n\n", codecs.BOM_UTF8])
def test_an_empty_body_is_rejected(body):
    assert "empty" in rejected(body).message


def test_a_header_without_rows_is_an_empty_register():
    feed = parse_feed(csv_body(), "text/csv")
    assert (feed.rows, feed.total_rows, feed.rejected_licence_numbers) == ([], 0, frozenset())
    assert [p.severity for p in feed.problems] == ["warning"]


def test_an_unsupported_content_type_is_rejected_and_charset_parameters_are_allowed():
    assert "text/csv or application/json" in rejected(csv_body(licence()), "application/xml").message
    assert len(parse_feed(csv_body(licence()), "Text/CSV; charset=utf-8").rows) == 1


def test_a_broken_quote_rejects_the_feed_rather_than_swallowing_later_rows():
    body = csv_body(licence()) + b'PH0002,"private_hire_driver"x,active\r\n' + csv_body(licence())[-200:]
    assert "line 3" in rejected(body).message


def test_unparseable_json_is_rejected_saying_where():
    error = rejected(b'[{"licence_number": "PH0001",}]', "application/json")
    assert "JSON" in error.message and "line 1" in error.message


def test_json_may_be_an_array_or_an_object_holding_licences():
    listed = parse_feed(json.dumps([licence()]).encode(), "application/json")
    wrapped = parse_feed(json.dumps({"licences": [licence()]}).encode(), "application/json; charset=utf-8")
    assert listed.rows == wrapped.rows and len(listed.rows) == 1


@pytest.mark.parametrize("document", [{"data": []}, "licences", 42])
def test_json_of_another_shape_is_rejected(document):
    assert "licences" in rejected(json.dumps(document).encode(), "application/json").message


def test_json_missing_a_required_key_in_every_object_is_rejected():
    row = licence()
    del row["expires_on"]
    assert "expires_on" in rejected(json.dumps([row]).encode(), "application/json").message


# --- rows rejected -----------------------------------------------------------------------------


def only_error(feed, row=1):
    [problem] = problems_of(feed, row=row, severity="error")
    return problem


@pytest.mark.parametrize("column", ["licence_number", "licence_type", "status", "surname", "expires_on"])
def test_a_row_missing_a_required_value_is_rejected(column):
    feed = parse_csv(licence(**{column: ""}), licence(licence_number="PH0002"))
    problem = only_error(feed)
    assert problem.field == column and column in problem.message and "empty" in problem.message
    assert [r.licence_number for r in feed.rows] == ["PH0002"]


@pytest.mark.parametrize("column", ["forenames", "date_of_birth"])
@pytest.mark.parametrize("licence_type", ["hackney_carriage_driver", "private_hire_driver", "dual_driver"])
def test_a_driver_row_needs_forenames_and_date_of_birth(column, licence_type):
    feed = parse_csv(licence(licence_type=licence_type, **{column: ""}))
    assert only_error(feed).field == column
    assert feed.rows == []
    assert feed.rejected_licence_numbers == {"PH0001"}


@pytest.mark.parametrize(
    ("column", "value", "allowed"),
    [("licence_type", "minicab", "hackney_carriage_driver"), ("status", "pending", "surrendered")],
)
def test_an_unknown_type_or_status_is_rejected_listing_the_allowed_values(column, value, allowed):
    problem = only_error(parse_csv(licence(**{column: value})))
    assert problem.field == column
    assert f"'{value}'" in problem.message and allowed in problem.message


@pytest.mark.parametrize("column", ["issued_on", "expires_on", "date_of_birth"])
def test_an_impossible_date_is_rejected(column):
    problem = only_error(parse_csv(licence(**{column: "31/02/2020"})))
    assert problem.field == column
    assert "31/02/2020" in problem.message and "not a real calendar date" in problem.message


def test_a_date_in_another_format_is_rejected_naming_the_formats_expected():
    problem = only_error(parse_csv(licence(expires_on="March 2027")))
    assert "YYYY-MM-DD or DD/MM/YYYY" in problem.message


def test_a_licence_expiring_before_it_was_issued_is_rejected():
    problem = only_error(parse_csv(licence(issued_on="2024-04-01", expires_on="2024-03-31")))
    assert problem.field == "expires_on" and "before issued_on" in problem.message


def test_a_date_of_birth_in_the_future_is_rejected():
    tomorrow = london_today() + timedelta(days=1)
    problem = only_error(parse_csv(licence(date_of_birth=tomorrow.isoformat())))
    assert problem.field == "date_of_birth" and "future" in problem.message


def test_a_holder_under_18_on_the_issue_date_is_rejected_but_18_that_day_is_not():
    too_young = parse_csv(licence(issued_on="2024-04-01", date_of_birth="2006-04-02"))
    problem = only_error(too_young)
    assert problem.field == "date_of_birth" and "17" in problem.message and "18" in problem.message

    assert len(parse_csv(licence(issued_on="2024-04-01", date_of_birth="2006-04-01")).rows) == 1


def test_every_row_sharing_a_licence_number_is_rejected_naming_the_others():
    feed = parse_csv(
        licence(licence_number="PH0001"),
        licence(licence_number="PH0002"),
        licence(licence_number="PH0001", surname="Smyth"),
        licence(licence_number="PH0001", forenames="Jon"),
    )
    assert [r.licence_number for r in feed.rows] == ["PH0002"]
    assert feed.rejected_licence_numbers == {"PH0001"}
    messages = {p.row: p.message for p in feed.problems}
    assert sorted(messages) == [1, 3, 4]
    assert "rows 3 and 4" in messages[1]
    assert "rows 1 and 4" in messages[3]
    assert "rows 1 and 3" in messages[4]


def test_a_licence_number_repeated_many_times_names_the_first_ten_other_rows_and_counts_the_rest():
    feed = parse_csv(*[licence() for _ in range(25)])
    assert feed.rows == [] and len(feed.problems) == 25
    message = problems_of(feed, row=1)[0].message
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 14 more" in message


def test_licence_numbers_of_rejected_rows_are_reported_so_they_are_not_ended():
    feed = parse_csv(licence(licence_number="PH0001", status="pending"), licence(licence_number="PH0002"))
    assert feed.rejected_licence_numbers == {"PH0001"}
    assert feed.total_rows == 2


def test_a_row_with_more_values_than_columns_is_rejected_but_trailing_empty_cells_are_not():
    header, row = csv_body(licence()).decode().splitlines()
    body = f"{header}\r\n{row},,\r\n{row.replace('PH0001', 'PH0002')},extra\r\n".encode()
    feed = parse_feed(body, "text/csv")
    assert [r.licence_number for r in feed.rows] == ["PH0001"]
    problem = only_error(feed, row=2)
    assert "13 values" in problem.message and "12 columns" in problem.message
    assert feed.rejected_licence_numbers == {"PH0002"}


def test_blank_lines_are_skipped_but_keep_the_numbering_the_authority_sees():
    header, row = csv_body(licence()).decode().splitlines()
    body = f"{header}\r\n\r\n,,,,,,,,,,,\r\n{row}\r\n".encode()
    feed = parse_feed(body, "text/csv")
    assert [r.row for r in feed.rows] == [3]
    assert feed.total_rows == 1


def test_json_numbers_are_read_as_text_and_other_kinds_of_value_reject_the_row():
    body = json.dumps([licence(licence_number=1234), licence(licence_number="PH0002", surname=True)]).encode()
    feed = parse_feed(body, "application/json")
    assert [r.licence_number for r in feed.rows] == ["1234"]
    problem = only_error(feed, row=2)
    assert problem.field == "surname" and "string" in problem.message


def test_a_json_item_that_is_not_an_object_is_rejected():
    feed = parse_feed(json.dumps([licence(), "PH0002"]).encode(), "application/json")
    assert len(feed.rows) == 1 and only_error(feed, row=2).row == 2


# --- rows kept with a warning ------------------------------------------------------------------


def only_warning(feed):
    [problem] = problems_of(feed, row=1, severity="warning")
    assert len(feed.rows) == 1, "a warning must not reject the row"
    return problem


@pytest.mark.parametrize("value", ["NOT A POSTCODE", ""])
def test_an_invalid_or_missing_postcode_is_dropped_saying_the_home_area_is_unknown(value):
    feed = parse_csv(licence(postcode=value))
    problem = only_warning(feed)
    assert feed.rows[0].postcode is None
    assert problem.field == "postcode" and "home area cannot be determined" in problem.message


def test_a_northern_ireland_postcode_is_kept_with_a_warning():
    feed = parse_csv(licence(postcode="bt1 1aa"))
    problem = only_warning(feed)
    assert feed.rows[0].postcode == "BT1 1AA"
    assert "Northern Ireland" in problem.message and "home area cannot be determined" in problem.message


def test_a_malformed_driving_licence_number_is_kept_normalised_with_a_warning():
    feed = parse_csv(licence(driving_licence_number="smi th12"))
    problem = only_warning(feed)
    assert feed.rows[0].driving_licence_number == "SMITH12"
    assert problem.field == "driving_licence_number" and "16 characters" in problem.message


def test_a_northern_ireland_driving_licence_number_is_accepted():
    feed = parse_csv(licence(driving_licence_number="12345678"))
    assert feed.problems == [] and feed.rows[0].driving_licence_number == "12345678"


def test_an_invalid_ni_number_is_kept_normalised_with_a_warning():
    feed = parse_csv(licence(ni_number="qq 123456 c"))
    problem = only_warning(feed)
    assert feed.rows[0].ni_number == "QQ123456C"
    assert problem.field == "ni_number" and "National Insurance" in problem.message


def test_formula_looking_values_are_stored_as_the_text_given():
    feed = parse_csv(licence(surname="=HYPERLINK(\"http://x\")", forenames="+John", address="@home -1"))
    row = feed.rows[0]
    assert (row.surname, row.forenames, row.address) == ('=HYPERLINK("http://x")', "+John", "@home -1")
    assert feed.problems == []


# --- csv_safe ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+44 161", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_safe_makes_a_spreadsheet_show_formulas_as_text(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [("Smith", "Smith"), ("O'Neill", "O'Neill"), ("", ""), (None, "")])
def test_csv_safe_leaves_ordinary_values_alone(value, expected):
    assert csv_safe(value) == expected


# --- scale -------------------------------------------------------------------------------------


def large_register(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    start = date(1950, 1, 1)
    for number in range(rows):
        born = start + timedelta(days=number % 18_000)
        issued = date(2024, 1, 1) + timedelta(days=number % 700)
        writer.writerow([
            f"PH/{issued.year}/{number:07d}",
            "private_hire_driver" if number % 3 else "Dual Driver",
            "active",
            issued.strftime("%d/%m/%Y") if number % 2 else issued.isoformat(),
            (issued + timedelta(days=1_095)).isoformat(),
            "Hussain",
            "Mohammed Zoë",
            born.isoformat(),
            f"HUSSA{born.year % 100 // 10}{born.month:02d}{born.day:02d}{born.year % 10}MZ9AB",
            f"JA{number % 1_000_000:06d}C",
            f"{number % 300 + 1} Acacia Avenue Gardens East, Flat {number % 20 + 1}, Greater Manchester, England",
            f"M{number % 40 + 1} {number % 10}AB",
        ])
    return out.getvalue().encode()


@pytest.mark.slow
def test_a_register_of_125000_licences_is_read_whole():
    # Its speed is measured by `make bench`; here, that nothing is lost at TfL's size.
    body = large_register(125_000)
    assert len(body) > 24_000_000
    feed = parse_feed(body, "text/csv")
    assert (len(feed.rows), feed.problems) == (125_000, [])


@pytest.mark.slow
def test_reading_a_register_holds_no_second_copy_of_it_beyond_the_rows_returned():
    body = large_register(20_000)
    tracemalloc.start()
    try:
        feed = parse_feed(body, "text/csv")
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(feed.rows) == 20_000
    # Decoding the whole body as text at once would alone cost len(body) or more.
    assert peak - retained < len(body)
