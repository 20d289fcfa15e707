"""The daily digest summarises: counts by type and by authority, what is new, and the few most
at stake with links; a few kilobytes however many findings an authority has."""

from collections import Counter
from datetime import datetime, timedelta, timezone

from licensing.findings.ranking import ADVERSE, REFUSED_AT_HOME
from licensing.services.digest import AUTHORITIES_LISTED, DigestSummary, Highlight, compose

BASE = "https://crosscheck.example"
MONDAY = datetime(2026, 11, 30, 7, tzinfo=timezone.utc)


def summary(**changes) -> DigestSummary:
    values = dict(
        authority_name="Manchester City Council", since=MONDAY - timedelta(days=1),
        new={"out_of_area": Counter(opened=120, updated=3), "multiple_licences": Counter(reopened=1)},
        open_by_type={"out_of_area": 9800, "multiple_licences": 200},
        open_by_authority=[("E08000031", "City of Wolverhampton Council", 9000), ("E08000001", "Bolton Council", 1000)],
        open_total=10000,
        highlights=[
            Highlight(7, "out_of_area", "Lives in Manchester's area; licensed by Bolton", 0, MONDAY, ["Bolton: record 7"]),
            Highlight(3, "out_of_area", "Lives in Manchester's area; licensed by Wolverhampton",
                      ADVERSE | REFUSED_AT_HOME, MONDAY - timedelta(days=90), ["Wolverhampton: record 3"]),
        ])
    return DigestSummary(**{**values, **changes})


def test_the_digest_counts_by_type_and_authority_and_says_what_is_new():
    subject, body = compose(summary(), base=BASE)
    assert subject == ("Crosscheck daily digest: 124 new or changed, 10,000 open for Manchester City Council")
    assert "New or changed since the last digest (29 November 2026 at 07:00): 124" in body
    assert "- Licensed out of area: 120 opened, 3 updated" in body
    assert "- Licensed in several places: 1 reopened" in body
    assert "- Licensed out of area: 9,800" in body and "- City of Wolverhampton Council: 9,000" in body
    assert f"{BASE}/findings?authority=E08000031" in body and f"{BASE}/findings?type=out_of_area" in body


def test_each_type_says_what_to_do_next():
    _, body = compose(summary(), base=BASE)
    assert "Note where the driver lives" in body and "Check the driver told you of the other licences" in body


def test_the_highest_ranked_come_first_with_why_and_a_link():
    _, body = compose(summary(), base=BASE)
    top = body[body.index("Most at stake (2 of 10,000):"):]
    assert top.index(f"{BASE}/findings/3") < top.index(f"{BASE}/findings/7")
    assert "Ranked high: Adverse decision or concern; Refused or revoked where they live" in top
    assert "Wolverhampton: record 3" in top


def test_a_national_scale_digest_stays_small():
    authorities = [(f"E0{n:07d}", f"Authority {n}", 10000 // 300) for n in range(300)]
    highlights = [Highlight(n, "out_of_area", "Lives in Manchester's area; licensed by Authority 1", 0,
                            MONDAY, ["Authority 1: private hire driver licence, record 1, active; ask x@y.example"])
                  for n in range(10)]
    _, body = compose(summary(open_by_authority=authorities, highlights=highlights), base=BASE)
    assert len(body.encode()) < 10_000
    assert f"- and {300 - AUTHORITIES_LISTED} more authorities" in body


def test_a_first_digest_has_no_previous_date():
    _, body = compose(summary(since=None), base=BASE)
    assert "New or changed since the last digest: 124" in body
