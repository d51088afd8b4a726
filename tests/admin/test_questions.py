"""The questions inbox: the thread around each question, the server-side SMS counter, answering
through the outbox (and on to the fake Twilio), delivery status, and nothing lost on errors."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlmodel import select

from bot.channels.fake_twilio import FakeTwilio
from bot.channels.sms import MAX_BODY_CHARS, is_gsm7, normalise, segment_info
from bot.core.questions import QUOTE_CHARS, answer_frame, answer_text, quotes_of
from bot.runtime.background import InlinePump
from bot.runtime.container import Container
from bot.store.models import AuditEvent, Message, OutboxMessage, Question
from bot.store.participants import erase_participant
from tests.admin.conftest import TO_HOPES, form_fields, post_form, talk
from tests.conftest import TEST_AUTH_TOKEN, copy_sqlite, make_container
from tests.helpers import count_queries, signed_post

ENGLISH, WELSH = "+447700900201", "+447700900202"
COUNTER_JS = Path(__file__).resolve().parents[2] / "admin" / "static" / "counter.js"
WELSH_ANSWER = (
    "Diolch am ofyn. Ni fydd y tîm yn siarad â'ch landlord heb ofyn i chi'n gyntaf. "
    "Bydd hyn yn dechrau ym mis Mawrth."
)


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """Two residents with a question each (English first, then Welsh), seeded once per module."""
    path = tmp_path_factory.mktemp("questions") / "seeded.db"
    shutil.copy(sqlite_template, path)
    services = make_container(f"sqlite:///{path}")
    talk(
        services, ENGLISH, "LIB1", *TO_HOPES[1:], "Warm", "Spying", "None",
        "When will the scheme start?", "1",
    )  # fmt: skip
    talk(
        services, WELSH, "hi", "1", *TO_HOPES[2:], "Cynnes", "Ysbio", "Dim",
        "Beth am fy landlord?", "1",
    )  # fmt: skip
    with services.db.session() as session:
        assert len(session.exec(select(Question)).all()) == 2, "both questions must be queued"
    services.db.engine.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, seeded_template: Path) -> str:
    return copy_sqlite(seeded_template, tmp_path)


def question_id(services: Container, text: str) -> int:
    with services.db.session() as session:
        for question in session.exec(select(Question)):
            if services.vault.open(question.text_encrypted) == text:
                return question.id or 0
    raise AssertionError(f"no question {text!r}")


def outbox_rows(services: Container) -> list[OutboxMessage]:
    with services.db.session() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "answer")))


def run_node(script: str) -> object:
    """What a module script prints, as JSON: counter.js run as the browser would."""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(result.stdout)


def waiting_section(page: str) -> str:
    return page.split('id="answered"')[0]


# -- access -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(admin_app) -> None:
    client = admin_app.test_client()
    response = client.get("/admin/questions")
    assert response.status_code == 302
    assert "/admin/sign-in" in response.headers["Location"]
    response = post_form(
        client, "/admin/questions/1/answer", {"answer": "Hi"}, token_from="/admin/sign-in"
    )
    assert response.status_code == 302
    assert "/admin/sign-in" in response.headers["Location"]


def test_partners_can_neither_see_nor_answer_questions(sign_in, admin_services) -> None:
    client = sign_in("partner")
    assert client.get("/admin/questions").status_code == 403
    qid = question_id(admin_services, "When will the scheme start?")
    response = post_form(
        client, f"/admin/questions/{qid}/answer", {"answer": "Soon"}, token_from="/admin/sign-in"
    )
    assert response.status_code == 403
    assert outbox_rows(admin_services) == []


def test_answering_needs_a_csrf_token(sign_in, admin_services) -> None:
    qid = question_id(admin_services, "When will the scheme start?")
    response = sign_in("officer").post(f"/admin/questions/{qid}/answer", data={"answer": "Soon"})
    assert response.status_code == 400
    assert outbox_rows(admin_services) == []


# -- the inbox ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_the_inbox_lists_questions_oldest_first_with_their_thread(sign_in, role: str) -> None:
    response = sign_in(role).get("/admin/questions")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Waiting for an answer (2)" in page
    assert page.index("When will the scheme start?") < page.index("Beth am fy landlord?")
    assert "Question from 07••• ••• 201" in page
    assert "+447700900201" not in page
    assert "Do you have a question about this?" in page  # the bot's message before it
    assert "Oes gennych chi gwestiwn am hyn?" in page
    assert 'for="answer-1"' in page
    assert "/admin/static/counter.js" in page
    frame = answer_frame("en", "When will the scheme start?")
    assert frame.intros[0] == "The council's answer to your question 'When will the scheme start?':"
    assert frame.intros[-1] == "The council's answer to your question:"
    intros = re.search(r"data-sms-intros='([^']*)'", page)
    assert intros
    assert json.loads(html.unescape(intros[1])) == list(frame.intros)
    assert 'data-sms-outro="Text ASK with another question."' in page
    assert "No questions have been answered yet." in page


def test_the_inbox_takes_the_same_number_of_queries_however_many_questions(
    sign_in, admin_services
) -> None:
    client = sign_in("officer")
    with count_queries(admin_services) as two:
        client.get("/admin/questions")
    talk(admin_services, "+447700900203", "ASK How much will it cost me?")
    talk(admin_services, "+447700900204", "ASK Can my neighbour see it?")
    with admin_services.db.session() as session:
        assert len(session.exec(select(Question)).all()) == 4
    with count_queries(admin_services) as four:
        page = client.get("/admin/questions").get_data(as_text=True)
    assert "Waiting for an answer (4)" in page
    assert len(two) == len(four)


# -- the text the resident gets ---------------------------------------------------------------


def test_the_answer_quotes_the_question_and_says_how_to_ask_again() -> None:
    assert answer_text("en", "No, never.", "Is my landlord told?") == (
        "The council's answer to your question 'Is my landlord told?':\nNo, never.\n"
        "Text ASK with another question."
    )
    assert answer_text("cy", "Na.", "Ydy fy landlord yn cael gwybod?") == (
        "Ateb gan y cyngor i'ch cwestiwn 'Ydy fy landlord yn cael gwybod?':\nNa.\n"
        "Anfonwch GOFYN gyda chwestiwn arall."
    )
    # Language not chosen yet: both, Welsh first, as every text to such a resident. Two intros
    # and two closing lines fill one segment, so the quote would cost a second: it goes.
    assert answer_text(None, "No.", "Is it free?") == (
        "Ateb gan y cyngor i'ch cwestiwn:\n\nThe council's answer to your question:\nNo.\n"
        "Anfonwch GOFYN gyda chwestiwn arall.\n\nText ASK with another question."
    )
    longer = answer_text(
        None, "Ydy, am ddim. / Yes, it is free, and so are these texts.", "Is it free?"
    )
    assert longer.count("'Is it free?':") == 2  # two segments anyway: room for the quote


def test_a_long_question_is_cut_at_a_word_with_three_dots() -> None:
    question = "Will the   council tell my landlord, or the “housing” people, about my bills?"
    quotes = quotes_of(question)
    assert quotes[0] == "Will the council tell my landlord, or..."
    assert all(len(quote) <= QUOTE_CHARS for quote in quotes)
    assert all(quote.endswith("...") for quote in quotes)
    assert quotes[-1] == "Will the..."
    assert quotes_of("Is it free?") == ["Is it free?", "Is it..."]
    assert quotes_of("Help?") == ["Help?"]
    text = answer_text("en", "No.", question)
    assert "'Will the council tell my landlord, or...':" in text
    assert is_gsm7(text)  # curly quotes and the cut's dots never make it UCS-2


@pytest.mark.parametrize("length", range(20, 160, 7))
def test_the_quote_never_costs_an_extra_segment(length: int) -> None:
    """The quote shortens, or goes, rather than push the text into one more segment."""
    question = "Will the council tell my landlord about the meter readings?"
    answer = ("word " * 40)[:length].strip()
    unquoted = answer_frame("en", question)
    plain = f"{unquoted.intros[-1]}\n{answer}\n{unquoted.outro}"
    sent = answer_text("en", answer, question)
    assert segment_info(sent).segments == segment_info(plain).segments
    assert len(sent) >= len(plain)


def test_welsh_letters_in_the_question_are_quoted_only_when_they_cost_nothing() -> None:
    question = "Pwy sy'n gweld fy ngŵr?"
    gsm = answer_text("cy", "Neb.", question)
    assert is_gsm7(gsm)  # the ŵ would make the whole text UCS-2: the quote stops before it
    assert "'Pwy sy'n gweld fy...':" in gsm
    ucs2 = answer_text("cy", "Neb ond y tîm.", question)  # î: UCS-2 whatever the quote
    assert f"'{question}':" in ucs2


# -- the counter --------------------------------------------------------------------------------


def test_check_counts_welsh_text_as_ucs2_server_side_and_keeps_it(sign_in, admin_services) -> None:
    qid = question_id(admin_services, "Beth am fy landlord?")
    response = post_form(
        sign_in("officer"),
        f"/admin/questions/{qid}/answer",
        {"answer": WELSH_ANSWER, "action": "check"},
        token_from="/admin/questions",
    )
    page = response.get_data(as_text=True)
    info = segment_info(answer_text("cy", WELSH_ANSWER, "Beth am fy landlord?"))
    assert response.status_code == 200
    assert info.encoding == "UCS-2"
    assert info.segments == 3  # the whole quote would make it 4: it is cut to fit
    assert "'Beth am fy...':" in answer_text("cy", WELSH_ANSWER, "Beth am fy landlord?")
    assert (
        f"The text will be {info.characters} characters in UCS-2: 3 segment(s) of up to 67 "
        "characters, about £0.12." in page
    )
    assert f">{WELSH_ANSWER.replace(chr(39), '&#39;')}</textarea>" in page
    assert outbox_rows(admin_services) == []


def test_check_counts_plain_english_as_gsm7(sign_in, admin_services) -> None:
    qid = question_id(admin_services, "When will the scheme start?")
    response = post_form(
        sign_in("officer"),
        f"/admin/questions/{qid}/answer",
        {"answer": "In March. We will text you first.", "action": "check"},
        token_from="/admin/questions",
    )
    assert "in GSM-7: 1 segment(s) of up to 160 characters, about £0.04." in response.get_data(
        as_text=True
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run counter.js")
def test_the_live_counter_in_counter_js_agrees_with_bot_messaging() -> None:
    samples = [
        "",
        "Hello",
        "x" * 160,
        "x" * 161,
        "ŵ" * 70,
        "ŵ" * 71,
        "Curly “quotes” and – dashes… stay GSM-7",
        "{braces} [brackets] cost two each €" * 6,
        "x" * 152 + "€",
        "Emoji 😀 count two" * 5,
        WELSH_ANSWER,
        "  spaces\u00a0and\u200bzero width\r\nlines  ",
        "w\u0302 decomposed",
    ]
    script = (
        f"import {{ normalise, segmentInfo }} from {json.dumps(COUNTER_JS.as_uri())};\n"
        f"const samples = {json.dumps(samples)};\n"
        "console.log(JSON.stringify(samples.map((s) => { const n = normalise(s);"
        " const i = segmentInfo(n); return [n, i.encoding, i.characters, i.units, i.segments,"
        " i.perSegment]; })));"
    )
    expected = []
    for sample in samples:
        text = normalise(sample)
        info = segment_info(text)
        expected.append(
            [text, info.encoding, info.characters, info.units, info.segments, info.per_segment]
        )
    assert run_node(script) == expected


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run counter.js")
def test_the_live_counter_counts_exactly_the_text_that_is_sent() -> None:
    """counter.js picks the quote the way answer_text does, from the intros the page gives it."""
    cases = [
        ("en", "When will the scheme start?", "In March."),
        ("en", "Will the council tell my landlord about the meter readings?", "x " * 45),
        ("cy", "Pwy sy'n gweld fy ngŵr?", "Neb."),
        ("cy", "Pwy sy'n gweld fy ngŵr?", "Neb ond y tîm."),
        ("cy", "Beth am fy landlord?", WELSH_ANSWER),
        (None, "Is it free?", "Ydy / Yes."),
        ("en", "Is it free?", "Yes. " * 304),  # at Twilio's limit: the quote must not break it
    ]
    inputs = []
    for language, question, answer in cases:
        frame = answer_frame(language, question)
        inputs.append([list(frame.intros), frame.outro, normalise(answer)])
    script = (
        f"import {{ framed }} from {json.dumps(COUNTER_JS.as_uri())};\n"
        f"const cases = {json.dumps(inputs)};\n"
        f"console.log(JSON.stringify(cases.map(([i, o, a]) => framed(i, o, a, {MAX_BODY_CHARS}))));"
    )
    expected = [answer_text(language, normalise(a), question) for language, question, a in cases]
    assert run_node(script) == expected
    assert len(expected[-1]) <= MAX_BODY_CHARS
    assert expected[-1].startswith("The council's answer to your question:\n")


# -- answering ----------------------------------------------------------------------------------


def test_an_officer_answer_makes_one_outbox_row_and_leaves_the_inbox(
    sign_in, admin_services
) -> None:
    client = sign_in("officer")
    qid = question_id(admin_services, "When will the scheme start?")
    response = post_form(
        client,
        f"/admin/questions/{qid}/answer",
        {"answer": "In March 2027.", "action": "send"},
        token_from="/admin/questions",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/questions")
    rows = outbox_rows(admin_services)
    assert len(rows) == 1
    assert rows[0].dedupe_key == f"answer:{qid}"
    assert admin_services.vault.open(rows[0].body_encrypted) == (
        "The council's answer to your question 'When will the scheme start?':\n"
        "In March 2027.\nText ASK with another question."
    )
    page = client.get("/admin/questions").get_data(as_text=True)
    assert "Answer sent to the outbox" in page
    assert "Waiting for an answer (1)" in page
    assert "When will the scheme start?" not in waiting_section(page)
    answered = page.split('id="answered"')[1]
    assert "When will the scheme start?" in answered
    assert "In March 2027." in answered
    assert "Waiting to send" in answered
    with admin_services.db.session() as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "question_answered"))
        assert [(e.target, e.detail) for e in audit] == [
            (f"question:{qid}", f"outbox={rows[0].id}")
        ]


def test_the_answer_reaches_the_fake_twilio_and_shows_its_delivery(
    sign_in, admin_services, sqlite_url: str
) -> None:
    client = sign_in("officer")
    qid = question_id(admin_services, "Beth am fy landlord?")
    post_form(
        client,
        f"/admin/questions/{qid}/answer",
        {"answer": WELSH_ANSWER, "action": "send"},
        token_from="/admin/questions",
    )
    with FakeTwilio(TEST_AUTH_TOKEN) as fake:
        worker = make_container(
            sqlite_url, TWILIO_API_URL=fake.base_url, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN
        )
        try:
            assert InlinePump(worker).tick() == 1
        finally:
            worker.db.engine.dispose()
        sent = fake.sent_to(WELSH)
    assert len(sent) == 1
    assert sent[0].body == (
        "Ateb gan y cyngor i'ch cwestiwn 'Beth am fy...':\n"
        + WELSH_ANSWER
        + "\nAnfonwch GOFYN gyda chwestiwn arall."
    )
    assert "Sent" in client.get("/admin/questions").get_data(as_text=True).split('id="answered"')[1]
    callback = {
        "MessageSid": sent[0].sid,
        "MessageStatus": "delivered",
        "AccountSid": "AC" + "0" * 32,
    }
    assert signed_post(client, "/twilio/status", callback).status_code == 204
    answered = client.get("/admin/questions").get_data(as_text=True).split('id="answered"')[1]
    assert "Delivered" in answered
    with admin_services.db.session() as session:
        assert (
            session.exec(select(Message.status).where(Message.twilio_sid == sent[0].sid)).one()
            == "delivered"
        )


# -- nothing lost -------------------------------------------------------------------------------


def test_an_empty_answer_is_refused_with_a_message(sign_in, admin_services) -> None:
    qid = question_id(admin_services, "When will the scheme start?")
    response = post_form(
        sign_in("officer"), f"/admin/questions/{qid}/answer", {"answer": "   ", "action": "send"},
        token_from="/admin/questions",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert f'href="#answer-{qid}"' in page
    assert "Enter your answer." in page
    assert outbox_rows(admin_services) == []


def test_a_too_long_answer_is_refused_and_kept(sign_in, admin_services) -> None:
    qid = question_id(admin_services, "When will the scheme start?")
    long_answer = "We will tell you more soon. " * 60
    response = post_form(
        sign_in("officer"),
        f"/admin/questions/{qid}/answer",
        {"answer": long_answer, "action": "send"},
        token_from="/admin/questions",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The answer is too long" in page
    assert "Too long: the text would be" in page
    assert long_answer in page
    assert outbox_rows(admin_services) == []


def test_an_opted_out_resident_cannot_be_answered_and_the_text_is_kept(
    sign_in, admin_services
) -> None:
    qid = question_id(admin_services, "When will the scheme start?")
    talk(admin_services, ENGLISH, "STOP")
    response = post_form(
        sign_in("officer"),
        f"/admin/questions/{qid}/answer",
        {"answer": "In March.", "action": "send"},
        token_from="/admin/questions",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The resident has opted out of texts" in page
    assert "In March.</textarea>" in page
    assert outbox_rows(admin_services) == []


def test_answering_twice_keeps_the_second_text_and_sends_once(sign_in, admin_services) -> None:
    client = sign_in("officer")
    qid = question_id(admin_services, "When will the scheme start?")
    path = f"/admin/questions/{qid}/answer"
    # Two tabs: the inbox opened twice, each with the form's own one-time token.
    tabs = [form_fields(client.get("/admin/questions").get_data(as_text=True), path) for _ in "ab"]
    first = client.post(path, data={**tabs[0], "answer": "March.", "action": "send"})
    second = client.post(path, data={**tabs[1], "answer": "April!", "action": "send"})
    assert first.status_code == 302
    page = second.get_data(as_text=True)
    assert second.status_code == 400
    assert "That question is no longer waiting for an answer" in page
    assert "April!" in page
    assert len(outbox_rows(admin_services)) == 1


def test_a_question_erased_meanwhile_keeps_the_text(sign_in, admin_services) -> None:
    qid = question_id(admin_services, "When will the scheme start?")
    officer, path = sign_in("officer"), f"/admin/questions/{qid}/answer"
    fields = form_fields(officer.get("/admin/questions").get_data(as_text=True), path)
    with admin_services.db.session() as session:  # while the officer has the inbox open
        erase_participant(session, session.get(Question, qid).participant_id)
    response = officer.post(path, data={**fields, "answer": "Gone?", "action": "send"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "no longer exists" in page
    assert "Gone?" in page


def test_the_inbox_and_its_counter_read_in_welsh(sign_in) -> None:
    client = sign_in("officer")
    post_form(
        client,
        "/admin/language",
        {"language": "cy", "next": "/admin/questions"},
        token_from="/admin/questions",
    )
    page = client.get("/admin/questions").get_data(as_text=True)
    assert "Cwestiynau preswylwyr" in page
    assert "Gwirio hyd a chost" in page
    assert 'data-sms-template="Bydd y neges yn {characters} nod yn {encoding}' in page


# -- an answer in the other language -----------------------------------------------------------

INBOX = "/admin/questions"


def test_an_answer_in_the_other_language_is_held_with_a_warning_until_the_officer_confirms(
    sign_in, admin_services
) -> None:
    officer = sign_in("officer")
    qid = question_id(admin_services, "Beth am fy landlord?")  # a Welsh resident's
    path = f"/admin/questions/{qid}/answer"
    english = "The team will not talk to your landlord without asking you first."
    checked = post_form(officer, path, {"answer": english, "action": "check"}, token_from=INBOX)
    warning = "This answer looks like English, but this resident reads Welsh."
    assert warning in checked.get_data(as_text=True)
    held = post_form(officer, path, {"answer": english, "action": "send"}, token_from=INBOX)
    assert held.status_code == 400
    page = held.get_data(as_text=True)
    assert warning in page
    assert "Send as written" in page
    assert f">{english}</textarea>" in page  # nothing the officer typed is lost
    assert outbox_rows(admin_services) == []
    sent = post_form(
        officer, path, {"answer": english, "action": "send_as_written"}, token_from=INBOX
    )
    assert sent.status_code == 302
    assert len(outbox_rows(admin_services)) == 1
    with admin_services.db.session() as session:
        details = list(session.exec(select(AuditEvent.detail)))
    assert any(detail.endswith("; written=en") for detail in details)


def test_an_answer_in_the_residents_language_goes_without_a_warning(
    sign_in, admin_services
) -> None:
    officer = sign_in("officer")
    qid = question_id(admin_services, "Beth am fy landlord?")
    path = f"/admin/questions/{qid}/answer"
    sent = post_form(officer, path, {"answer": WELSH_ANSWER, "action": "send"}, token_from=INBOX)
    assert sent.status_code == 302
    page = officer.get("/admin/questions").get_data(as_text=True)
    assert "looks like" not in page
    qid = question_id(admin_services, "When will the scheme start?")  # an English resident's
    path = f"/admin/questions/{qid}/answer"
    held = post_form(officer, path, {"answer": WELSH_ANSWER, "action": "send"}, token_from=INBOX)
    assert "This answer looks like Welsh, but this resident reads English." in held.get_data(
        as_text=True
    )
