"""The answers export: a pseudonymised, formula-safe CSV with themes, streamed and audit-logged."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlmodel import select

from bot.channels.addresses import parse_address
from bot.core.inbound import InboundMessage
from bot.runtime.container import Container
from bot.store.exports import COLUMNS, defuse
from bot.store.models import Answer, AnswerTheme, AuditEvent, Participant, Theme
from tests.admin.conftest import TO_HOPES, post_form, talk
from tests.helpers import new_sid

NUMBERS = ("+447700900123", "+447700900456")


@pytest.fixture
def answers(seed: Callable[..., None], admin_services: Container) -> None:
    """Two residents' answers; one hope tagged with two themes and flagged; a test resident."""
    seed(NUMBERS[0], partner="LIB1", hope="Warm homes", fear='=HYPERLINK("http://x")')
    seed(NUMBERS[1], hope="-Lower bills, fewer worries")
    test = InboundMessage(new_sid(), parse_address("+447700900999"), "hi")
    admin_services.inbound.receive(test, is_test=True)
    talk(admin_services, "+447700900999", *TO_HOPES[1:], "A test hope")
    with admin_services.db.session() as session:
        hope = session.exec(select(Answer).where(Answer.kind == "hope")).first()
        assert hope is not None
        hope.significant = True
        for name in ("Privacy", "Cost"):
            theme = Theme(name=name)
            session.add(theme)
            session.flush()
            session.add(AnswerTheme(answer_id=hope.id, theme_id=theme.id))


@pytest.fixture
def officer(sign_in: Callable[[str], FlaskClient]) -> FlaskClient:
    return sign_in("officer")


def download(client: FlaskClient, data: dict[str, str] | None = None):
    return post_form(client, "/admin/export", data or {})


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so Excel reads Welsh letters as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def exports_logged(services: Container) -> list[AuditEvent]:
    with services.db.session() as session:
        return list(
            session.exec(select(AuditEvent).where(AuditEvent.action == "export_downloaded"))
        )


def test_anonymous_visitors_are_sent_to_sign_in(admin_app) -> None:
    response = admin_app.test_client().get("/admin/export")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/sign-in")


def test_partners_cannot_export(sign_in, answers) -> None:
    partner = sign_in("partner")
    assert partner.get("/admin/export").status_code == 403
    assert post_form(partner, "/admin/export", {}, token_from="/admin/sign-in").status_code == 403


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_the_form_offers_flow_kinds_and_dates(sign_in, role: str) -> None:
    page = sign_in(role).get("/admin/export").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "Export answers" in page
    assert 'name="flow"' in page
    assert "Energy data" in page
    assert page.count('name="kinds"') == 8
    assert 'name="from-day"' in page
    assert 'name="to-year"' in page
    assert 'name="csrf_token"' in page
    assert "Download CSV" in page


def test_the_csv_is_pseudonymised_with_themes(officer, answers, admin_services) -> None:
    response = download(officer)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="sgwrs-answers-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    assert response.is_streamed
    text = response.get_data(as_text=True)
    for number in NUMBERS:
        assert number not in text
        assert number[-6:] not in text
    rows = read_csv(response)
    assert tuple(rows[0]) == COLUMNS
    assert "A test hope" not in text  # test residents are left out
    assert len({row["participant"] for row in rows}) == 2
    hope = next(row for row in rows if row["answer_text"] == "Warm homes")
    assert hope["themes"] == "Cost;Privacy"
    assert hope["significant"] == "yes"
    assert (hope["kind"], hope["flow"], hope["step"]) == ("hope", "energy-data", "hopes")
    assert (hope["language"], hope["channel"], hope["partner"]) == ("en", "sms", "LIB1")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", hope["date"])
    first = [row for row in rows if row["participant"] == hope["participant"]]
    assert {row["kind"] for row in first} >= {"hope", "fear", "feedback", "choice"}
    assert {row["value"] for row in first if row["kind"] == "choice"} == {"yes"}


def test_ids_differ_between_exports(officer, answers) -> None:
    first = {row["answer_text"]: row["participant"] for row in read_csv(download(officer))}
    second = {row["answer_text"]: row["participant"] for row in read_csv(download(officer))}
    assert first.keys() == second.keys()
    assert not set(first.values()) & set(second.values())


def test_cells_that_look_like_formulas_are_defused(officer, answers) -> None:
    texts = {row["answer_text"] for row in read_csv(download(officer))}
    assert '\'=HYPERLINK("http://x")' in texts
    assert "'-Lower bills, fewer worries" in texts
    assert [defuse(cell) for cell in ("=1", "+1", "-1", "@SUM", "ok", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@SUM",
        "ok",
        "",
    ]


ISSUE_CELL = "ok;=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    "cell",
    [ISSUE_CELL, "fine,=1+1", "a\t=1", "line one\n=HYPERLINK(1)", "x;+1", "x;@SUM(A1)", "\tok"],
)
def test_a_formula_after_a_separator_inside_a_cell_is_defused(cell: str) -> None:
    """Opened with another separator (a semicolon in much of Europe), the part after it would
    start a cell of its own, so it is defused like a cell that starts with a formula."""
    assert defuse(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Warm homes, lower bills", "5 - 3", "a;b", "me@example", ""])
def test_ordinary_words_are_left_as_they_are(cell: str) -> None:
    assert defuse(cell) == cell


def test_the_issue_s_cell_arrives_defused_in_the_download(
    seed, officer, admin_services: Container
) -> None:
    seed("+447700900777", hope=ISSUE_CELL)
    texts = {row["answer_text"] for row in read_csv(download(officer))}
    assert "'" + ISSUE_CELL in texts
    assert ISSUE_CELL not in texts


def test_filters_choose_the_answers(officer, answers) -> None:
    rows = read_csv(download(officer, {"kinds": "hope"}))
    assert sorted(row["answer_text"] for row in rows) == [
        "'-Lower bills, fewer worries",
        "Warm homes",
    ]
    rows = read_csv(download(officer, {"flow": "welcome"}))
    assert rows == []
    rows = read_csv(download(officer, {"from-day": "1", "from-month": "1", "from-year": "2000"}))
    assert len(rows) > 2


def test_every_download_is_audit_logged(officer, answers, admin_services) -> None:
    rows = read_csv(download(officer, {"kinds": "fear", "flow": "energy-data"}))
    [logged] = exports_logged(admin_services)
    assert logged.target == "answers"
    assert "flow=energy-data" in logged.detail
    assert "kinds=fear" in logged.detail
    assert f"rows={len(rows)}" in logged.detail
    assert len(rows) == 2
    assert not any(number in logged.detail for number in NUMBERS)


def test_a_bad_date_is_an_error_not_a_download(officer, answers, admin_services) -> None:
    response = download(officer, {"to-day": "30", "to-month": "2", "to-year": "2025"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "There is a problem" in page
    assert "The end date must be a real date" in page
    assert 'value="30"' in page  # what was typed is kept
    assert exports_logged(admin_services) == []


def test_exporting_without_a_csrf_token_fails(officer, answers, admin_services) -> None:
    response = officer.post("/admin/export", data={"flow": ""})
    assert response.status_code == 400
    assert exports_logged(admin_services) == []


def test_a_large_export_streams_in_batches(officer, admin_services) -> None:
    """1,200 answers from 300 residents: more than two batches, each resident's id held."""
    sealed_number = admin_services.vault.seal("+447700900111")
    sealed_text = admin_services.vault.seal("Words")
    with admin_services.db.session() as session:
        session.execute(
            insert(Participant),
            [
                {"id": pid, "channel": "sms", "number_hash": f"h{pid}", "state": {}}
                | {"number_encrypted": sealed_number, "language": "cy"}
                for pid in range(1, 301)
            ],
        )
        session.execute(
            insert(Answer),
            [
                {"participant_id": 1 + n % 300, "flow_id": "energy-data", "step_id": "hopes"}
                | {"kind": "hope", "text_encrypted": sealed_text}
                for n in range(1200)
            ],
        )
    rows = read_csv(download(officer))
    assert len(rows) == 1200
    assert len({row["participant"] for row in rows}) == 300
    assert "rows=1200" in exports_logged(admin_services)[0].detail
