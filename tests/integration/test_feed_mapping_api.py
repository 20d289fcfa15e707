"""A council joins with the export its licensing system gives it: its mapping saved once, dry runs,
workbooks and file uploads, through the API, the command line and pulled feeds, on both databases."""

from __future__ import annotations

import io
import json
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from licensing.feeds.sniff import XLSX
from licensing.services import feeds
from licensing.store.models import Feed, Licence
from tests.conftest import bearer
from tests.feeds import workbook
from tests.integration.test_cli import run  # noqa: F401  (the command-line fixture)
from tests.integration.test_feeds_api import live_licences, post, post_and_apply
from tests.integration.test_pulled_feeds import BOLTON, bolton_publishes, publisher, pull, settings  # noqa: F401

WOLVERHAMPTON = "E08000031"
HEADERS = ["Licence No", "Licence Type", "Status", "Issue Date", "Expiry Date", "Surname", "Forename(s)", "DOB",
           "Post Code", "Badge Colour"]
MAPPING = {"columns": {"Licence No": "licence_number", "Issue Date": "issued_on", "Expiry Date": "expires_on",
                       "DOB": "date_of_birth"},
           "values": {"status": {"On Hold": "suspended"}}}


def council_rows(count: int) -> list[list]:
    return [[f"W{n:04d}", "PHD" if n % 2 else "Hackney Carriage", "Current", "01/04/2024 00:00", "31.08.2028",
             "KHAN", "Imran", "17/05/80", "WV1 1AA", "yellow"] for n in range(1, count + 1)]


def council_csv(rows: list[list]) -> bytes:
    return "\n".join(",".join(cells) for cells in [HEADERS, *rows]).encode()


def save_mapping(web, key, mapping=MAPPING, code=WOLVERHAMPTON):
    return web.put(f"/api/v1/authorities/{code}/feed-mapping", json=mapping, headers=bearer(key))


def test_a_councils_export_is_refused_with_suggestions_then_read_through_the_mapping_it_saves(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    refused = post_and_apply(crosscheck, web, key, council_csv(council_rows(3)))
    assert refused["status"] == "rejected"
    assert "'Licence No' looks like licence_number" in refused["message"]
    assert "/feed-mapping" in refused["message"]

    saved = save_mapping(web, key)
    assert saved.status_code == 200
    assert web.get(f"/api/v1/authorities/{WOLVERHAMPTON}/feed-mapping", headers=bearer(key)).json["columns"] == \
        MAPPING["columns"]
    applied = post_and_apply(crosscheck, web, key, council_csv(council_rows(3) + [["W9", "PHD", "On Hold",
                             "01/04/2024", "31.08.2028", "KHAN", "Imran", "17/05/1980", "WV1 1AA", "x"]]))
    assert applied["status"] == "applied" and applied["counts"]["added"] == 4
    assert applied["interpreted"] == {"date_of_birth": 3, "licence_type": 4, "status": 4}
    assert [p["message"] for p in applied["problems"]] == ["Column not used by Crosscheck and ignored: Badge Colour."]
    licence = live_licences(crosscheck)["W0002"]
    assert (licence.licence_type, licence.status, licence.date_of_birth) == ("hackney_carriage_driver", "active",
                                                                            date(1980, 5, 17))
    assert live_licences(crosscheck)["W9"].status == "suspended"


def test_a_mapping_is_the_authoritys_own_and_one_that_would_guess_is_refused(web, api_key):
    key = api_key(WOLVERHAMPTON)
    assert save_mapping(web, key, code="E08000003").status_code == 403
    assert web.get("/api/v1/authorities/E08000003/feed-mapping", headers=bearer(key)).status_code == 403
    refused = save_mapping(web, key, {"columns": {"Surname": "surname", "Last Name": "surname"}})
    assert refused.status_code == 400
    assert "'Surname' and 'Last Name' are both mapped to surname" in refused.json["errors"][0]["message"]
    assert web.get(f"/api/v1/authorities/{WOLVERHAMPTON}/feed-mapping", headers=bearer(key)).json["columns"] == {}
    assert save_mapping(web, api_key(None)).status_code == 200  # the operator may set it for the authority


def test_a_dry_run_answers_what_the_feed_would_do_and_changes_nothing(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    save_mapping(web, key)
    post_and_apply(crosscheck, web, key, council_csv(council_rows(10)))
    shorter = council_csv(council_rows(5) + [["W0099", "Minicab", "Current", "1/4/2024", "1/4/2027", "KHAN",
                                             "Imran", "17/05/1980", "WV1 1AA", ""]])
    response = web.post("/api/v1/feeds/licences?dry_run=true", data=shorter,
                        headers={**bearer(key), "Content-Type": "text/csv"})
    assert response.status_code == 200
    answer = response.json
    assert answer["outcome"] == "needs_confirmation" and "would end 5" in answer["message"]
    assert answer["counts"] == {"added": 0, "changed": 0, "unchanged": 5, "ended": 5, "rejected": 1}
    first = answer["problems"][0]
    assert (first["row"], first["field"]) == (6, "licence_type") and "'Minicab'" in first["message"]
    assert len(live_licences(crosscheck)) == 10
    with crosscheck.unit_of_work(write=False) as uow:
        assert len(uow.session.execute(select(Feed.id)).all()) == 1


def test_a_workbook_arrives_as_its_own_type_or_as_a_file_upload_and_is_read_like_csv(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    save_mapping(web, key)
    body = workbook(HEADERS, *council_rows(4))
    as_body = post_and_apply(crosscheck, web, key, body, content_type=XLSX)
    assert as_body["status"] == "applied" and as_body["counts"]["added"] == 4
    upload = web.post("/api/v1/feeds/licences", headers=bearer(key),
                      data={"file": (io.BytesIO(workbook(HEADERS, *council_rows(5))), "register.xlsx")},
                      content_type="multipart/form-data")
    assert upload.status_code == 202
    feeds.apply_pending_feeds(crosscheck)
    assert web.get(upload.headers["Location"], headers=bearer(key)).json["counts"]["added"] == 1
    csv_upload = web.post("/api/v1/feeds/licences", headers=bearer(key), content_type="multipart/form-data",
                          data={"file": (io.BytesIO(council_csv(council_rows(5))), "register.csv")})
    assert csv_upload.status_code == 202
    empty_form = web.post("/api/v1/feeds/licences", headers=bearer(key), data={"note": "x"},
                          content_type="multipart/form-data")
    assert empty_form.status_code == 400 and "curl -F file=@register.csv" in empty_form.json["errors"][0]["message"]


def test_bytes_that_are_not_what_their_content_type_says_are_answered_at_once(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    answer = post(web, key, workbook(HEADERS, *council_rows(1)), "text/csv")
    assert answer.status_code == 415
    assert f"is an Excel workbook (.xlsx); send it with Content-Type: {XLSX}" in answer.json["errors"][0]["message"]
    answer = post(web, key, b'{"licences": []}', "text/csv")
    assert answer.status_code == 415 and "application/json" in answer.json["errors"][0]["message"]
    with crosscheck.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(Feed.id)).first() is None


def test_the_templates_give_the_columns_an_example_row_and_notes(web, api_key):
    key = api_key(WOLVERHAMPTON)
    template = web.get("/api/v1/feeds/template.csv", headers=bearer(key))
    header, example = template.data.decode().splitlines()
    assert header.startswith("licence_number,licence_type,status") and example.startswith("PH/2024/0001")
    book = load_workbook(io.BytesIO(web.get("/api/v1/feeds/template.xlsx", headers=bearer(key)).data))
    assert book.sheetnames == ["Licences", "Notes"]
    assert [cell.value for cell in book["Licences"][1]][:3] == ["licence_number", "licence_type", "status"]
    assert any("feed mapping" in str(row[0].value) for row in book["Notes"].iter_rows())
    # The template, sent back as it is, is a valid feed of one licence.
    answer = web.post("/api/v1/feeds/licences?dry_run=true", data=template.data,
                      headers={**bearer(key), "Content-Type": "text/csv"})
    assert answer.json["counts"]["added"] == 1 and answer.json["problem_count"] == 0


def test_a_pulled_feed_is_read_through_the_mapping(crosscheck, web, api_key, bolton_publishes):  # noqa: F811
    save_mapping(web, api_key(BOLTON), code=BOLTON)
    bolton_publishes.body = workbook(HEADERS, *council_rows(2))
    bolton_publishes.content_type = "application/octet-stream"
    assert pull(crosscheck) == {BOLTON: "received"}
    [outcome] = feeds.apply_pending_feeds(crosscheck)
    assert outcome.status == "applied"
    with crosscheck.unit_of_work(write=False) as uow:
        assert len(uow.session.execute(select(Licence.id).where(Licence.authority_code == BOLTON)).all()) == 2


def test_the_command_line_saves_a_mapping_and_dry_runs_a_workbook(crosscheck, run, tmp_path):  # noqa: F811
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING))
    saved = run("set-feed-mapping", "e08000031", str(mapping))
    assert saved.exit_code == 0 and "4 column names, 1 codes" in saved.output
    register = tmp_path / "register.xlsx"
    register.write_bytes(workbook(HEADERS, *council_rows(3)))
    dry = run("import-feed", WOLVERHAMPTON, str(register), "--dry-run")
    assert dry.exit_code == 0 and "would be applied — added 3" in dry.output
    assert "Values interpreted: date_of_birth 3, licence_type 3, status 3" in dry.output
    with crosscheck.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(Licence.id)).first() is None
    mapping.write_text(json.dumps({"columns": {"A": "surname", "B": "surname"}}))
    refused = run("set-feed-mapping", WOLVERHAMPTON, str(mapping))
    assert refused.exit_code == 2 and "both mapped to surname" in refused.output


def test_a_feed_that_would_be_rejected_dry_runs_as_rejected(web, api_key):
    answer = web.post("/api/v1/feeds/licences?dry_run=true", data=council_csv(council_rows(2)),
                      headers={**bearer(api_key(WOLVERHAMPTON)), "Content-Type": "text/csv"}).json
    assert answer["outcome"] == "rejected" and "'DOB' looks like date_of_birth" in answer["message"]


def test_the_same_file_is_read_again_once_the_mapping_that_reads_it_changes(crosscheck, web, api_key):
    key = api_key(WOLVERHAMPTON)
    save_mapping(web, key)
    body = council_csv(council_rows(4))
    assert post_and_apply(crosscheck, web, key, body)["counts"]["added"] == 4
    save_mapping(web, key, {**MAPPING, "values": {"status": {"Current": "suspended"}}})
    again = post_and_apply(crosscheck, web, key, body)
    assert again["message"] is None
    assert again["counts"] == {"added": 0, "changed": 4, "unchanged": 0, "ended": 0, "rejected": 0}
    assert {licence.status for licence in live_licences(crosscheck).values()} == {"suspended"}
