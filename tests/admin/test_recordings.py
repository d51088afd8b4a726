"""Callers' recordings in the admin: officers and admins play them with a plain <audio> control
on the transcript and the answers page (each listen audit-logged, never cached), and type a
summary or transcript that becomes the answer's text (sealed, searched, exported). Partners
never get audio. Every word of it reads in Welsh too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from bot.runtime.container import Container
from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.models import Answer, AuditEvent, Recording
from bot.store.search import Search
from tests.admin.conftest import form_fields, post_form
from tests.admin.test_welsh_admin import english_on, welsh_client
from tests.helpers import SOME_AUDIO, add_recording

RESIDENT = "+447700900123"
SUMMARY = "The caller worries the boiler data shows when the flat is empty."


@pytest.fixture
def heard(admin_services: Container, seed: Callable[..., None]) -> dict[str, int]:
    """A resident whose fear was given by voice (fetched and stored), and one more recording of
    theirs still waiting at Twilio; the ids a test needs."""
    seed(RESIDENT, hope="Warm homes", fear="spoken on the call")
    with admin_services.db.session() as session:
        fear = session.exec(select(Answer).where(Answer.kind == "fear")).one()
    resident, answer = fear.participant_id, fear.id or 0
    stored = add_recording(admin_services, resident, answer_id=answer)
    waiting = add_recording(admin_services, resident, audio=None)
    return {"resident": resident, "answer": answer, "stored": stored, "waiting": waiting}


def events(services: Container, action: str) -> list[AuditEvent]:
    with services.db.session() as session:
        statement = select(AuditEvent).where(AuditEvent.action == action)
        return list(session.exec(statement.order_by(AuditEvent.id)))  # type: ignore[arg-type]


def transcript(heard: dict[str, int]) -> str:
    return f"/admin/conversations/{heard['resident']}"


# -- playing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_play_a_recording_and_each_listen_is_audited_once(
    sign_in: Callable[[str], FlaskClient],
    admin_services: Container,
    heard: dict[str, int],
    role: str,
) -> None:
    client = sign_in(role)
    path = f"/admin/recordings/{heard['stored']}/audio"

    response = client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "audio/mpeg"
    assert response.get_data() == SOME_AUDIO
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Accept-Ranges"] == "bytes"
    [event] = events(admin_services, "recording_played")
    assert (event.target, event.detail) == (
        f"participant:{heard['resident']}",
        f"recording={heard['stored']}",
    )
    # The browser asks for the rest as it plays or seeks: the same listen, not a new one.
    part = client.get(path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.get_data() == SOME_AUDIO[100:200]
    assert len(events(admin_services, "recording_played")) == 1
    again = client.get(path, headers={"Range": "bytes=0-"})
    assert again.get_data() == SOME_AUDIO
    assert len(events(admin_services, "recording_played")) == 2


def test_a_download_is_a_file_of_its_own(
    sign_in: Callable[[str], FlaskClient], heard: dict[str, int]
) -> None:
    response = sign_in("officer").get(f"/admin/recordings/{heard['stored']}/audio?download=1")

    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="recording-{heard["stored"]}.mp3"'
    )
    assert response.get_data() == SOME_AUDIO


def test_partners_never_get_audio_and_visitors_are_sent_to_sign_in(
    admin_app, sign_in: Callable[[str], FlaskClient], admin_services: Container, heard
) -> None:
    path = f"/admin/recordings/{heard['stored']}/audio"

    partner = sign_in("partner")
    refused = partner.get(path)
    answers = partner.get("/admin/answers").get_data(as_text=True)
    visitor = admin_app.test_client().get(path)

    assert refused.status_code == 403
    assert SOME_AUDIO not in refused.get_data()
    assert "<audio" not in answers
    assert "/admin/recordings/" not in answers
    assert visitor.status_code == 302
    assert visitor.location.startswith("/admin/sign-in")
    assert events(admin_services, "recording_played") == []


def test_a_recording_not_yet_fetched_says_so_and_has_no_audio(
    sign_in: Callable[[str], FlaskClient], heard: dict[str, int]
) -> None:
    client = sign_in("officer")

    page = client.get(transcript(heard)).get_data(as_text=True)

    waiting = page.split(f'id="recording-{heard["waiting"]}"', 1)[1].split("</div>", 1)[0]
    assert "Recording not yet fetched" in waiting
    assert "<audio" not in waiting
    assert client.get(f"/admin/recordings/{heard['waiting']}/audio").status_code == 404
    assert client.get("/admin/recordings/999999/audio").status_code == 404


def test_the_transcript_and_the_answers_page_play_it_with_a_plain_audio_control(
    sign_in: Callable[[str], FlaskClient], heard: dict[str, int]
) -> None:
    client = sign_in("officer")
    src = f"/admin/recordings/{heard['stored']}/audio"

    for path in (transcript(heard), "/admin/answers"):
        page = client.get(path).get_data(as_text=True)
        [audio] = re.findall(r"<audio[^>]*>.*?</audio>", page, flags=re.S)
        assert 'controls preload="none"' in audio
        assert f'src="{src}"' in audio
        assert f'href="{src}?download=1"' in audio  # the fallback for a browser without audio
        assert "Download the recording" in audio
        assert f'<script src="{src}' not in page
    assert "Each listen is recorded in the audit log." in page


# -- summaries ----------------------------------------------------------------------------------


def summarise(client: FlaskClient, heard: dict[str, int], text: str, page: str | None = None):  # type: ignore[no-untyped-def]
    return post_form(
        client,
        f"/admin/recordings/{heard['stored']}/summary",
        {"summary": text},
        token_from=page or transcript(heard),
    )


def test_a_summary_becomes_the_answers_text_searched_and_audited_without_its_words(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, heard: dict[str, int]
) -> None:
    client = sign_in("officer")

    response = summarise(client, heard, SUMMARY)

    assert response.status_code == 302
    assert response.location.endswith(f"{transcript(heard)}#recording-{heard['stored']}")
    vault = admin_services.vault
    with admin_services.db.session() as session:
        answer = session.get(Answer, heard["answer"])
        recording = session.get(Recording, heard["stored"])
        found = list_open_answers(
            session, vault, AnswerFilter(search=Search.of(vault, "boilers")), limit=10, offset=0
        )
    assert answer is not None
    assert recording is not None
    assert vault.open(answer.text_encrypted) == SUMMARY
    assert SUMMARY not in answer.text_encrypted
    assert answer.contact_details is False
    assert recording.summary_by is not None
    assert recording.summarised_at is not None
    assert [listed.id for listed in found.answers] == [heard["answer"]]
    [event] = events(admin_services, "recording_summarised")
    assert (event.target, event.detail, event.reason_encrypted) == (
        f"answer:{heard['answer']}",
        f"recording={heard['stored']}",
        None,
    )
    page = client.get(transcript(heard)).get_data(as_text=True)
    assert "Summary saved as the answer&#39;s text" in page
    assert SUMMARY in page
    assert "an officer&#39;s summary, typed" in page


def test_a_summary_with_contact_details_is_flagged_as_a_typed_answer_is(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, heard: dict[str, int]
) -> None:
    summarise(sign_in("officer"), heard, "Please ring me back on 07700 900123 about the boiler")

    with admin_services.db.session() as session:
        answer = session.get(Answer, heard["answer"])
    assert answer is not None
    assert answer.contact_details is True


def test_a_summary_from_the_answers_page_goes_back_there(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, heard: dict[str, int]
) -> None:
    page = "/admin/answers?kind=fear"
    action = f"/admin/recordings/{heard['stored']}/summary?kind=fear"  # as the form posts it

    response = post_form(sign_in("admin"), action, {"summary": SUMMARY}, token_from=page)

    assert response.status_code == 302
    assert response.location.endswith(f"/admin/answers?kind=fear#recording-{heard['stored']}")
    assert len(events(admin_services, "recording_summarised")) == 1


def test_an_empty_summary_is_refused_on_the_page_it_came_from(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, heard: dict[str, int]
) -> None:
    client = sign_in("officer")

    on_transcript = summarise(client, heard, "   ")
    on_answers = summarise(client, heard, "", page="/admin/answers")

    for response in (on_transcript, on_answers):
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Type a summary or transcript of the recording first." in page
        assert f'href="#summary-{heard["stored"]}"' in page
    assert events(admin_services, "recording_summarised") == []


def test_the_same_summary_sent_twice_is_saved_once(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, heard: dict[str, int]
) -> None:
    client = sign_in("officer")
    page = client.get(transcript(heard)).get_data(as_text=True)
    path = f"/admin/recordings/{heard['stored']}/summary"
    fields = {**form_fields(page, path), "summary": SUMMARY}

    first, second = client.post(path, data=fields), client.post(path, data=fields)

    assert (first.status_code, second.status_code) == (302, 302)
    assert len(events(admin_services, "recording_summarised")) == 1


def test_partners_cannot_summarise(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, heard: dict[str, int]
) -> None:
    path = f"/admin/recordings/{heard['stored']}/summary"

    response = post_form(
        sign_in("partner"), path, {"summary": SUMMARY}, token_from="/admin/answers"
    )

    assert response.status_code == 403
    with admin_services.db.session() as session:
        answer = session.get(Answer, heard["answer"])
    assert answer is not None
    assert admin_services.vault.open(answer.text_encrypted) != SUMMARY


# -- in Welsh -----------------------------------------------------------------------------------


def test_recordings_read_in_welsh(
    sign_in: Callable[[str], FlaskClient], heard: dict[str, int]
) -> None:
    client = welsh_client(sign_in, "officer")

    page = client.get(transcript(heard)).get_data(as_text=True)
    refused = summarise(client, heard, "").get_data(as_text=True)

    assert "Nid yw&#39;r recordiad wedi&#39;i nôl eto" in page
    assert "Lawrlwytho&#39;r recordiad" in page
    assert "Teipiwch grynodeb neu drawsgrifiad o&#39;r recordiad yn gyntaf." in refused
    assert english_on(page) == {}
    assert english_on(refused) == {}
