"""What kind of text a resident sent, before what it answers: a question, a go-on, a skip,
thanks, no words at all, or a wish for a language.

Residents on basic phones do not follow a form. They ask "beth?" at an explanation, reply
"dunno" to "what do you fear?", send a picture or a thumbs-up, or write in Welsh to an English
prompt. The engine reads each text with these small, forgiving tests (both languages, any
case) before it decides what the text answers, so nothing a resident says is misfiled.
"""

from __future__ import annotations

import re
import unicodedata

from bot.engine.matching import fold
from bot.flowspec.model import Language

#: Question words: a text opening with one is a question, however short ("beth", "why").
_QUESTION_WORDS = frozenset(
    (
        *("why", "what", "whats", "who", "whos", "how", "when", "where", "which", "whose"),
        *("pam", "beth", "pwy", "sut", "pryd", "ble", "lle", "faint"),
    )
)
#: Verbs that open a question only in a sentence: "is my landlord told", not "will do".
_QUESTION_VERBS = frozenset(
    (
        *("can", "could", "will", "would", "is", "are", "does", "should", "shall", "may"),
        *("oes", "ydy", "ydi", "fydd", "ydych", "wnewch", "allwch", "gaf", "oedd", "fedrwch"),
    )
)
_QUESTION_PAIRS = frozenset(("do i", "do you", "do they", "a fydd", "alla i", "ga i", "a oes"))
_ASK_PREFIX = re.compile(r"^\s*(ask|gofyn)\b[\s:,.-]+(?P<rest>\S.*)$", re.IGNORECASE | re.DOTALL)

#: Replies that mean "go on" at an explanation, in either language.
GO_ON = frozenset(
    (
        *("ok", "okay", "k", "kk", "yes", "y", "yeah", "yep", "yup", "aye", "sure", "fine"),
        *("go on", "carry on", "continue", "next please", "got it", "understood", "right"),
        *("ok thanks", "ok thank you", "thanks", "thank you", "cool", "great", "good"),
        *("iawn", "ie", "ia", "ydw", "do", "cario mlaen", "ymlaen", "deall", "wedi deall"),
        *("iawn diolch", "diolch", "da", "grêt", "gret", "1", "un", "more", "mwy", "go"),
        *("tell me more", "mwy plis", "ok next", "next one", "yes please", "ie plis"),
    )
)
_GO_ON_SYMBOLS = frozenset(("👍", "👌", "✅", "🙂", "😊", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"))

#: Replies to an own-words question that say "I have nothing to say".
SKIPS = frozenset(
    (
        *("skip", "pass", "nothing", "none", "no", "nope", "nah", "n a", "na", "dunno"),
        *("dont know", "i dont know", "no idea", "not sure", "no comment", "nothing really"),
        *("no thanks", "nothing to say", "nope nothing", "no nothing", "idk", "n"),
        *("dim", "dim byd", "dim syniad", "dim clem", "sgen i ddim syniad", "sgen im syniad"),
        *("sai n gwybod", "dwi ddim yn gwybod", "wn i ddim", "dim diolch", "na diolch", "hepgor"),
    )
)

#: What people send once a conversation is over, meaning only "thank you" or "fine".
THANKS = frozenset(
    (
        *("thanks", "thank you", "thanks a lot", "cheers", "ta", "ok", "okay", "ok thanks"),
        *("great", "good", "lovely", "fine", "bye", "thx", "ty", "many thanks"),
        *("diolch", "diolch yn fawr", "diolch o galon", "iawn", "iawn diolch", "hwyl", "da iawn"),
    )
)

#: Names of the two languages, as residents write them at any point.
LANGUAGE_NAMES: dict[str, Language] = {
    "english": "en",
    "saesneg": "en",
    "in english": "en",
    "yn saesneg": "en",
    "cymraeg": "cy",
    "welsh": "cy",
    "in welsh": "cy",
    "yn gymraeg": "cy",
    "gymraeg": "cy",
}

#: Common words of each language, for telling which one a resident writes in.
_WELSH_WORDS = frozenset(
    (
        *("yn", "yr", "y", "a", "ac", "mae", "dw", "dwi", "rwy", "rydw", "ydw", "ddim", "dim"),
        *("ie", "ia", "na", "nage", "iawn", "diolch", "helo", "shwmae", "sut", "beth", "pam"),
        *("pwy", "ble", "pryd", "fi", "ti", "chi", "ni", "nhw", "ei", "eu", "fy", "eich"),
        *("gyda", "efo", "ar", "am", "o", "i", "yw", "ydy", "oes", "bore", "da", "nos"),
        *("croeso", "hwyl", "os", "gwelwch", "gwela", "plis", "gallu", "isio", "eisiau"),
        *("stopio", "dechrau", "cymorth", "eto", "iaith", "gofyn", "dileu", "newydd", "nesaf"),
        *("symlach", "helo", "shwmae", "smae"),
    )
)
_ENGLISH_WORDS = frozenset(
    (
        *("the", "a", "an", "and", "is", "are", "i", "im", "you", "it", "its", "to", "of"),
        *("yes", "no", "hi", "hello", "hiya", "thanks", "please", "what", "why", "how", "who"),
        *("my", "me", "we", "do", "dont", "not", "that", "this", "with", "for", "on", "in"),
        *("ok", "okay", "yeah", "morning", "evening", "good", "help", "want", "can", "have"),
        *("stop", "start", "repeat", "language", "ask", "delete", "new", "next", "simpler"),
        *("hey", "hiya", "unsubscribe", "stopall", "unstop"),
    )
)
#: Letters only Welsh uses among the two (circumflexes): a strong sign on their own.
_WELSH_LETTERS = frozenset("ŵŷâêîôûŴŶÂÊÎÔÛ")

#: Greetings, which stay greetings with a question mark ("helo?" means "is anyone there?").
_GREETINGS = frozenset(
    ("hi", "hello", "helo", "hiya", "hey", "hia", "shwmae", "smae", "su mae", "sut mae", "bore da")
)

_PHONE_NUMBER = re.compile(r"^\+?[\d\s().-]{7,}$")


def is_question(text: str) -> bool:
    """A question in either language, whatever the case: '?', a question word, or 'ask …'."""
    stripped = text.strip()
    if not stripped or is_greeting(stripped):
        return False
    asked = _ASK_PREFIX.match(stripped)
    if asked:  # "ask is my landlord told?" is a question; "Ask people first" is advice
        return is_question(asked.group("rest"))
    if stripped.endswith("?"):
        return True
    words = fold(stripped).split()
    if not words:
        return False
    if words[0] in _QUESTION_WORDS or " ".join(words[:2]) in _QUESTION_PAIRS:
        return True
    return words[0] in _QUESTION_VERBS and len(words) >= 3


def is_greeting(text: str) -> bool:
    """'Hi', 'helo?', 'Shwmae': someone checking we are there, not a question to file."""
    return fold(text) in _GREETINGS


def question_text(text: str) -> str:
    """The question itself: 'ask is my landlord told?' -> 'is my landlord told?'."""
    match = _ASK_PREFIX.match(text)
    return match.group("rest").strip() if match else text.strip()


def is_go_on(text: str) -> bool:
    """'OK', 'yes', '1', 'iawn', '👍': the resident read it and wants the next step."""
    stripped = text.strip()
    if stripped and all(symbol in _GO_ON_SYMBOLS for symbol in stripped.split()):
        return True
    return fold(stripped) in GO_ON


def is_skip(text: str) -> bool:
    """'skip', 'nothing', 'dunno', 'dim byd': nothing to say to this question."""
    return fold(text) in SKIPS


def is_thanks(text: str) -> bool:
    """'Thanks!', 'diolch yn fawr', 'ok': a courtesy, not something to file or answer."""
    stripped = text.strip()
    return fold(stripped) in THANKS or (bool(stripped) and is_go_on(stripped))


def has_words(text: str) -> bool:
    """False for an empty text, emoji or punctuation only, or a bare phone number."""
    if _PHONE_NUMBER.match(text.strip()):
        return False
    return any(unicodedata.category(ch)[0] == "L" for ch in text)


def language_named(text: str) -> Language | None:
    """'English', 'Saesneg', 'Cymraeg', 'Welsh' as the whole text: the language it names."""
    return LANGUAGE_NAMES.get(fold(text))


def guess_language(text: str) -> Language | None:
    """Which of Welsh and English a text is written in, or None when it cannot tell.

    Word lists, not a model: the engine stays pure and offline, and a one-word "hi" or
    "helo" is the usual case, which a statistical detector reads no better.
    """
    if any(ch in _WELSH_LETTERS for ch in text):
        return "cy"
    words = fold(text).split()
    welsh = sum(word in _WELSH_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    if welsh > english:
        return "cy"
    if english > welsh:
        return "en"
    return None
