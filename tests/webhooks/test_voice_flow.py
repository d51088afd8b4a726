"""Whole calls through the voice flow, as Twilio makes them (signed, on SQLite and PostgreSQL):
the language asked Welsh first, every step said with its keys, own-words answers recorded and
kept as the answer's recording, the call's own keys (9, 0, *), misses, and a retried callback
handled once."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlmodel import select

from bot.engine import texts as say
from bot.runtime.container import Container
from bot.store.models import Answer, Call, Message, Participant, Recording
from tests.helpers import inbound_params, new_sid, signed_post
from tests.webhooks.voice_caller import Caller

#: From the language question through the explanations and the privacy notice to consent.
TO_CONSENT = ["1"] * 8


def test_a_whole_call_in_english(client: FlaskClient, services: Container) -> None:
    caller = Caller(client)
    assert caller.ring().listen == "key"
    heard = caller.press("2")
    assert heard.said[0][0] == "en"
    assert "Press 1 to go on, or 2 for easier words." in heard.words
    assert heard.words.endswith(say.VOICE_KEYS.en)
    for key in TO_CONSENT[1:]:
        heard = caller.press(key)
    assert heard.words.endswith("Press 1 for yes, or 2 for no.")
    heard = caller.press("1")  # consent
    assert "Press 1: Yes. Press 2: No. Press 3: Not sure." in heard.words
    heard = caller.press("1")  # view: yes
    assert heard.listen == "recording"
    hope = new_sid("RE")
    caller.record(hope)  # hopes
    caller.record(key="1")  # worries: skipped
    caller.record(new_sid("RE"))  # feedback
    heard = caller.record(key="1")  # no question
    assert heard.listen == "key"
    heard = caller.press("1")  # hear back: yes
    assert heard.listen == "nothing"
    assert heard.words.endswith("Goodbye.")
    assert caller.hang_up(185) == 204

    with services.db.session() as session:
        participant = session.exec(select(Participant)).one()
        assert (participant.channel, participant.language) == ("voice", "en")
        assert participant.consent is True
        assert participant.hear_back is True
        answers = {a.step_id: a for a in session.exec(select(Answer)).all()}
        assert answers["hopes"].kind == "hope"
        assert services.vault.open(answers["hopes"].text_encrypted) == ""
        assert answers["worries"].kind == "skipped"
        recordings = session.exec(select(Recording).order_by(Recording.id)).all()
        kept = {r.recording_sid: r for r in recordings if r.status == "waiting"}
        assert kept[hope].answer_id == answers["hopes"].id
        skipped = [r for r in recordings if r.status == "skipped"]
        assert len(skipped) == 2  # the worries and the question, deleted at Twilio unheard
        call = session.exec(select(Call)).one()
        assert (call.status, call.duration_seconds, call.flow_id) == (
            "completed",
            185,
            "energy-data",
        )
        spoken = session.exec(select(Message).where(Message.direction == "out")).all()
        assert {m.status for m in spoken} == {"spoken"}
        assert all(m.segments == 0 for m in spoken)


def test_a_whole_call_in_welsh(client: FlaskClient, services: Container) -> None:
    caller = Caller(client)
    caller.ring()
    heard = caller.press("1")
    assert {language for language, _ in heard.said} == {"cy"}
    for key in [*TO_CONSENT[1:], "1", "2"]:  # consent, then view: no
        heard = caller.press(key)
    assert "beth sy'n eich poeni chi am hyn?" in heard.words
    for _ in range(4):  # worries, hopes, feedback, a question
        heard = caller.record()
    heard = caller.press("2")
    assert heard.listen == "nothing"
    assert "Press" not in heard.words
    with services.db.session() as session:
        kinds = sorted(a.kind for a in session.exec(select(Answer)).all() if a.kind != "choice")
        assert kinds == ["fear", "feedback", "hope", "question"]


def test_the_calls_own_keys_repeat_list_and_switch_language(client: FlaskClient) -> None:
    caller = Caller(client)
    caller.ring()
    first = caller.press("2")
    again = caller.press("9")
    assert again.words in first.words
    welsh = caller.press("*")
    assert welsh.said[0][0] == "cy"
    assert welsh.words.startswith("Iawn, Cymraeg o hyn ymlaen.")
    for key in [*TO_CONSENT[1:], "1"]:
        heard = caller.press(key)
    options = caller.press("0")
    assert options.words == "Pwyswch 1: Dylai. Pwyswch 2: Na ddylai. Pwyswch 3: Ddim yn siŵr."
    assert heard.listen == "key"


def test_silence_twice_says_the_options_then_goodbye_and_offers_a_text(
    client: FlaskClient, services: Container
) -> None:
    caller = Caller(client)
    caller.ring()
    caller.press("2")
    once = caller.press("")
    assert once.words.startswith(say.VOICE_MISSED.en)
    twice = caller.press("7")  # a key that means nothing at an explanation
    assert twice.words.startswith(say.VOICE_WRONG_KEY.en)
    goodbye = caller.press("")
    assert goodbye.listen == "nothing"
    assert goodbye.words == say.VOICE_GOODBYE_TEXT.en
    with services.db.session() as session:
        texted = session.exec(select(Participant).where(Participant.channel == "sms")).all()
        assert len(texted) == 1  # the offer goes through the outbox, as a missed call's does


def test_a_new_caller_who_presses_nothing_hears_both_languages_again(
    client: FlaskClient,
) -> None:
    caller = Caller(client)
    caller.ring()
    again = caller.press("")
    assert [language for language, _ in again.said] == ["cy", "cy", "en", "en"]
    assert again.said[0][1] == say.VOICE_MISSED.cy


def test_a_number_that_chose_welsh_by_text_is_greeted_in_welsh(
    client: FlaskClient, services: Container
) -> None:
    signed_post(client, "/twilio/messages", inbound_params("+447700900321", "hi"))
    signed_post(client, "/twilio/messages", inbound_params("+447700900321", "1"))
    heard = Caller(client).ring()
    assert {language for language, _ in heard.said} == {"cy"}
    assert "Pwyswch 1 i barhau" in heard.words


def test_a_retried_key_is_handled_once(client: FlaskClient, services: Container) -> None:
    caller = Caller(client)
    caller.ring()
    caller.press("2")
    action = caller.last.action if caller.last else ""
    first = caller.press("1")
    caller.last.action = action  # type: ignore[union-attr]  # Twilio retries the same request
    retried = caller.press("1")
    assert retried.words == first.words  # still the step after the plan, not the one after
    with services.db.session() as session:
        inbound = session.exec(select(Message).where(Message.direction == "in")).all()
        assert len(inbound) == 2


def test_a_caller_who_rings_again_carries_on_where_they_were(client: FlaskClient) -> None:
    caller = Caller(client)
    caller.ring()
    caller.press("2")
    step_two = caller.press("1")
    again = Caller(client).ring()
    assert again.words.startswith(say.VOICE_WELCOME_BACK.en)
    assert again.words.endswith(step_two.words.split(". ", 1)[-1].split(". ")[-1])
