"""The officers' main journeys in a real browser, each page checked for accessibility."""

from __future__ import annotations

import re

import requests

from licensing.services import pipeline
from tests.browser.steps import search_for_tariq
from tests.feeds import feed
from tests.integration.pages.register import (
    BOLTON, PASSWORD, TARIQ_WOLVERHAMPTON, WOLVERHAMPTON, email_of,
)

BOLTON_ROWS = [f"B{n},private_hire_driver,active,2024-01-01,2027-01-01,JONES{chr(65 + n)},Alex,1980-01-{n + 1:02d},,,"
               f"{n} Deansgate,BL1 1AA" for n in range(20)]
BAD_ROW = "B99,private_hire_driver,active,2024-13-45,2027-01-01,SMITH,Jo,1981-02-03,,,1 Deansgate,BL1 1AA"


def test_signing_in_fails_with_a_wrong_password_then_succeeds_and_signing_out_ends_it(journey):
    trip = journey("sign-in")
    page = trip.sign_in(email_of("enforcement_officer", WOLVERHAMPTON), "not my password")
    trip.check("wrong-password")
    assert page.locator(".govuk-error-summary").inner_text().startswith("There is a problem")
    assert page.title().startswith("Error:")
    page = trip.sign_in(email_of("enforcement_officer", WOLVERHAMPTON), PASSWORD)
    trip.check("signed-in")
    assert page.locator("h1").inner_text() == "Findings"
    page.click("button:has-text('Sign out')")
    trip.check("signed-out")
    trip.go("/findings", "after-sign-out")
    assert page.locator("h1").inner_text() == "Sign in to Crosscheck"


def test_a_licensing_officer_searches_and_opens_a_person(journey):
    trip = journey("search")
    trip.sign_in(email_of("licensing_officer", WOLVERHAMPTON), PASSWORD)
    page = trip.check("search-form")
    page.click("button:has-text('Search')")
    trip.check("search-errors")
    assert "Select why you are searching" in page.locator(".govuk-error-summary").inner_text()
    search_for_tariq(trip)
    assert "/search" == page.url.removeprefix(trip.base_url)  # the results have no address of their own
    assert "Why this matched" in page.content()
    page.click("text=Open this person")
    trip.check("person")
    assert "Tariq MAHMOOD" in page.locator("h1").inner_text()
    assert "Manchester" in page.locator("table").inner_text()


def test_a_licensing_officer_opens_the_identity_reviews_from_the_menu(journey):
    trip = journey("identity-reviews")
    page = trip.sign_in(email_of("licensing_officer", WOLVERHAMPTON), PASSWORD)
    page.click("a:has-text('Identity reviews')")
    trip.check("identity-reviews")
    assert page.locator("h1").inner_text() == "Identity reviews"


def test_an_enforcement_officer_on_a_phone_acknowledges_then_actions_a_finding(journey, served):
    trip = journey("finding", phone=True)
    trip.sign_in(email_of("enforcement_officer", WOLVERHAMPTON), PASSWORD)
    page = trip.check("findings")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.check("#type")  # the first type: revoked or suspended elsewhere
    page.click("button:has-text('Apply filters')")
    trip.check("findings-filtered")
    page.click("table a")
    trip.check("finding")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.check("input[value=acknowledge]")
    page.click("button:has-text('Save')")
    trip.check("acknowledged")
    assert "You have acknowledged this finding" in page.content()
    page.check("input[value=action]")
    page.click("button:has-text('Save')")
    trip.check("action-without-reason")
    assert "Say what was done" in page.locator(".govuk-error-summary").inner_text()
    page.fill("#reason", "Asked Manchester for its reasons; licence suspended pending review")
    page.click("button:has-text('Save')")
    trip.check("actioned")
    assert "Actioned" in page.locator(".govuk-summary-list").inner_text()


def test_an_admin_uploads_a_feed_with_errors_reads_them_then_confirms_a_held_feed(journey, served, tmp_path):
    trip = journey("feeds")
    trip.sign_in(email_of("authority_admin", BOLTON), PASSWORD)
    page = trip.check("feeds")
    page.click("text=Upload your register")
    trip.check("upload")
    page.click("button:has-text('Upload')")
    trip.check("upload-nothing-chosen")
    register = tmp_path / "register.csv"
    register.write_bytes(feed(*BOLTON_ROWS, BAD_ROW))
    page.set_input_files("#register", register)
    page.click("button:has-text('Upload')")
    trip.check("received")
    pipeline.process_feeds(served.crosscheck)  # what the jobs worker does every few seconds
    page.reload()
    trip.check("applied-with-errors")
    assert "Rows rejected" in page.content() and "21" in page.locator("table").first.inner_text()
    short = tmp_path / "short.csv"
    short.write_bytes(feed(*BOLTON_ROWS[:2]))
    trip.go("/feeds/upload", "upload-again")
    page.set_input_files("#register", short)
    page.click("button:has-text('Upload')")
    pipeline.process_feeds(served.crosscheck)
    page.reload()
    trip.check("held")
    page.click("button:has-text('Confirm and apply this feed')")
    trip.check("confirmed")
    pipeline.process_feeds(served.crosscheck)
    page.reload()
    trip.check("applied-after-confirmation")
    summary = page.locator(".govuk-summary-list").inner_text()
    assert "Applied" in summary and re.search(r"Ended\s+18", summary)


def test_an_admin_creates_an_api_key_that_works_and_revokes_it(journey, served):
    trip = journey("api-keys")
    trip.sign_in(email_of("authority_admin", WOLVERHAMPTON), PASSWORD)
    page = trip.go("/api-keys", "keys")
    page.fill("#label", "Licensing system nightly export")
    page.click("button:has-text('Create key')")
    trip.check("new-key")
    key = page.locator("#new-key").inner_text().strip()
    assert re.fullmatch(r"cc_[0-9a-f]{12}_\S+", key)
    licences = f"{served.url}/api/v1/licences"
    assert requests.get(licences, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 200
    trip.go("/api-keys/new", "key-not-shown-twice")
    assert key not in page.content()
    page.click("button:has-text('Revoke')")
    trip.check("revoked")
    assert requests.get(licences, headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code == 401


def test_an_admin_creates_a_user_who_then_signs_in(journey):
    trip = journey("users")
    trip.sign_in(email_of("authority_admin", WOLVERHAMPTON), PASSWORD)
    page = trip.go("/users", "users")
    page.click("text=Add a user")
    trip.check("new-user")
    page.fill("#name", "Robin New")
    page.fill("#email", "robin.new@wolverhampton.example")
    page.check("input[value=licensing_officer]")
    page.fill("#password", "short")
    page.click("button:has-text('Add user')")
    trip.check("new-user-errors")
    assert "at least 12" in page.locator(".govuk-error-summary").inner_text()
    page.fill("#password", "robin's first pass phrase")
    page.click("button:has-text('Add user')")
    trip.check("user-added")
    assert "Robin New" in page.locator("table").inner_text()
    page.get_by_role("link", name="New password for Robin New").click()
    trip.check("new-password-form")
    assert page.locator("h1").inner_text() == "Set a new password for Robin New"

    newcomer = journey("new-user")
    page = newcomer.sign_in("robin.new@wolverhampton.example", "robin's first pass phrase")
    newcomer.check("signed-in")
    assert page.locator("h1").inner_text() == "Search for a driver"


def test_the_operator_sees_the_service_status(journey):
    trip = journey("operator")
    trip.sign_in(email_of("operator", None), PASSWORD)
    page = trip.check("status")
    assert "Feed freshness by authority" in page.content() and "MAHMOOD" not in page.content().upper()
    # The licence number of a driver never appears on the operator's page.
    assert TARIQ_WOLVERHAMPTON.split(",")[0] + "," not in page.content()
