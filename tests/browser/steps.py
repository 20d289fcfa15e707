"""Steps that several journeys take the same way."""

from __future__ import annotations


def search_for_tariq(trip):
    """On the search page: an enforcement search for Tariq Mahmood, born 15 March 1979."""
    page = trip.page
    page.check("input[name=reason][value=enforcement]")
    page.fill("#surname", "Mahmood")
    page.fill("#forenames", "Tariq")
    page.fill("#date_of_birth-day", "15")
    page.fill("#date_of_birth-month", "3")
    page.fill("#date_of_birth-year", "1979")
    page.click("button:has-text('Search')")
    trip.check("search-results")
    return page
