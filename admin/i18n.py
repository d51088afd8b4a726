"""The admin interface in English (default) or Welsh: a small catalogue, no extraction step.

Templates write `_("English text")`; `admin/catalogues/` holds the Welsh. Text missing from it shows
in English, so a new page works at once and the Welsh catches up.
"""

from __future__ import annotations

from flask import Flask, g, session
from markupsafe import Markup, escape

from admin.catalogues import CY
from bot.runtime.refusal import RefusalError

LANGUAGES = ("en", "cy")


def ui_language() -> str:
    """The reader's language: the page's own when it has one (`read_page_in`), else the one the
    officer chose (English until they choose)."""
    language = g.get("page_language") or session.get("ui_lang", "en")
    return language if language in LANGUAGES else "en"


def read_page_in(language: str) -> None:
    """Draw this request's page in `language`, whatever the session says: the public response
    page is read by visitors with no session, in the language its address asks for."""
    g.page_language = language if language in LANGUAGES else "en"


def translate(text: str, **values: object) -> str:
    """`text` in the interface language with `values` put in; when a value is markup (`as_is`,
    `command`), the rest is escaped and the result is markup, so the value keeps its element."""
    translated = CY.get(text, text) if ui_language() == "cy" else text
    if any(isinstance(value, Markup) for value in values.values()):
        return Markup(escape(translated)).format(**values)
    return translated.format(**values) if values else translated


def explain(problem: Exception) -> str:
    """A refusal from the service (bot.runtime.refusal) in the interface language, its values
    (a name, a limit) kept as they are."""
    if isinstance(problem, RefusalError):
        return translate(problem.template, **problem.values)
    return translate(str(problem))


def as_is(text: object) -> Markup:
    """A name or a value typed by a person, marked so no browser or screen reader's translation
    touches it, and so the Welsh interface is not mistaken for it (or it for the interface)."""
    return Markup('<span translate="no">{}</span>').format(text)


def as_is_values(values: dict[str, object]) -> dict[str, object]:
    """Each word among a message's values (a misspelt word, a step's name) kept as it is
    inside the translated words; figures need no marking."""
    return {key: as_is(value) if isinstance(value, str) else value for key, value in values.items()}


def said(text: object, language: str | None = None) -> Markup:
    """What a resident wrote or was sent, kept as it was: never translated by a browser, and
    marked with its language (when known) so a screen reader speaks it in that language."""
    if language in LANGUAGES:
        return Markup('<span lang="{}" translate="no">{}</span>').format(language, text)
    return as_is(text)


def command(text: str) -> Markup:
    """A command or file name to type exactly as shown."""
    return Markup('<code translate="no">{}</code>').format(text)


def install_i18n(app: Flask) -> None:
    app.jinja_env.globals.update(
        _=translate,
        ui_language=ui_language,
        as_is=as_is,
        as_is_values=as_is_values,
        said=said,
        command=command,
    )
