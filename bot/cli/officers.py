"""Officers' commands: "you said, we did" broadcasts, residents' questions, and accounts."""

from __future__ import annotations

from collections.abc import Callable

import click

from bot.cli.setup import open_container
from bot.core.accounts import ROLES, AccountError, create_user
from bot.core.broadcasts import AUDIENCES, BroadcastError, Targeting
from bot.core.password_policy import password_problem
from bot.core.questions import AnswerError
from bot.core.reply_times import reply_due_for
from bot.flowspec.model import LANGUAGES
from bot.runtime.working_days import ReplyDue


@click.group()
def broadcast() -> None:
    """ "You said, we did": report back to the residents of a flow who asked to hear back."""


def _targeting_options(command: Callable[..., None]) -> Callable[..., None]:
    """--audience, --partner and --language: who of the flow's residents it is for."""
    for option in reversed(
        (
            click.option(
                "--audience",
                type=click.Choice(AUDIENCES),
                default="hear_back",
                show_default=True,
                help="hear_back: those who asked to hear back; took_part: everyone who took"
                " part and consented (never anyone who opted out).",
            ),
            click.option("--partner", default=None, help="Only this partner's residents (code)."),
            click.option(
                "--language",
                type=click.Choice(LANGUAGES),
                default=None,
                help="Only residents who chose this language.",
            ),
        )
    ):
        command = option(command)
    return command


def _broadcast_text(flow: str, cy: str, en: str, targeting: Targeting) -> None:
    preview = open_container().broadcasts.preview(flow, cy, en, targeting)
    for key, label in (("cy", "Welsh"), ("en", "English"), ("both", "both (language unknown)")):
        click.echo(
            f"  {label:<24} {preview.recipients[key]:>6} resident(s) x "
            f"{preview.segments_each[key]} segment(s) {preview.encodings[key]}"
        )
    click.echo(f"  total {preview.total_segments} segment(s), about £{preview.estimated_cost:.2f}")
    for warning in preview.warnings:
        click.echo(f"  Warning: {warning}")


@broadcast.command("preview")
@click.option("--flow", required=True)
@click.option("--cy", required=True, help="The message in Welsh.")
@click.option("--en", required=True, help="The message in English.")
@_targeting_options
def broadcast_preview(
    flow: str, cy: str, en: str, audience: str, partner: str | None, language: str | None
) -> None:
    """Show who would receive it (counts only), segments and cost, without sending.

    Each text ends with how to stop texts, in the resident's language; the segments count it.
    """
    try:
        _broadcast_text(flow, cy, en, Targeting(audience, partner, language))
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error


@broadcast.command("send")
@click.option("--flow", required=True)
@click.option("--cy", required=True, help="The message in Welsh.")
@click.option("--en", required=True, help="The message in English.")
@_targeting_options
@click.option("--by", "created_by", default="cli", show_default=True, help="Who is sending.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def broadcast_send(
    flow: str,
    cy: str,
    en: str,
    audience: str,
    partner: str | None,
    language: str | None,
    created_by: str,
    yes: bool,
) -> None:
    """Preview, confirm, then send to everyone the targeting reaches."""
    services = open_container()
    targeting = Targeting(audience, partner, language)
    try:
        _broadcast_text(flow, cy, en, targeting)
        if not yes:
            click.confirm("Send it now?", abort=True)
        broadcast_id = services.broadcasts.create(flow, cy, en, created_by, targeting)
        count = services.broadcasts.start(broadcast_id)
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"broadcast {broadcast_id}: {count} text(s) queued")


@broadcast.command("pause")
@click.argument("broadcast_id", type=int)
def broadcast_pause(broadcast_id: int) -> None:
    """Stop sending; texts not yet sent wait until resumed."""
    _broadcast_action(broadcast_id, "pause")


@broadcast.command("resume")
@click.argument("broadcast_id", type=int)
def broadcast_resume(broadcast_id: int) -> None:
    """Carry on sending a paused broadcast."""
    _broadcast_action(broadcast_id, "resume")


@broadcast.command("status")
@click.argument("broadcast_id", type=int)
def broadcast_status(broadcast_id: int) -> None:
    """How many texts are sent, waiting or failed, and until when quiet hours hold them."""
    _broadcast_action(broadcast_id, "progress")


def _broadcast_action(broadcast_id: int, action: str) -> None:
    broadcasts = open_container().broadcasts
    try:
        getattr(broadcasts, action)(broadcast_id)
        progress = broadcasts.progress(broadcast_id)
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error
    counts = ", ".join(f"{status} {count}" for status, count in sorted(progress.counts.items()))
    held = (
        f"; held for quiet hours until {progress.held_until:%H:%M}" if progress.held_until else ""
    )
    click.echo(f"broadcast {broadcast_id}: {progress.status}; {counts or 'no texts'}{held}")


@click.group()
def questions() -> None:
    """Residents' questions for officers."""


@questions.command("list")
def questions_list() -> None:
    """Questions awaiting an answer, oldest first, each with when its answer is due."""
    services = open_container()
    now = services.clock()
    for question in services.questions.open_questions():
        due = reply_due_for(services.library, question.flow_id, question.created_at, now)
        click.echo(f"#{question.id} [{question.language or '?'}] {_due(due)}: {question.text}")


def _due(due: ReplyDue) -> str:
    """'due Tue 8 Dec', or 'OVERDUE by 2 working days (due Tue 8 Dec)'."""
    day = f"{due.due:%a} {due.due.day} {due.due:%b}"
    if not due.overdue:
        return f"due {day}"
    days = "working day" if due.overdue_by == 1 else "working days"
    return f"OVERDUE by {due.overdue_by} {days} (due {day})"


@questions.command("answer")
@click.argument("question_id", type=int)
@click.argument("text")
def questions_answer(question_id: int, text: str) -> None:
    """Send an answer to the resident, in their language and channel."""
    try:
        open_container().questions.answer(question_id, text)
    except AnswerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"answer to question {question_id} queued")


def _acceptable(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise click.UsageError(problem)
    return password


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice(ROLES), prompt=True)
@click.option(
    "--partner",
    "partner_code",
    help="For partner accounts: the partner's code (asked for after the role when not given).",
)
@click.option("--password", help="At least 12 characters; asked for when not given.")
def create_user_command(
    email: str, name: str, role: str, partner_code: str | None, password: str | None
) -> None:
    """Create an admin, officer or partner account."""
    if role == "partner" and not partner_code:
        try:
            partner_code = click.prompt("Partner code")
        except click.Abort:  # nothing to read (a script): the account check below says why
            click.echo()
    if password is None:
        # Checked as soon as it is typed: a refused password is asked for again, on its own.
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, value_proc=_acceptable
        )
    services = open_container()
    try:
        with services.db.session() as session:
            create_user(
                session,
                email=email,
                name=name,
                role=role,
                password=password,
                partner_code=partner_code,
            )
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{role} account created for {email}")
