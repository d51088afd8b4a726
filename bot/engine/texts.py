"""The engine's own messages (help, opt-out, re-asks...), in both languages, named for the code.

The words live in texts.yaml beside this file, read once when the engine is imported: the
council's translators review them through the same export and import as a flow's texts
(bot.core.translations), and `sgwrs flows check` checks them like any flow text. Each name
below must be in the file, and each text in the file must have a name here (tested).
"""

from __future__ import annotations

from pathlib import Path

from bot.flowspec.loading import load_system_texts
from bot.flowspec.model import Text

#: Where the texts are kept; the translation import writes reviewed Welsh back into it.
SOURCE = Path(__file__).with_name("texts.yaml")
_loaded = load_system_texts(SOURCE)

HELP: Text = _loaded.texts["HELP"]
HELP_ENDED: Text = _loaded.texts["HELP_ENDED"]
OPTED_OUT: Text = _loaded.texts["OPTED_OUT"]
OPTED_IN: Text = _loaded.texts["OPTED_IN"]
WELCOME_BACK: Text = _loaded.texts["WELCOME_BACK"]
LANGUAGE_SWITCHED: Text = _loaded.texts["LANGUAGE_SWITCHED"]
REASK_CHOICE: Text = _loaded.texts["REASK_CHOICE"]
REASK_YES_NO: Text = _loaded.texts["REASK_YES_NO"]
THANKS: Text = _loaded.texts["THANKS"]
SAY_NEXT: Text = _loaded.texts["SAY_NEXT"]
NO_SIMPLER: Text = _loaded.texts["NO_SIMPLER"]
ASK_WHAT: Text = _loaded.texts["ASK_WHAT"]
QUESTION_PASSED_ON: Text = _loaded.texts["QUESTION_PASSED_ON"]
ERASE_CONFIRM: Text = _loaded.texts["ERASE_CONFIRM"]
ERASED: Text = _loaded.texts["ERASED"]
ERASED_OPTED_OUT: Text = _loaded.texts["ERASED_OPTED_OUT"]
ERASE_CANCELLED: Text = _loaded.texts["ERASE_CANCELLED"]
HANDED_ON: Text = _loaded.texts["HANDED_ON"]
NOTED_AFTER_END: Text = _loaded.texts["NOTED_AFTER_END"]
ENDED: Text = _loaded.texts["ENDED"]
REMINDER: Text = _loaded.texts["REMINDER"]
FAQ_CHECK: Text = _loaded.texts["FAQ_CHECK"]
FAQ_GLAD: Text = _loaded.texts["FAQ_GLAD"]
ANSWER_AND_QUESTION_NOTED: Text = _loaded.texts["ANSWER_AND_QUESTION_NOTED"]
GO_ON_WHEN_READY: Text = _loaded.texts["GO_ON_WHEN_READY"]
AFTER_END_HINT: Text = _loaded.texts["AFTER_END_HINT"]
REACTION_HEARD: Text = _loaded.texts["REACTION_HEARD"]
MEDIA_NOT_READ: Text = _loaded.texts["MEDIA_NOT_READ"]
NO_WORDS: Text = _loaded.texts["NO_WORDS"]
SKIPPED: Text = _loaded.texts["SKIPPED"]
THANKS_AFTER_END: Text = _loaded.texts["THANKS_AFTER_END"]
CONSENT_AGAIN: Text = _loaded.texts["CONSENT_AGAIN"]
DECLINE_CONFIRMED: Text = _loaded.texts["DECLINE_CONFIRMED"]
CONSENT_GIVEN_LATER: Text = _loaded.texts["CONSENT_GIVEN_LATER"]
LANGUAGE_CHOSEN: Text = _loaded.texts["LANGUAGE_CHOSEN"]
ANSWER_INTRO: Text = _loaded.texts["ANSWER_INTRO"]
ANSWER_INTRO_QUOTING: Text = _loaded.texts["ANSWER_INTRO_QUOTING"]
ASK_AGAIN: Text = _loaded.texts["ASK_AGAIN"]
BROADCAST_ENDING: Text = _loaded.texts["BROADCAST_ENDING"]
VOICE_GO_ON: Text = _loaded.texts["VOICE_GO_ON"]
VOICE_GO_ON_OR_SIMPLER: Text = _loaded.texts["VOICE_GO_ON_OR_SIMPLER"]
VOICE_OPTION: Text = _loaded.texts["VOICE_OPTION"]
VOICE_YES_NO: Text = _loaded.texts["VOICE_YES_NO"]
VOICE_RECORD: Text = _loaded.texts["VOICE_RECORD"]
VOICE_KEYS: Text = _loaded.texts["VOICE_KEYS"]
VOICE_MISSED: Text = _loaded.texts["VOICE_MISSED"]
VOICE_WRONG_KEY: Text = _loaded.texts["VOICE_WRONG_KEY"]
VOICE_WELCOME: Text = _loaded.texts["VOICE_WELCOME"]
VOICE_GOODBYE_TEXT: Text = _loaded.texts["VOICE_GOODBYE_TEXT"]
VOICE_GOODBYE: Text = _loaded.texts["VOICE_GOODBYE"]
VOICE_WELCOME_BACK: Text = _loaded.texts["VOICE_WELCOME_BACK"]
VOICE_FINISHED: Text = _loaded.texts["VOICE_FINISHED"]
VOICE_OPTED_OUT: Text = _loaded.texts["VOICE_OPTED_OUT"]
VOICE_DECLINED: Text = _loaded.texts["VOICE_DECLINED"]
VOICE_ENDED: Text = _loaded.texts["VOICE_ENDED"]
VOICE_WITHHELD: Text = _loaded.texts["VOICE_WITHHELD"]

#: Every text by name, for the flow check and the translators' file.
ALL: dict[str, Text] = dict(_loaded.texts)
