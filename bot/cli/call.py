"""`sgwrs call`: ring the bot from a terminal and hear (read) what a caller would."""

from __future__ import annotations

import logging

import click

from bot.channels.addresses import AddressError, parse_address
from bot.cli.setup import SIMULATOR_NUMBER, open_container, with_local_twilio
from bot.core.call_flow import LANGUAGE_KEYS
from bot.core.call_simulator import (
    CallSimulator,
    Played,
    SimulatedCall,
    SimulatorError,
    new_call_sid,
)
from bot.runtime.background import InlinePump
from bot.runtime.container import build_container

KEY_PROMPT = "Key (0-9, *, #; Enter for silence):"
ANSWER_PROMPT = "Say your answer (type it; Enter for silence, 1 to skip):"


@click.command()
@click.option(
    "--lang",
    type=click.Choice(["cy", "en"]),
    help="Press this language's key at the greeting (or * when the call speaks the other).",
)
@click.option("--number", default=SIMULATOR_NUMBER, show_default=True, help="Pretend caller.")
def call(lang: str | None, number: str) -> None:
    """Ring the bot from this terminal, through the same code as a real call.

    Each thing the call would say is printed with its language. Type a key where it asks for
    one (Enter alone is silence); where it records your own words, type what you would say
    instead. Ctrl-D hangs up. The caller is test data, left out of every figure.
    """
    logging.getLogger().setLevel(logging.WARNING)  # the call, not the event log
    settings = open_container().settings
    try:
        caller = parse_address(number)
    except AddressError as error:
        raise click.BadParameter(str(error), param_hint="--number") from error
    if caller.channel != "sms":
        raise click.BadParameter("a call comes from a phone number", param_hint="--number")
    settings, fake = with_local_twilio(settings, settings.public_url, callbacks=False)
    services = build_container(settings)
    pump = InlinePump(services) if services.redis is None and fake is not None else None
    if pump is not None:
        pump.start()  # so a text the call offers goes out, and skipped recordings are deleted
    simulator = CallSimulator(services.calls)
    phone = SimulatedCall(new_call_sid(), caller.number, settings.twilio_from_sms)
    click.echo(f"Calling Sgwrs as {number}. Type a key when asked; Ctrl-D hangs up.")
    try:
        played = simulator.ring(phone)
        _show(played, number)
        if lang is not None and not played.ended:
            played = _choose_language(simulator, phone, played, lang, number)
        while not played.ended:
            typed = _ask(ANSWER_PROMPT if played.listen == "recording" else KEY_PROMPT)
            if typed is None:
                simulator.hang_up(phone)
                click.echo("(You hung up.)")
                break
            try:
                if played.listen == "recording":
                    played = simulator.answer(phone, played, typed)
                else:
                    played = simulator.press(phone, played, typed)
            except SimulatorError as problem:
                click.echo(str(problem))
                continue
            _show(played, number)
        else:
            click.echo("(Sgwrs hung up.)")
    except SimulatorError as problem:
        raise click.ClickException(str(problem)) from problem
    finally:
        if pump is not None:
            pump.stop()
        if fake is not None:
            fake.stop()


def _choose_language(
    simulator: CallSimulator, phone: SimulatedCall, played: Played, lang: str, number: str
) -> Played:
    """--lang: its key at the language question (said in both), or * to change language on
    a call that greeted the caller in the other."""
    languages = {language for language, _ in played.said}
    if len(languages) > 1 and played.listen == "key":
        key = LANGUAGE_KEYS[lang]  # type: ignore[index]
    elif languages and lang not in languages and played.listen == "key":
        key = "*"
    else:
        return played
    click.echo(f"{KEY_PROMPT} {key}")
    played = simulator.press(phone, played, key)
    _show(played, number)
    return played


def _ask(prompt: str) -> str | None:
    """One line typed after `prompt`; None when the input ended (Ctrl-D) or was interrupted."""
    try:
        typed: str = click.prompt(prompt, default="", show_default=False, prompt_suffix=" ")
    except click.Abort:
        click.echo()
        return None
    return typed.strip()


def _show(played: Played, number: str) -> None:
    if played.missed:
        click.echo("(The call was rejected unanswered, as a missed call: VOICE_MODE=missed-call.)")
    for language, words in played.said:
        lines = words.replace("\n", "\n     ")  # each line under the first, not under [cy]
        click.echo(click.style(f"[{language}] {lines}", fg="green"))
    if played.listen == "recording":
        click.echo(click.style("  (what you type stands in for a recording)", dim=True))
    if played.texted:
        click.echo(click.style(f"  (a text to {number} is on its way)", dim=True))
