"""The phone simulator's voice mode: an officer rings the real call desk as a test caller, sees
what the call says in its language, presses keys (a form each) and types in place of speaking."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlmodel import select

from admin.views.flows import simulator_number
from bot.core.call_simulator import new_call_sid
from bot.engine import texts as say
from bot.runtime.container import Container
from bot.store.models import Answer, Call, Message, Participant, Recording
from tests.admin.pages import Form, read_page
from tests.admin.test_welsh_admin import english_on, welsh_client

CALL = "/admin/flows/simulator/call"
TEXT = "/admin/flows/simulator"
#: After the language (English): the explanations, the expectations and the privacy notice.
TO_CONSENT = ["1"] * 7


def call_forms(page: str) -> list[Form]:
    return [form for form in read_page(page).forms if form.action == CALL]


def move(client: FlaskClient, page: str, name: str, which: str = "", **typed: str):
    """Send the page's form for `name` (key `which`'s own form for a key), as a browser would,
    with the fields in `typed` typed (or changed) over it."""
    for form in call_forms(page):
        fields = dict(form.fields)
        if fields.get("move") == name and (not which or fields.get("key") == which):
            return client.post(CALL, data={**fields, **typed})
    raise AssertionError(f"no {name} {which} form on the page")


def said(page: str) -> list[tuple[str, str]]:
    """What the call says on the page: (language, words) in order."""
    return re.findall(r'<span lang="(cy|en)" translate="no">(.*?)</span>', page, re.S)


def text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def ring(client: FlaskClient) -> str:
    response = move(client, text(client.get(CALL)), "ring")
    assert response.status_code == 200
    return text(response)


def press(client: FlaskClient, page: str, *keys: str) -> str:
    for key in keys:
        response = move(client, page, "key", key)
        assert response.status_code == 200, text(response)
        page = text(response)
    return page


def rows(services: Container, model: type) -> list:
    with services.db.session() as session:
        return list(session.exec(select(model)))


def test_the_officer_rings_and_hears_the_greeting_with_each_language_marked(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    officer = sign_in("officer")
    start = text(officer.get(CALL))
    assert "Ring Sgwrs" in start
    assert 'aria-current="page">Phone call</a>' in start
    assert "07••• ••• 502" in start  # the officer's own pretend phone, masked

    page = ring(officer)

    heard = said(page)
    assert [language for language, _ in heard] == ["cy", "en"]
    assert heard[0][1].startswith("Croeso i Sgwrs")
    assert ">Welsh</strong>" in page
    assert ">English</strong>" in page
    keys = [dict(f.fields)["key"] for f in call_forms(page) if dict(f.fields)["move"] == "key"]
    assert keys == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"]
    for form in call_forms(page):
        assert {"csrf_token", "once", "call", "turn", "misses", "listen"} <= set(form.names)
    assert "Hang up" in page


def test_the_text_simulator_offers_the_phone_call_beside_it(
    sign_in: Callable[[str], FlaskClient],
) -> None:
    page = text(sign_in("officer").get(TEXT))
    assert 'aria-current="page">Text messages</a>' in page
    assert f'href="{CALL}"' in page


def test_a_whole_call_keeps_typed_answers_as_a_test_callers_answers(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = press(officer, ring(officer), "2", *TO_CONSENT, "1", "1")  # consent, view: yes
    assert "What you would say" in page
    assert said(page)[-1][1].endswith(say.VOICE_RECORD.en)

    page = text(move(officer, page, "answer", words="Warmer homes for everyone"))  # hopes
    assert "Your words were kept in place of a recording." in page
    page = text(move(officer, page, "skip"))  # worries
    assert "You skipped the question (pressed 1)." in page
    page = text(move(officer, page, "silence"))  # feedback: nothing said
    assert said(page)[0] == ("en", say.VOICE_MISSED.en)
    page = text(move(officer, page, "answer", words="Less paper"))  # feedback
    page = text(move(officer, page, "skip"))  # no question
    page = press(officer, page, "1")  # hear back: yes
    assert "The call has ended." in page
    assert "Ring again" in page

    [participant] = rows(admin_services, Participant)
    number_hash = admin_services.vault.hash_number(simulator_number(2))
    assert (participant.channel, participant.is_test, participant.number_hash) == (
        "voice",
        True,
        number_hash,
    )
    answers = {answer.step_id: answer for answer in rows(admin_services, Answer)}
    assert admin_services.vault.open(answers["hopes"].text_encrypted) == "Warmer homes for everyone"
    assert admin_services.vault.open(answers["feedback"].text_encrypted) == "Less paper"
    simulated = [r for r in rows(admin_services, Recording) if r.status == "simulated"]
    assert len(simulated) == 2
    [call] = rows(admin_services, Call)
    assert call.status == "completed"
    transcript = text(officer.get(f"/admin/conversations/{participant.id}"))
    assert "Typed in the phone simulator in place of a recording" in transcript


def test_hanging_up_ends_the_call(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = press(officer, ring(officer), "2")
    page = text(move(officer, page, "hang-up"))
    assert "You hung up." in page
    assert "The call has ended." in page
    [call] = rows(admin_services, Call)
    assert (call.status, call.duration_seconds is not None) == ("completed", True)


def test_a_key_sent_twice_is_played_once(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = press(officer, ring(officer), "2")
    first = move(officer, page, "key", "1")
    again = move(officer, page, "key", "1")  # the same form, token and all: a double click
    assert first.status_code == again.status_code == 200
    assert said(text(again))[-1] == said(text(first))[-1]  # the step the call is at
    inbound = [m for m in rows(admin_services, Message) if m.direction == "in"]
    assert len(inbound) == 2  # the language and one "next"


def test_an_empty_answer_is_refused_and_the_call_waits_where_it_was(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = press(officer, ring(officer), "2", *TO_CONSENT, "1", "1")
    response = move(officer, page, "answer", words="   ")
    refused = text(response)
    assert response.status_code == 400
    assert refused.count("Type what you would say, or choose Say nothing") == 2
    page = text(move(officer, refused, "answer", words="Warm homes"))
    assert "Your words were kept in place of a recording." in page
    assert [a.step_id for a in rows(admin_services, Answer) if a.kind == "hope"] == ["hopes"]


def test_a_form_without_its_one_time_code_plays_nothing(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    officer = sign_in("officer")
    page = text(officer.get(CALL))
    [form] = call_forms(page)
    fields = {name: value for name, value in form.fields if name != "once"}
    response = officer.post(CALL, data=fields)
    assert response.status_code == 400
    assert "missing its one-time code" in text(response)
    assert rows(admin_services, Participant) == []


@pytest.mark.parametrize(
    "changed",
    [{"listen": "nothing"}, {"turn": "0"}, {"call": "not-a-call"}, {"key": "12"}],
)
def test_a_form_the_page_never_draws_plays_nothing(
    sign_in: Callable[[str], FlaskClient], admin_services: Container, changed: dict[str, str]
) -> None:
    officer = sign_in("officer")
    page = ring(officer)
    response = move(officer, page, "key", "2", **changed)
    assert response.status_code == 400
    assert "Ring again: that call could not be followed." in text(response)
    assert rows(admin_services, Participant) == []


def test_a_real_caller_on_the_simulator_number_is_never_touched(
    sign_in: Callable[[str], FlaskClient], admin_services: Container
) -> None:
    admin_services.calls.flow.press(new_call_sid(), simulator_number(2), 1, "2", 0)
    officer = sign_in("officer")
    response = move(officer, text(officer.get(CALL)), "ring")
    assert response.status_code == 400
    assert "not test data uses this number" in text(response)
    [participant] = rows(admin_services, Participant)
    assert not participant.is_test


def test_the_voice_mode_reads_in_welsh(sign_in: Callable[[str], FlaskClient]) -> None:
    officer = welsh_client(sign_in, "officer")
    assert english_on(text(officer.get(CALL))) == {}
    page = ring(officer)
    assert ">Cymraeg</strong>" in page
    assert ">Saesneg</strong>" in page
    assert english_on(page) == {}
    page = press(officer, page, "1", *TO_CONSENT, "1", "1")  # Welsh, consent, view: yes
    assert "Beth fyddech chi'n ei ddweud" in page
    assert english_on(page) == {}
    refused = text(move(officer, page, "answer", words=""))
    assert english_on(refused) == {}
    page = text(move(officer, page, "answer", words="Cartrefi cynnes"))
    assert english_on(page) == {}
    page = text(move(officer, page, "hang-up"))
    assert english_on(page) == {}
