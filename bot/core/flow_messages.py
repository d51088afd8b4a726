"""Every message a flow can send, listed once for `sgwrs flows check` and the flows page.

Both describe each message a resident may receive. If each walked the flow on its own, a new
kind of step or variant could be costed by one and missed by the other; listing them here means
the check and the sheet can never disagree about which messages exist. A step's message is the
one the engine sends: its prompt as rendered, options included (bot.engine.render.step_prompt).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine import texts as system_texts
from bot.engine.render import step_prompt
from bot.flowspec.model import BranchStep, ConsentStep, EndStep, Flow, SayStep, Text


@dataclass(frozen=True)
class FlowMessage:
    """One message: the step (or FAQ entry, or system text) it belongs to, and its variant."""

    step_id: str
    #: The step's kind; "faq" for an FAQ answer, "system" for one of the bot's own texts.
    kind: str
    #: "" for the step's own message; "simpler", "declined" or "faq" for the others.
    variant: str
    text: Text
    #: What officers call it, in both languages: the step's title, the FAQ entry's question, or
    #: the system text's name; None for a step the flow file gives no title.
    title: Text | None = None
    #: Said on a phone call, never sent as a text: a step's `voice` words, or a VOICE_ text.
    spoken: bool = False

    @property
    def name(self) -> str:
        """How `sgwrs flows check` names it: the id, then any variant in brackets."""
        if self.variant == "faq":
            return f"faq {self.step_id}"
        return f"{self.step_id} ({self.variant})" if self.variant else self.step_id


def flow_messages(flow: Flow) -> list[FlowMessage]:
    """Every message a resident of `flow` can receive, in file order, FAQ answers last.

    A branch step sends nothing, so it has no message; an end step's text goes as written.
    """
    messages = []
    for step in flow.steps:
        if isinstance(step, BranchStep):
            continue
        text = step.text if isinstance(step, EndStep) else step_prompt(flow, step)
        messages.append(FlowMessage(step.id, step.kind, "", text, step.title))
        if isinstance(step, SayStep) and step.simpler:
            messages.append(FlowMessage(step.id, step.kind, "simpler", step.simpler, step.title))
        if isinstance(step, ConsentStep):
            messages.append(FlowMessage(step.id, step.kind, "declined", step.declined, step.title))
        voice = getattr(step, "voice", None)
        if voice is not None:
            messages.append(FlowMessage(step.id, step.kind, "voice", voice, step.title, True))
    messages.extend(
        FlowMessage(entry.id, "faq", "faq", entry.answer, entry.question) for entry in flow.faq
    )
    return messages


#: The engine's texts said on a call only (bot/engine/voice.py) are named VOICE_...
SPOKEN_PREFIX = "VOICE_"


def _named(cy: str, en: str) -> Text:
    return Text(cy=cy, en=en)


#: What each of the bot's own texts is, for officers reading the flows page in either language.
SYSTEM_TITLES: dict[str, Text] = {
    "help": _named("Help, yng nghanol sgwrs", "Help, during a conversation"),
    "help_ended": _named("Help, wedi'r diwedd", "Help, after the end"),
    "opted_out": _named("Wedi stopio (STOPIO)", "Stopped (STOP)"),
    "opted_in": _named("Yn ôl wedi DECHRAU", "Back after START"),
    "welcome_back": _named("Croeso'n ôl wedi saib", "Welcome back after a pause"),
    "language_switched": _named("Iaith wedi newid", "Language switched"),
    "reask_choice": _named("Gofyn eto am rif", "Asking again for a number"),
    "reask_yes_no": _named("Gofyn eto am ie neu na", "Asking again for yes or no"),
    "thanks": _named("Diolch am ateb", "Thanks for an answer"),
    "say_next": _named("Sut i fynd ymlaen", "How to go on"),
    "no_simpler": _named("Dim geiriau symlach", "No simpler words"),
    "ask_what": _named("GOFYN heb gwestiwn", "ASK without a question"),
    "question_passed_on": _named("Cwestiwn i swyddog", "Question passed to an officer"),
    "erase_confirm": _named("Cadarnhau dileu", "Confirming erasure"),
    "erased": _named("Wedi dileu", "Erased"),
    "erased_opted_out": _named("Wedi dileu, wedi stopio", "Erased after STOP"),
    "erase_cancelled": _named("Dim dileu", "Erasure cancelled"),
    "handed_on": _named("Symud i'r llif nesaf", "Moving to the next flow"),
    "noted_after_end": _named("Neges wedi'r diwedd", "A text after the end"),
    "ended": _named("Sgwrs wedi gorffen", "Conversation ended"),
    "reminder": _named("Nodyn i'w atgoffa", "Reminder"),
    "faq_check": _named("A atebodd hynny?", "Did that answer it?"),
    "faq_glad": _named("Falch o helpu", "Glad it helped"),
    "answer_and_question_noted": _named("Ateb a chwestiwn", "Answer and question noted"),
    "go_on_when_ready": _named("Ymlaen pan fyddwch yn barod", "Go on when ready"),
    "after_end_hint": _named("Awgrym wedi'r diwedd", "Hint after the end"),
    "reaction_heard": _named("Ymateb wedi'i glywed", "Reaction heard"),
    "media_not_read": _named("Llun heb ei ddarllen", "Picture not read"),
    "no_words": _named("Dim geiriau", "No words"),
    "skipped": _named("Cwestiwn wedi'i hepgor", "Question skipped"),
    "thanks_after_end": _named("Diolch wedi'r diwedd", "Thanks after the end"),
    "consent_again": _named("Gofyn eto am ganiatâd", "Asking consent again"),
    "decline_confirmed": _named("Gwrthod wedi'i gadarnhau", "Decline confirmed"),
    "consent_given_later": _named("Caniatâd yn nes ymlaen", "Consent given later"),
    "language_chosen": _named("Iaith wedi'i dewis", "Language chosen"),
    "answer_intro": _named("Cyflwyno ateb swyddog", "Introducing an officer's answer"),
}


def system_messages() -> list[FlowMessage]:
    """The bot's own texts (help, STOP replies and the like), named in lower case."""
    return [
        FlowMessage(
            name.lower(),
            "system",
            "",
            text,
            SYSTEM_TITLES.get(name.lower()),
            spoken=name.startswith(SPOKEN_PREFIX),
        )
        for name, text in system_texts.ALL.items()
    ]
