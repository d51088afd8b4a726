"""Telling Welsh from English offline, for residents' words whose language nobody recorded.

A resident chooses a language for the conversation, but writes what they like ("Iawn, happy
with it"). Theme suggestions read each answer as the language it is in. py3langid's model ships
inside the package (no download, no network) and is held to the two languages Sgwrs speaks.
"""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(["cy", "en"])
    return identifier


def detect_language(text: str) -> str:
    """cy or en: the likelier of the two for `text` (cy when there is nothing to go on, as the
    Welsh Language Standards would have it)."""
    if not any(char.isalpha() for char in text):
        return "cy"
    language, _score = _identifier().classify(text)
    return str(language)
