"""The findings pages at national scale: ranked by what is at stake, out-of-area findings counted
per other authority, a CSV export that is audited, and what to do next — on both databases."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select, update

from licensing.store.findings import Finding
from licensing.store.models import AuditEvent
from tests.integration.pages.register import (
    BOLTON, MANCHESTER, WOLVERHAMPTON, email_of, load_out_of_area, load_register, sign_in,
)


@pytest.fixture
def manchester(crosscheck, web):
    """Manchester's enforcement officer, signed in."""
    load_register(crosscheck)
    load_out_of_area(crosscheck)
    assert sign_in(web, email_of("enforcement_officer", MANCHESTER)).status_code == 302
    return web


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_out_of_area_findings_are_one_row_per_other_authority_ranked_by_stake(manchester):
    body = text_of(manchester.get("/findings"))
    groups = body[body.index("by the other authority concerned"):body.index("Other findings")]
    # Wolverhampton first: it licenses Tariq, whom Manchester (where he lives) revoked.
    assert groups.index("City of Wolverhampton Council") < groups.index("Bolton")
    assert "Refused or revoked where they live" in groups
    assert "MAHMOOD" not in body.upper() and "BIBI" not in body.upper()
    # Out-of-area findings are not also listed one by one; the adverse one is.
    rows = body[body.index("Other findings"):]
    assert "Revoked or suspended elsewhere" in rows and "Licensed out of area</a>" not in rows
    assert "4 findings, most at stake first" in body


def test_a_group_row_opens_its_findings_most_at_stake_first(manchester):
    body = text_of(manchester.get("/findings"))
    link = f"/findings?type=out_of_area&amp;authority={WOLVERHAMPTON}"
    assert link in body
    group = text_of(manchester.get(link.replace("&amp;", "&")))
    assert "Shared with City of Wolverhampton Council" in group
    assert "2 findings shared with City of Wolverhampton Council" in group
    rows = group[group.index("<tbody"):].split("</tr>")[:2]
    # Tariq's (opened first, but at stake) ranks above Salma's (newer, nothing against her).
    tariq, salma = (int(re.search(r'href="/findings/(\d+)"', row).group(1)) for row in rows)
    assert tariq < salma
    assert "Refused or revoked where they live" in rows[0] and "<strong>" not in rows[1]
    assert "Bolton" not in group[group.index("<tbody"):]


def test_the_list_and_each_finding_say_what_to_do_next(manchester):
    body = text_of(manchester.get("/findings"))
    assert "What to do next for each type of finding" in body
    assert "Ask the deciding authority for its reasons" in body and "Note where the driver lives" in body
    with manchester.application.extensions["crosscheck"].unit_of_work(write=False) as uow:
        finding = uow.session.execute(select(Finding.id).where(Finding.type == "out_of_area")).scalars().first()
    page = text_of(manchester.get(f"/findings/{finding}"))
    assert "What to do next: Note where the driver lives" in page and "What is at stake" in page


def test_the_csv_export_is_ranked_safe_for_spreadsheets_and_audited(crosscheck, manchester):
    with crosscheck.unit_of_work() as uow:
        uow.session.execute(update(Finding).where(Finding.type == "out_of_area")
                            .values(summary="=HYPERLINK(\"http://evil.example\")"))
        uow.commit()
    page = text_of(manchester.get(f"/findings?type=out_of_area&authority={WOLVERHAMPTON}"))
    assert f'href="/findings/export.csv?type=out_of_area&amp;authority={WOLVERHAMPTON}"' in page
    response = manchester.get(f"/findings/export.csv?type=out_of_area&authority={WOLVERHAMPTON}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(text_of(response))))
    assert rows[0][:4] == ["Finding", "Type", "What is at stake", "Your status"]
    assert len(rows) == 3 and all(row[1] == "Licensed out of area" for row in rows[1:])
    assert "Refused or revoked where they live" in rows[1][2] and rows[2][2] == ""
    assert all(row[4].startswith("'=") for row in rows[1:])  # a formula is shown as text
    assert "W1" not in text_of(response) and "MAHMOOD" not in text_of(response).upper()
    with crosscheck.unit_of_work(write=False) as uow:
        event = uow.session.execute(select(AuditEvent).where(AuditEvent.kind == "findings_export")).scalar_one()
    assert event.authority_code == MANCHESTER and event.actor_kind == "officer"
    assert event.query["authority"] == WOLVERHAMPTON and event.query["type"] == ["out_of_area"]
    assert [shown["finding_id"] for shown in event.shown] == [int(row[0]) for row in rows[1:]]


def test_the_export_holds_only_the_officers_own_authoritys_findings(crosscheck, web):
    load_register(crosscheck)
    load_out_of_area(crosscheck)
    sign_in(web, email_of("enforcement_officer", BOLTON))
    rows = list(csv.reader(io.StringIO(text_of(web.get("/findings/export.csv")))))
    # Bolton licenses Owen, who lives in Manchester: that one finding, nothing of Wolverhampton's.
    assert [row[1] for row in rows[1:]] == ["Licensed out of area"]
    assert "Wolverhampton" not in "".join(rows[1])
