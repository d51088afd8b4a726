"""`sgwrs call`: ringing the bot from a terminal, through the same code as a real call."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import select

from bot.cli import SIMULATOR_NUMBER, cli
from bot.core.call_simulator import new_call_sid
from bot.engine import texts as say
from bot.runtime.container import Container
from bot.store.models import Answer, Call, Participant, Recording

#: After the language: the explanations, the expectations and the privacy notice, consent yes.
TO_VIEW = ["1"] * 8


def keys(*typed: str) -> str:
    return "".join(f"{line}\n" for line in typed)


def rows(container: Container, model: type) -> list:
    with container.db.session() as session:
        return list(session.exec(select(model)))


def test_a_call_in_english_prints_what_is_said_and_keeps_typed_answers(
    runner: CliRunner, container: Container
) -> None:
    typed = keys(*TO_VIEW, "1", "Warmer homes for all", "1", "", "Less paper", "1", "1")
    result = runner.invoke(cli, ["call", "--lang", "en"], input=typed)

    assert result.exit_code == 0, result.output
    output = result.output
    assert f"Calling Sgwrs as {SIMULATOR_NUMBER}" in output
    assert "[cy] Croeso i Sgwrs" in output  # the greeting is said in both languages
    assert "Key (0-9, *, #; Enter for silence): 2" in output  # --lang pressed it
    after_greeting = output.split("Enter for silence): 2", 1)[1]
    assert "[cy]" not in after_greeting
    assert "[en] Thanks." in after_greeting
    assert f"[en] {say.VOICE_KEYS.en}" in output
    assert "Press 1 for yes, or 2 for no." in output
    assert "Say your answer (type it; Enter for silence, 1 to skip):" in output
    assert f"[en] {say.VOICE_MISSED.en}" in output  # the silence at the feedback question
    assert output.rstrip().endswith("(Sgwrs hung up.)")
    assert "Goodbye." in output

    [participant] = rows(container, Participant)
    assert (participant.channel, participant.language, participant.is_test) == ("voice", "en", True)
    answers = {answer.step_id: answer for answer in rows(container, Answer)}
    assert container.vault.open(answers["hopes"].text_encrypted) == "Warmer homes for all"
    assert container.vault.open(answers["feedback"].text_encrypted) == "Less paper"
    assert answers["worries"].kind == "skipped"
    statuses = sorted(recording.status for recording in rows(container, Recording))
    assert statuses == ["simulated", "simulated", "skipped", "skipped"]
    [call] = rows(container, Call)
    assert call.status == "completed"


def test_a_call_in_welsh(runner: CliRunner, container: Container) -> None:
    typed = keys("1", *TO_VIEW, "2", "Camgymeriadau", "1", "1", "1", "2")
    result = runner.invoke(cli, ["call"], input=typed)

    assert result.exit_code == 0, result.output
    after_greeting = result.output.split("[en] Welcome to Sgwrs", 1)[1].split("\n", 1)[1]
    assert "[en]" not in after_greeting
    assert "[cy] Diolch." in after_greeting
    assert f"[cy] {say.VOICE_KEYS.cy}" in after_greeting
    assert "beth sy'n eich poeni chi am hyn?" in after_greeting
    assert say.VOICE_RECORD.cy in after_greeting
    assert "Hwyl fawr." in after_greeting
    assert result.output.rstrip().endswith("(Sgwrs hung up.)")
    [participant] = rows(container, Participant)
    assert (participant.language, participant.is_test) == ("cy", True)
    worries = next(a for a in rows(container, Answer) if a.step_id == "worries-first")
    assert container.vault.open(worries.text_encrypted) == "Camgymeriadau"


def test_the_end_of_input_hangs_up_politely(runner: CliRunner, container: Container) -> None:
    result = runner.invoke(cli, ["call", "--lang", "cy"], input=keys("1"))

    assert result.exit_code == 0, result.output
    assert "[cy] " in result.output
    assert result.output.rstrip().endswith("(You hung up.)")
    [call] = rows(container, Call)
    assert (call.status, call.duration_seconds is not None) == ("completed", True)


def test_a_key_that_is_not_one_key_is_asked_for_again(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["call"], input=keys("12", "x", "2"))

    assert result.exit_code == 0, result.output
    assert result.output.count("Press one key: 0 to 9, * or #.") == 2
    assert "[en] Thanks." in result.output


def test_silence_at_the_greeting_says_it_again_in_both_languages(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["call"], input=keys(""))

    assert result.exit_code == 0, result.output
    assert f"[cy] {say.VOICE_MISSED.cy}" in result.output
    assert f"[en] {say.VOICE_MISSED.en}" in result.output


def test_a_caller_who_knows_their_language_hears_star_pressed_for_the_other(
    runner: CliRunner,
) -> None:
    runner.invoke(cli, ["call", "--lang", "cy"], input=keys("1"))
    result = runner.invoke(cli, ["call", "--lang", "en"], input="")

    assert result.exit_code == 0, result.output
    assert f"[cy] {say.VOICE_WELCOME_BACK.cy}" in result.output
    assert "Enter for silence): *" in result.output
    assert "[en] " in result.output.split("Enter for silence): *", 1)[1]


def test_a_language_that_is_not_welsh_or_english_is_refused(
    runner: CliRunner, container: Container
) -> None:
    result = runner.invoke(cli, ["call", "--lang", "fr"], input="")

    assert result.exit_code == 2
    assert "Invalid value for '--lang'" in result.output
    assert rows(container, Participant) == []


def test_a_number_that_is_not_a_phone_is_refused(runner: CliRunner) -> None:
    for number in ("not-a-number", "whatsapp:+447700900001"):
        result = runner.invoke(cli, ["call", "--number", number], input="")
        assert result.exit_code == 2, result.output
        assert "Invalid value for --number" in result.output


def test_a_number_a_real_caller_uses_is_refused(runner: CliRunner, container: Container) -> None:
    container.calls.flow.press(new_call_sid(), SIMULATOR_NUMBER, 1, "2", 0)  # a real caller

    result = runner.invoke(cli, ["call"], input=keys("1"))

    assert result.exit_code == 1
    assert "A resident who is not test data uses this number" in result.output
    [participant] = rows(container, Participant)
    assert not participant.is_test
