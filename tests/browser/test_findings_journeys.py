"""Findings at national scale and the admin's checks in a real browser, each page state checked
for accessibility: an enforcement officer works out-of-area findings by authority, most at stake
first, and downloads them; an admin checks a file with a dry run and reads the feed mapping."""

from __future__ import annotations

import csv
import io

import pytest

from licensing.actors import Actor
from licensing.services.feed_mappings import save_feed_mapping
from tests.feeds import feed
from tests.integration.pages.register import (
    BOLTON, MANCHESTER, PASSWORD, cheap_password_hashing, email_of, load_out_of_area,
)

GOOD_ROW = "B1,private_hire_driver,active,2024-01-01,2027-01-01,JONES,Alex,1980-01-01,,,1 Deansgate,BL1 1AA"
BAD_ROW = "B99,private_hire_driver,active,2024-13-45,2027-01-01,SMITH,Jo,1981-02-03,,,1 Deansgate,BL1 1AA"


@pytest.fixture(scope="module", autouse=True)
def out_of_area(served):
    with cheap_password_hashing():
        load_out_of_area(served.crosscheck)


def test_an_enforcement_officer_works_out_of_area_findings_by_authority_and_downloads_them(journey):
    trip = journey("out-of-area", phone=True)
    trip.sign_in(email_of("enforcement_officer", MANCHESTER), PASSWORD)
    page = trip.check("findings-grouped")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    groups = page.locator("table").first.inner_text()
    assert groups.index("City of Wolverhampton Council") < groups.index("Bolton")
    page.click("text=What to do next for each type of finding")
    trip.check("next-steps-open")
    assert page.locator("text=Note where the driver lives").first.is_visible()
    page.click("table a:has-text('City of Wolverhampton Council')")
    trip.check("one-authority")
    assert "Shared with City of Wolverhampton Council" in page.locator(".govuk-caption-l").inner_text()
    first_row = page.locator("tbody tr").first.inner_text()
    assert "Refused or revoked where they live" in first_row
    assert "authority=E08000031" in page.url and "MAHMOOD" not in page.url.upper()
    with page.expect_download() as downloading:
        page.click("text=Download these findings as a CSV file")
    rows = list(csv.reader(io.StringIO(open(downloading.value.path(), encoding="utf-8").read())))
    assert rows[0][0] == "Finding" and len(rows) == 3
    assert "Refused or revoked where they live" in rows[1][2]
    page.click("tbody tr >> nth=0 >> a")
    trip.check("finding")
    assert "What to do next: Note where the driver lives" in page.content()
    page.click("text=All findings")
    trip.check("back-to-all")


def test_an_admin_checks_a_file_with_a_dry_run_then_reads_the_feed_mapping(journey, served, tmp_path):
    trip = journey("dry-run")
    trip.sign_in(email_of("authority_admin", BOLTON), PASSWORD)
    page = trip.check("feeds")
    page.click("text=Upload your register")
    trip.check("upload")
    page.click("button:has-text('Check the file without applying it')")
    trip.check("check-nothing-chosen")
    assert "Select your register file" in page.locator(".govuk-error-summary").inner_text()
    register = tmp_path / "register.csv"
    register.write_bytes(feed(GOOD_ROW, BAD_ROW))
    page.set_input_files("#register", register)
    page.click("button:has-text('Check the file without applying it')")
    trip.check("checked")
    assert "What register.csv would do" in page.locator("h1").inner_text()
    assert "held for you to confirm" in page.locator(".govuk-summary-list").inner_text()
    assert "not a real calendar date" in page.locator("table").first.inner_text()
    assert page.url.endswith("/feeds/upload")
    trip.go("/feeds", "feeds-unchanged")
    assert page.locator("tbody tr").count() == 1  # only the feed Bolton sent before: the check kept nothing
    page.click("text=Your feed mapping")
    trip.check("no-mapping")
    assert "has not saved a feed mapping" in page.content()
    with served.crosscheck.unit_of_work() as uow:
        save_feed_mapping(uow, Actor.service(), BOLTON, {"columns": {"Badge No": "licence_number"},
                                                         "values": {"status": {"Current": "active"}}})
    page.reload()
    trip.check("mapping")
    assert "Badge No" in page.locator("table").first.inner_text()
