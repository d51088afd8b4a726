"""You said, we did: compose in both languages, choose who it is for, preview counts and cost
with the ending that says how to stop, try it on your own phone, send, see it held for quiet
hours and until when, pause, resume."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import col, select

from admin.catalogues import CY
from bot.channels.sms import segment_info
from bot.core.broadcast_text import OVER_BUDGET
from bot.runtime.clock import as_utc
from bot.runtime.config import load_settings
from bot.runtime.container import Container, build_container
from bot.store.models import AuditEvent, Broadcast, OutboxMessage, Participant
from bot.store.participants import get_current_participant
from tests.admin.conftest import TO_HOPES, add_accounts, form_fields, post_form, talk
from tests.admin.test_welsh_admin import english_on
from tests.conftest import copy_sqlite, make_container, settings_for
from tests.delivery.support import MovableClock
from tests.helpers import count_queries

WELSH = "Diolch. Rydyn ni wedi penderfynu bwrw ymlaen. Bydd tîm bach yn gweld y data."
ENGLISH = "Thank you. We decided to go ahead. Only a small team will see the data."
#: How every broadcast ends, in each language (bot/engine/texts.yaml, BROADCAST_ENDING).
ENDS_CY = "Anfonwch STOPIO i orffen."
ENDS_EN = "Send STOP to stop."
#: The seeded residents: through LIB1 in English, English, Welsh, and English but not asking
#: to hear back (all four consented).
LIBRARY_EN, PLAIN_EN, WELSH_SPEAKER, NOT_ASKING = (f"+4477009004{n:02d}" for n in (1, 2, 3, 4))
#: Noon on a winter's day in Wales (GMT: UTC), then 21:34, inside quiet hours (21:00 to 08:00).
NOON = datetime(2027, 12, 8, 12, 0, tzinfo=UTC)
EVENING = datetime(2027, 12, 8, 21, 34, tzinfo=UTC)
#: An officer's own phone: in Ofcom's drama range, and no resident's.
OFFICER_PHONE = "07700 900450"
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


@pytest.fixture
def clock() -> MovableClock:
    """The time every service reads here: noon, unless a test moves it into quiet hours."""
    return MovableClock(NOON)


@pytest.fixture
def admin_services(sqlite_url: str, clock: MovableClock) -> Iterator[Container]:
    """As tests.admin.conftest's, but on `clock`, with the default quiet hours (21:00-08:00)."""
    settings = load_settings(settings_for(sqlite_url), environ={})
    services = build_container(settings, clock=clock)
    add_accounts(services)
    yield services
    services.db.engine.dispose()


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


def send_as_previewed(client: FlaskClient, **changes: str):
    """Preview `compose(**changes)`, then press the preview's send button as it stands."""
    page = post_form(
        client, "/admin/broadcasts/preview", compose(**changes), token_from="/admin/broadcasts"
    ).get_data(as_text=True)
    return client.post("/admin/broadcasts/send", data=form_fields(page, "/admin/broadcasts/send"))


def send_test(client: FlaskClient, phone: str, **changes: str):
    """Preview `compose(**changes)`, then send its test form with `phone` typed in."""
    page = post_form(
        client, "/admin/broadcasts/preview", compose(**changes), token_from="/admin/broadcasts"
    ).get_data(as_text=True)
    fields = form_fields(page, "/admin/broadcasts/test")
    return client.post("/admin/broadcasts/test", data={**fields, "phone": phone})


def resident_id(services: Container, number: str) -> int:
    with services.db.session() as session:
        found = get_current_participant(session, services.vault.number_hashes(number), "sms")
    assert found is not None
    assert found.id is not None
    return found.id


def sent_to(services: Container) -> dict[int, str]:
    """Each resident a broadcast wrote a text to, with the text."""
    with services.db.session() as session:
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.broadcast_id).is_not(None))
        )
        return {row.participant_id: services.vault.open(row.body_encrypted) for row in rows}


def listed_row(page: str, broadcast_id: int) -> str:
    return page.split(f'id="broadcast-{broadcast_id}"')[1].split("</tr>")[0]


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
    assert segment_info(f"{WELSH}\n{ENDS_CY}").encoding == "UCS-2"
    assert segment_info(f"{WELSH}\n{ENDS_CY}").segments == 2
    assert segment_info(f"{ENGLISH}\n{ENDS_EN}").segments == 1
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
            [f"{WELSH}\n{ENDS_CY}", f"{ENGLISH}\n{ENDS_EN}", f"{ENGLISH}\n{ENDS_EN}"]
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
    send(client, body_en=ENGLISH + " Bye.")
    send(client, body_en=ENGLISH + " Ta.")
    with count_queries(admin_services) as three:
        client.get("/admin/broadcasts")
    assert len(broadcasts(admin_services)) == 3
    assert len(one) == len(three)


# -- held for quiet hours -----------------------------------------------------------------------


def test_a_broadcast_sent_in_quiet_hours_says_it_is_held_and_until_when(
    sign_in, admin_services, clock: MovableClock
) -> None:
    clock.set(EVENING)
    client = sign_in("officer")
    response = send(client)
    assert response.status_code == 302
    [broadcast] = broadcasts(admin_services)
    page = client.get("/admin/broadcasts").get_data(as_text=True)
    assert "Broadcast started: 3 texts will go at 08:00, when quiet hours end." in page
    row = listed_row(page, broadcast.id or 0)
    assert "Sending" in row
    assert "Held for quiet hours until 08:00" in row
    assert "0 of 3 sent" in row
    assert "3 waiting" in row

    clock.set(datetime(2027, 12, 9, 8, 0, tzinfo=UTC))  # quiet hours are over
    client = sign_in("officer")  # a new day, a new session
    row = listed_row(client.get("/admin/broadcasts").get_data(as_text=True), broadcast.id or 0)
    assert "Held for quiet hours" not in row
    assert "3 waiting" in row


def test_the_held_broadcast_reads_in_welsh(sign_in, clock: MovableClock) -> None:
    clock.set(EVENING)
    client = sign_in("officer")
    send(client)
    page = "/admin/broadcasts"
    post_form(client, "/admin/language", {"language": "cy", "next": page}, token_from=page)
    listed = client.get(page).get_data(as_text=True).split('id="sent"')[1]
    assert "Wedi'u dal yn ôl am oriau tawel tan 08:00" in listed.replace("&#39;", "'")


def test_a_paused_broadcast_is_paused_not_held(sign_in, admin_services, clock) -> None:
    clock.set(EVENING)
    client = sign_in("officer")
    send(client)
    [broadcast] = broadcasts(admin_services)
    post_form(client, f"/admin/broadcasts/{broadcast.id}/pause", {}, token_from="/admin/broadcasts")
    row = listed_row(client.get("/admin/broadcasts").get_data(as_text=True), broadcast.id or 0)
    assert "Paused" in row
    assert "Held for quiet hours" not in row
    assert admin_services.broadcasts.held_broadcasts() == []


# -- targeting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choice", "reached"),
    [
        ({}, {LIBRARY_EN, PLAIN_EN, WELSH_SPEAKER}),
        ({"language": "cy"}, {WELSH_SPEAKER}),
        ({"language": "en"}, {LIBRARY_EN, PLAIN_EN}),
        ({"partner": "LIB1"}, {LIBRARY_EN}),
        ({"audience": "took_part"}, {LIBRARY_EN, PLAIN_EN, WELSH_SPEAKER, NOT_ASKING}),
        ({"audience": "took_part", "partner": "LIB1"}, {LIBRARY_EN}),
    ],
)
def test_the_preview_counts_exactly_who_the_targeting_reaches_and_no_one_else_is_texted(
    sign_in, admin_services, choice: dict[str, str], reached: set[str]
) -> None:
    client = sign_in("officer")
    preview = post_form(
        client, "/admin/broadcasts/preview", compose(**choice), token_from="/admin/broadcasts"
    ).get_data(as_text=True)
    assert f"Send to {len(reached)} residents" in preview
    assert f'name="confirm_recipients" value="{len(reached)}"' in preview

    assert send_as_previewed(client, **choice).status_code == 302

    texted = sent_to(admin_services)
    assert set(texted) == {resident_id(admin_services, number) for number in reached}
    [broadcast] = broadcasts(admin_services)
    assert (broadcast.audience, broadcast.partner_code, broadcast.language) == (
        choice.get("audience", "hear_back"),
        choice.get("partner"),
        choice.get("language"),
    )
    with admin_services.db.session() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "broadcast_sent")).one()
    assert f"recipients={len(reached)};" in audit.detail
    assert f"audience={choice.get('audience', 'hear_back')}" in audit.detail


def test_the_compose_form_offers_the_audience_partner_and_language(sign_in) -> None:
    page = sign_in("officer").get("/admin/broadcasts").get_data(as_text=True)
    assert 'name="audience" type="radio" value="hear_back" checked' in page
    assert "Everyone who took part and gave consent" in page
    assert '<option value="LIB1">' in page
    assert '<option value="cy">Welsh speakers</option>' in page


def test_a_partner_not_on_the_list_is_refused(sign_in, admin_services) -> None:
    response = post_form(
        sign_in("officer"),
        "/admin/broadcasts/preview",
        compose(partner="NOPE", language="fr", audience="everyone"),
        token_from="/admin/broadcasts",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#partner"' in page
    assert 'href="#language"' in page
    assert 'href="#audience"' in page
    assert broadcasts(admin_services) == []


def test_a_choice_nobody_matches_says_so_and_offers_no_send(sign_in) -> None:
    page = post_form(
        sign_in("officer"),
        "/admin/broadcasts/preview",
        compose(partner="LIB1", language="cy"),
        token_from="/admin/broadcasts",
    ).get_data(as_text=True)
    assert "No resident of this flow is among those you chose" in page
    assert 'action="/admin/broadcasts/send"' not in page


# -- the ending: how to stop --------------------------------------------------------------------


def test_each_box_says_how_every_text_ends_and_counts_it(sign_in) -> None:
    page = sign_in("officer").get("/admin/broadcasts").get_data(as_text=True)
    assert f'<span lang="cy" translate="no">{ENDS_CY}</span>' in page
    assert f'<span lang="en" translate="no">{ENDS_EN}</span>' in page
    assert f'data-sms-suffix="\n{ENDS_EN}"' in page  # the live counter counts it too


def test_the_preview_counts_the_ending_in_each_texts_segments(sign_in) -> None:
    english = "Thank you for your answers. " * 5 + "Bye."  # 144: one segment on its own
    assert segment_info(english).segments == 1
    assert segment_info(f"{english}\n{ENDS_EN}").segments == 2
    page = post_form(
        sign_in("officer"),
        "/admin/broadcasts/preview",
        compose(body_cy="Diolch.", body_en=english, language="en"),
        token_from="/admin/broadcasts",
    ).get_data(as_text=True)
    row = page.split('id="preview"')[1].split("English speakers</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:4]] == ["2", "GSM-7", "2", "4"]
    assert "Each text ends with how to stop texts" in page


def test_a_text_over_the_budget_with_the_ending_is_refused_saying_how_much_to_cut(
    sign_in, admin_services
) -> None:
    welsh = (
        "Diolch am eich amser. Bydd y tîm yn darllen pob ateb cyn penderfynu beth i wneud nesaf."
    )
    english = (
        "Thank you for your time. The team will read every answer, then decide what to do next."
    )
    both = f"{welsh}\n{ENDS_CY}\n\n{english}\n{ENDS_EN}"
    over = len(both) - 3 * 67  # UCS-2: three parts of 67
    assert over > 0
    assert segment_info(f"{welsh}\n\n{english}").segments == 3  # it fitted without the ending
    client = sign_in("officer")

    refused = post_form(
        client,
        "/admin/broadcasts/preview",
        compose(body_cy=welsh, body_en=english),
        token_from="/admin/broadcasts",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert f"that would be 4 segments. Cut {over} characters from either language to fit 3." in page

    shorter = english[: len(english) - over]
    fits = post_form(
        client,
        "/admin/broadcasts/preview",
        compose(body_cy=welsh, body_en=shorter),
        token_from="/admin/broadcasts",
    )
    assert fits.status_code == 200
    assert "Send to 3 residents" in fits.get_data(as_text=True)


def test_every_over_budget_refusal_has_welsh() -> None:
    assert all(message in CY for message in OVER_BUDGET.values())


# -- a test on the officer's own phone ----------------------------------------------------------


def test_a_test_goes_to_the_officers_phone_only_now_and_is_audited_masked(
    sign_in, admin_services, clock: MovableClock
) -> None:
    clock.set(EVENING)  # quiet hours: a test is not held
    response = send_test(sign_in("officer"), OFFICER_PHONE)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Test sent to 07••• ••• 450: the Welsh and the English texts are on their way now." in (
        page
    )
    assert "quiet hours do not hold it back" in page
    with admin_services.db.session() as session:
        rows = list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
        phone = session.get(Participant, rows[0].participant_id)
        audit = session.exec(
            select(AuditEvent).where(AuditEvent.action == "broadcast_test_sent")
        ).one()
    bodies = [admin_services.vault.open(row.body_encrypted) for row in rows]
    assert bodies == [f"{WELSH}\n{ENDS_CY}", f"{ENGLISH}\n{ENDS_EN}"]
    assert {(r.purpose, r.priority, as_utc(r.not_before)) for r in rows} == {
        ("broadcast_test", "urgent", EVENING)  # due now, though it is quiet hours
    }
    assert {row.broadcast_id for row in rows} == {None}  # no broadcast's progress counts it
    assert phone is not None
    assert phone.is_test  # left out of every figure
    assert admin_services.vault.open(phone.number_encrypted) == "+447700900450"
    assert audit.target == f"participant:{phone.id}"
    assert audit.detail == "phone=07••• ••• 450; sends=2"
    assert not re.search(r"900\s?450", audit.detail)
    assert broadcasts(admin_services) == []  # nothing went to residents


def test_a_test_sent_twice_from_one_form_goes_once(sign_in, admin_services) -> None:
    client = sign_in("officer")
    page = post_form(
        client, "/admin/broadcasts/preview", compose(), token_from="/admin/broadcasts"
    ).get_data(as_text=True)
    form = {**form_fields(page, "/admin/broadcasts/test"), "phone": OFFICER_PHONE}
    first = client.post("/admin/broadcasts/test", data=form)
    again = client.post("/admin/broadcasts/test", data=form)
    assert (first.status_code, again.status_code) == (200, 200)
    assert "This test was already sent." in again.get_data(as_text=True)
    with admin_services.db.session() as session:
        assert len(session.exec(select(OutboxMessage)).all()) == 2


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("", "Enter the mobile number to send the test to, like 07700 900123."),
        ("call me", "Enter the mobile number to send the test to, like 07700 900123."),
        ("12", "Enter the mobile number to send the test to, like 07700 900123."),
        ("whatsapp:+447700900450", "Enter the mobile number to send the test to"),
        (PLAIN_EN, "A resident who is not test data uses this number"),
    ],
)
def test_a_test_to_a_number_that_will_not_do_is_refused_clearly(
    sign_in, admin_services, phone: str, message: str
) -> None:
    response = send_test(sign_in("officer"), phone)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'href="#phone"' in page
    assert f'value="{phone}"' in page  # what was typed stays in the box
    with admin_services.db.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
    assert "broadcast_test_sent" not in audit_actions(admin_services)


def test_a_test_to_a_number_that_opted_out_is_refused(sign_in, admin_services) -> None:
    talk(admin_services, "+447700900450", "STOP")
    response = send_test(sign_in("officer"), OFFICER_PHONE)
    assert response.status_code == 400
    assert "This number has opted out of texts" in response.get_data(as_text=True)


def test_the_new_parts_of_the_page_read_in_welsh(sign_in, clock: MovableClock) -> None:
    """Targeting, the ending, a test refused and sent, a broadcast held: no English showing."""
    clock.set(EVENING)
    client = sign_in("officer")
    page = "/admin/broadcasts"
    post_form(client, "/admin/language", {"language": "cy", "next": page}, token_from=page)
    pages = {
        "refused": send_test(client, "12", partner="LIB1").get_data(as_text=True),
        "tested": send_test(client, OFFICER_PHONE, language="cy").get_data(as_text=True),
    }
    send(client)
    pages["held"] = client.get(page).get_data(as_text=True)
    found = {name: english for name, html in pages.items() if (english := english_on(html))}
    assert found == {}
    assert "Rhowch y rhif ffôn symudol i anfon y prawf ato" in pages["refused"]
    assert "Prawf wedi'i anfon at 07••• ••• 450" in pages["tested"].replace("&#39;", "'")


def test_switching_language_on_a_preview_goes_to_the_broadcasts_page(sign_in) -> None:
    officer = sign_in("officer")
    page = "/admin/broadcasts"
    for target, expected in (
        ("/admin/broadcasts/preview", "/admin/broadcasts"),  # a form's result: POST only
        ("/admin/answers?q=bws", "/admin/answers?q=bws"),  # a page: stays, filters and all
        ("/admin/answers/7/themes", "/admin/answers"),
    ):
        response = post_form(
            officer, "/admin/language", {"language": "cy", "next": target}, token_from=page
        )
        assert response.status_code == 302
        assert response.headers["Location"] == expected
        assert officer.get(expected).status_code == 200
