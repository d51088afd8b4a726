"""The transcript's rights buttons: officers opt a number out, admins erase it; a reason comes
from the list, the officer confirms, and the audit log records it with no words about them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.models import AuditEvent, OptOut, Participant
from tests.admin.conftest import post_form, talk

RESIDENT = "+447700900123"
NEIGHBOUR = "+447700900456"
TRANSCRIPT = "/admin/conversations/1"


@pytest.fixture
def residents(seed: Callable[..., None], admin_services: Container) -> None:
    seed(RESIDENT)
    talk(admin_services, RESIDENT, "NEW", "Helo")
    seed(NEIGHBOUR)


def numbers_left(services: Container) -> list[str]:
    with services.db.session() as session:
        return sorted(
            {services.vault.open(p.number_encrypted) for p in session.exec(select(Participant))}
        )


def audited(services: Container, action: str) -> list[tuple[str, str, str | None]]:
    with services.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action == action)
        return [(e.target, e.detail, e.reason_encrypted) for e in session.exec(statement)]


def test_an_admin_erases_everyone_on_the_number(
    sign_in: Callable[[str], FlaskClient], residents: None, admin_services: Container
) -> None:
    admin = sign_in("admin")
    page = admin.get(TRANSCRIPT).get_data(as_text=True)
    assert "Erase this resident" in page

    response = post_form(
        admin,
        f"{TRANSCRIPT}/erase",
        {"reason": "asked_by_phone", "confirm": "yes"},
        token_from=TRANSCRIPT,
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/conversations")
    assert numbers_left(admin_services) == [NEIGHBOUR]
    [(target, detail, reason)] = audited(admin_services, "resident_erased")
    assert (target, reason) == ("participant:1", None)
    assert detail.startswith("reason=asked_by_phone; participants=1,")
    listing = admin.get("/admin/conversations").get_data(as_text=True)
    assert "Erased: 2 conversation(s) on that number." in listing
    assert admin.get(TRANSCRIPT).status_code == 404
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "Erased a resident" in log


def test_erasing_needs_the_box_ticked_and_a_reason_from_the_list(
    sign_in: Callable[[str], FlaskClient], residents: None, admin_services: Container
) -> None:
    admin = sign_in("admin")
    unticked = post_form(
        admin, f"{TRANSCRIPT}/erase", {"reason": "asked_by_phone"}, token_from=TRANSCRIPT
    )
    typed = post_form(
        admin,
        f"{TRANSCRIPT}/erase",
        {"reason": "Mrs Evans rang", "confirm": "yes"},
        token_from=TRANSCRIPT,
    )

    assert unticked.status_code == typed.status_code == 302
    page = admin.get(TRANSCRIPT).get_data(as_text=True)
    assert "Choose why from the list of reasons." in page
    assert numbers_left(admin_services) == [RESIDENT, NEIGHBOUR]
    assert audited(admin_services, "resident_erased") == []


def test_officers_may_opt_a_number_out_but_not_erase(
    sign_in: Callable[[str], FlaskClient], residents: None, admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = officer.get(TRANSCRIPT).get_data(as_text=True)
    assert "Opt this number out" in page
    assert "Erase this resident" not in page

    erase = post_form(
        officer,
        f"{TRANSCRIPT}/erase",
        {"reason": "asked_by_phone", "confirm": "yes"},
        token_from=TRANSCRIPT,
    )
    opt_out = post_form(
        officer,
        f"{TRANSCRIPT}/opt-out",
        {"reason": "asked_in_writing", "confirm": "yes"},
        token_from=TRANSCRIPT,
    )

    assert erase.status_code == 403
    assert opt_out.status_code == 302
    assert numbers_left(admin_services) == [RESIDENT, NEIGHBOUR]
    with admin_services.db.session() as session:
        assert [o.source for o in session.exec(select(OptOut))] == ["officer"]
    assert talk(admin_services, RESIDENT, "hello") == [None]
    assert audited(admin_services, "number_opted_out") == [
        ("participant:1", "reason=asked_in_writing", None)
    ]


def test_partners_cannot_use_either(
    sign_in: Callable[[str], FlaskClient], residents: None, admin_services: Container
) -> None:
    partner = sign_in("partner")
    for action in ("erase", "opt-out"):
        response = post_form(
            partner,
            f"{TRANSCRIPT}/{action}",
            {"reason": "asked_by_phone", "confirm": "yes"},
            token_from="/admin/sign-in",
        )
        assert response.status_code == 403
    assert numbers_left(admin_services) == [RESIDENT, NEIGHBOUR]


def test_the_buttons_are_in_welsh_too(
    sign_in: Callable[[str], FlaskClient], residents: None
) -> None:
    admin = sign_in("admin")
    post_form(
        admin, "/admin/language", {"language": "cy", "next": TRANSCRIPT}, token_from=TRANSCRIPT
    )
    page = admin.get(TRANSCRIPT).get_data(as_text=True)
    assert "Dileu'r preswylydd hwn" in page or "Dileu&#39;r preswylydd hwn" in page
    assert "Gofynnodd y preswylydd dros y ffôn" in page
