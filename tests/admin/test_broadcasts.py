"""You said, we did: compose in both languages, preview counts and cost, send, pause, resume."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import select

from bot.channels.sms import segment_info
from bot.runtime.container import Container
from bot.store.models import AuditEvent, Broadcast, OutboxMessage, Participant
from tests.admin.conftest import TO_HOPES, form_fields, post_form, talk
from tests.conftest import copy_sqlite, make_container
from tests.helpers import count_queries

WELSH = "Diolch. Rydyn ni wedi penderfynu bwrw ymlaen yn ofalus. Bydd tîm bach yn gweld y data."
ENGLISH = "Thank you. We decided to go ahead, carefully. Only a small team will see the data."
GETS = ["/admin/broadcasts"]
POSTS = [
    "/admin/broadcasts/preview",
    "/admin/broadcasts/send",
    "/admin/broadcasts/1/pause",
    "/admin/broadcasts/1/resume",
]


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """Two English and one Welsh resident who asked to hear back, and one who did not."""
    path = tmp_path_factory.mktemp("broadcasts") / "seeded.db"
    shutil.copy(sqlite_template, path)
    services = make_container(f"sqlite:///{path}")
    answers = ("Warm", "Spying", "None")
    talk(services, "+447700900401", "LIB1", *TO_HOPES[1:], *answers, "no", "1")
    talk(services, "+447700900402", "hi", *TO_HOPES[1:], *answers, "no", "1")
    talk(services, "+447700900403", "hi", "1", *TO_HOPES[2:], "Cynnes", "Ysbio", "Dim", "na", "1")
    talk(services, "+447700900404", "hi", *TO_HOPES[1:], *answers, "no", "2")
    with services.db.session() as session:
        hearing = session.exec(select(Participant.language).where(Participant.hear_back)).all()
        assert sorted(hearing) == ["cy", "en", "en"], "three residents must want to hear back"
    services.db.engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, seeded_template: Path) -> str:
    return copy_sqlite(seeded_template, tmp_path)


def compose(**changes: str) -> dict[str, str]:
    return {"flow": "energy-data", "body_cy": WELSH, "body_en": ENGLISH, **changes}


def send(client: FlaskClient, **changes: str):
    """Preview, then send from the preview's form (its one-time token), with `changes`."""
    figures = {"confirm_recipients": "3", "confirm_segments": "4"}
    preview = post_form(
        client, "/admin/broadcasts/preview", compose(), token_from="/admin/broadcasts"
    ).get_data(as_text=True)
    form = form_fields(preview, "/admin/broadcasts/send")
    return client.post("/admin/broadcasts/send", data={**form, **compose(), **figures, **changes})


def broadcasts(services: Container) -> list[Broadcast]:
    with services.db.session() as session:
        return list(session.exec(select(Broadcast)))


def audit_actions(services: Container) -> list[str]:
    with services.db.session() as session:
        return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)))


# -- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", GETS + POSTS)
def test_anonymous_visitors_are_sent_to_sign_in(admin_app, path: str) -> None:
    client = admin_app.test_client()
    if path in GETS:
        response = client.get(path)
    else:
        response = post_form(client, path, compose(), token_from="/admin/sign-in")
    assert response.status_code == 302
    assert "/admin/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("path", GETS + POSTS)
def test_partners_may_not_broadcast(sign_in, admin_services, path: str) -> None:
    client = sign_in("partner")
    if path in GETS:
        response = client.get(path)
    else:
        response = post_form(client, path, compose(), token_from="/admin/sign-in")
    assert response.status_code == 403
    assert broadcasts(admin_services) == []


@pytest.mark.parametrize("path", POSTS)
def test_every_post_needs_a_csrf_token(sign_in, admin_services, path: str) -> None:
    response = sign_in("officer").post(path, data=compose())
    assert response.status_code == 400
    assert broadcasts(admin_services) == []


# -- compose and preview ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_the_page_offers_a_flow_and_a_box_for_each_language(sign_in, role: str) -> None:
    response = sign_in(role).get("/admin/broadcasts")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option value="energy-data">Energy data and cold homes</option>' in page
    assert 'value="welcome"' not in page
    assert '<label class="govuk-label govuk-label--s" for="body_cy">' in page
    assert '<label class="govuk-label govuk-label--s" for="body_en">' in page
    assert 'lang="cy"' in page
    assert "No broadcasts yet." in page


def test_preview_counts_recipients_by_language_with_segments_and_cost(sign_in) -> None:
    response = post_form(
        sign_in("officer"), "/admin/broadcasts/preview", compose(), token_from="/admin/broadcasts"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert segment_info(WELSH).encoding == "UCS-2"
    assert segment_info(WELSH).segments == 2
    assert segment_info(ENGLISH).segments == 1
    rows = page.split('id="preview"')[1]
    welsh_row = rows.split("Welsh speakers</th>")[1].split("</tr>")[0]
    english_row = rows.split("English speakers</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in welsh_row.split("</td>")[:4]] == [
        "1",
        "UCS-2",
        "2",
        "2",
    ]
    assert [cell.split(">")[-1] for cell in english_row.split("</td>")[:4]] == [
        "2",
        "GSM-7",
        "1",
        "2",
    ]
    assert "Estimated cost: £0.16" in page
    assert "Send to 3 residents" in page
    assert 'name="confirm_segments" value="4"' in page
    assert f">{WELSH}</textarea>" in page  # the texts stay in their boxes
    assert "•••" not in page  # counts only: no one's number, not even masked
    assert "+4477" not in page


def test_preview_without_the_welsh_is_refused_and_the_english_kept(sign_in) -> None:
    response = post_form(
        sign_in("officer"),
        "/admin/broadcasts/preview",
        compose(body_cy="  "),
        token_from="/admin/broadcasts",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Write the message in both Welsh and English." in page
    assert 'href="#body_cy"' in page
    assert f">{ENGLISH}</textarea>" in page


def test_preview_without_a_flow_is_refused(sign_in) -> None:
    response = post_form(
        sign_in("officer"),
        "/admin/broadcasts/preview",
        compose(flow=""),
        token_from="/admin/broadcasts",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#flow"' in page
    assert "Choose the flow whose residents should hear back." in page


def test_every_problem_is_listed_at_once(sign_in) -> None:
    response = post_form(
        sign_in("officer"),
        "/admin/broadcasts/preview",
        compose(flow="", body_cy="", body_en=""),
        token_from="/admin/broadcasts",
    )
    page = response.get_data(as_text=True)
    summary = page.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    assert response.status_code == 400
    assert summary.count("<li>") == 2
    assert 'href="#flow"' in summary
    assert 'href="#body_cy"' in summary
    assert 'id="body_en-error"' in page  # the English box is marked too


# -- send, progress, pause ----------------------------------------------------------------------


def test_sending_starts_the_broadcast_and_lists_its_progress(sign_in, admin_services) -> None:
    client = sign_in("officer")
    response = send(client)
    assert response.status_code == 302
    [broadcast] = broadcasts(admin_services)
    assert (broadcast.status, broadcast.body_cy, broadcast.created_by) == (
        "sending",
        WELSH,
        "Officer",
    )
    with admin_services.db.session() as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast.id))
        assert sorted(admin_services.vault.open(row.body_encrypted) for row in rows) == sorted(
            [WELSH, ENGLISH, ENGLISH]
        )
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "broadcast_sent")).one()
    assert audit.target == f"broadcast:{broadcast.id}"
    assert "recipients=3; segments=4" in audit.detail
    page = client.get("/admin/broadcasts").get_data(as_text=True)
    assert "Broadcast started: 3 texts are on their way." in page
    listed = page.split('id="sent"')[1]
    assert "Sending" in listed
    assert "0 of 3 sent" in listed
    assert "3 waiting" in listed
    assert "Pause" in listed


def test_changed_figures_are_shown_again_instead_of_sending(sign_in, admin_services) -> None:
    response = send(sign_in("officer"), confirm_recipients="2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The figures have changed since your preview" in page
    assert "Send to 3 residents" in page
    assert broadcasts(admin_services) == []


def test_pause_and_resume_are_audit_logged(sign_in, admin_services) -> None:
    client = sign_in("officer")
    send(client)
    [broadcast] = broadcasts(admin_services)
    path = f"/admin/broadcasts/{broadcast.id}"
    assert post_form(client, f"{path}/pause", {}, token_from="/admin/broadcasts").status_code == 302
    page = client.get("/admin/broadcasts").get_data(as_text=True)
    assert "Broadcast paused" in page
    assert "Paused" in page.split('id="sent"')[1]
    assert "Resume" in page.split('id="sent"')[1]
    assert broadcasts(admin_services)[0].status == "paused"
    # Pausing twice (two officers at once) is refused politely.
    post_form(client, f"{path}/pause", {}, token_from="/admin/broadcasts")
    assert "Only a broadcast that is sending can be paused." in client.get(
        "/admin/broadcasts"
    ).get_data(as_text=True)
    post_form(client, f"{path}/resume", {}, token_from="/admin/broadcasts")
    assert broadcasts(admin_services)[0].status == "sending"
    assert audit_actions(admin_services)[-3:] == [
        "broadcast_sent",
        "broadcast_paused",
        "broadcast_resumed",
    ]


def test_a_finished_broadcast_shows_done_and_no_pause(sign_in, admin_services) -> None:
    client = sign_in("officer")
    send(client)
    with admin_services.db.session() as session:
        session.execute(update(OutboxMessage).values(status="sent"))
    listed = client.get("/admin/broadcasts").get_data(as_text=True).split('id="sent"')[1]
    assert "3 of 3 sent" in listed
    assert "Done" in listed
    assert "Pause" not in listed


def test_the_list_takes_the_same_number_of_queries_however_long(sign_in, admin_services) -> None:
    client = sign_in("officer")
    send(client)
    with count_queries(admin_services) as one:
        client.get("/admin/broadcasts")
    send(client, body_en=ENGLISH + " More soon.")
    send(client, body_en=ENGLISH + " Diolch.")
    with count_queries(admin_services) as three:
        client.get("/admin/broadcasts")
    assert len(broadcasts(admin_services)) == 3
    assert len(one) == len(three)
