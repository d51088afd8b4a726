"""The transcript's subject access download: admins only, every person on the number, audited."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.models import AuditEvent, User
from tests.admin.conftest import csrf_token, post_form, talk

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900456"
TRANSCRIPT = "/admin/conversations/1"
DOWNLOAD = "/admin/conversations/1/subject-access"
BUTTON = "Download all their data (subject access)"


@pytest.fixture
def shared_phone(seed: Callable[..., None], admin_services: Container) -> None:
    """A resident who went through the flow, then the next person on their phone (NEW), and a
    neighbour with a phone of their own."""
    seed(RESIDENT, question="When will it start?")
    talk(admin_services, RESIDENT, "NEW", "Helo", "1")
    seed(NEIGHBOUR, hope="Cheaper bills")


def exports(services: Container) -> list[tuple[str, int | None]]:
    with services.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action == "person_exported")
        return [(event.target, event.user_id) for event in session.exec(statement)]


def user_id(services: Container, email: str) -> int | None:
    with services.db.session() as session:
        return session.exec(select(User.id).where(User.email == email)).one()


def test_an_admin_downloads_everything_held_about_the_number(
    sign_in: Callable[[str], FlaskClient], shared_phone: None, admin_services: Container
) -> None:
    admin = sign_in("admin")
    assert BUTTON in admin.get(TRANSCRIPT).get_data(as_text=True)

    response = post_form(admin, DOWNLOAD, {}, token_from=TRANSCRIPT)

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="sgwrs-subject-access-1.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert document["number"] == RESIDENT
    first, second = document["participants"]
    assert "Warm homes" in [answer["text"] for answer in first["answers"]]
    assert [q["text"] for q in first["questions"]] == ["When will it start?"]
    assert [m["body"] for m in second["messages"] if m["direction"] == "in"] == ["Helo", "1"]
    assert "Cheaper bills" not in response.get_data(as_text=True)
    assert exports(admin_services) == [
        ("participant:1", user_id(admin_services, "admin@council.example")),
        ("participant:2", user_id(admin_services, "admin@council.example")),
    ]


def test_the_next_persons_transcript_downloads_the_same_number(
    sign_in: Callable[[str], FlaskClient], shared_phone: None
) -> None:
    admin = sign_in("admin")

    response = post_form(
        admin, "/admin/conversations/2/subject-access", {}, token_from="/admin/conversations/2"
    )

    assert response.headers["Content-Disposition"].endswith('"sgwrs-subject-access-2.json"')
    assert [p["id"] for p in json.loads(response.get_data(as_text=True))["participants"]] == [1, 2]


@pytest.mark.parametrize("role", ["officer", "partner"])
def test_officers_and_partners_get_403_and_nothing_is_exported(
    role: str,
    sign_in: Callable[[str], FlaskClient],
    shared_phone: None,
    admin_services: Container,
) -> None:
    client = sign_in(role)

    response = client.post(DOWNLOAD, data={"csrf_token": csrf_token(client, "/admin/sign-in")})

    assert response.status_code == 403
    assert RESIDENT not in response.get_data(as_text=True)
    assert exports(admin_services) == []


def test_officers_do_not_see_the_button(
    sign_in: Callable[[str], FlaskClient], shared_phone: None
) -> None:
    page = sign_in("officer").get(TRANSCRIPT).get_data(as_text=True)

    assert "Reveal number" in page
    assert BUTTON not in page
    assert "subject-access" not in page


def test_the_download_needs_a_csrf_token(
    sign_in: Callable[[str], FlaskClient], shared_phone: None, admin_services: Container
) -> None:
    response = sign_in("admin").post(DOWNLOAD)

    assert response.status_code == 400
    assert exports(admin_services) == []


def test_an_unknown_resident_is_404(sign_in: Callable[[str], FlaskClient]) -> None:
    admin = sign_in("admin")

    response = post_form(
        admin, "/admin/conversations/999/subject-access", {}, token_from="/admin/sign-in"
    )

    assert response.status_code == 404


def test_the_button_reads_in_welsh(
    sign_in: Callable[[str], FlaskClient], shared_phone: None
) -> None:
    admin = sign_in("admin")
    post_form(
        admin, "/admin/language", {"language": "cy", "next": TRANSCRIPT}, token_from=TRANSCRIPT
    )

    page = admin.get(TRANSCRIPT).get_data(as_text=True)

    assert "Lawrlwytho eu holl ddata (mynediad at ddata)" in page
    assert "Mynediad at ddata" in page
    assert "Caiff ei lawrlwytho ei gofnodi yn y log archwilio." in page
