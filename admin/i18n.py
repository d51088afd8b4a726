"""The admin interface in English (default) or Welsh: a small catalogue, no extraction step.

Templates write `_("English text")`; `admin/catalogues/` holds the Welsh. Text missing from it shows
in English, so a new page works at once and the Welsh catches up.
"""

from __future__ import annotations

from flask import Flask, session

from admin.catalogues import CY

LANGUAGES = ("en", "cy")


def ui_language() -> str:
    language = session.get("ui_lang", "en")
    return language if language in LANGUAGES else "en"


def translate(text: str, **values: object) -> str:
    translated = CY.get(text, text) if ui_language() == "cy" else text
    return translated.format(**values) if values else translated


def install_i18n(app: Flask) -> None:
    app.jinja_env.globals.update(_=translate, ui_language=ui_language)
