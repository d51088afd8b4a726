"""The whole admin in Welsh: every page, as each role opens it, with no English left showing.

An officer who chose Welsh must meet Welsh everywhere (the Welsh Language Standards): headings,
buttons, tables, audit actions and their details, flow findings, flashes after an action,
validation errors, dates, chart labels and the CSV headings of a Welsh export. The residents
seeded here all spoke Welsh, so nothing English on a page can be their data.

"English" is decided by the dictionaries the flow check uses: a visible word that the en_GB
dictionary knows and the Welsh one does not (mutations forgiven) is English. Words both
languages share ("data", "a", "ar") pass, so this can miss English but does not cry wolf.
Visible means text nodes outside <script> and <style>, and the attributes a person sees or
hears: title, alt, placeholder, aria-label and a button's value.
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Callable
from html.parser import HTMLParser
from string import Formatter

import pytest
from flask import Flask, session, url_for
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from admin import labels
from admin.audit_words import DETAIL_LABELS, EMPTY, TARGET_LABELS, VALUE_LABELS
from admin.catalogues import CY
from admin.i18n import explain
from admin.names import flow_title, option_title, step_title
from admin.views.audit import ACTION_LABELS
from bot.core.broadcasts import STATUS_REFUSALS
from bot.core.spelling import check_many
from bot.runtime.config import PROJECT_ROOT
from bot.runtime.container import Container
from bot.store.answer_list import AnswerFilter, list_open_answers
from bot.store.conversation_list import ConversationFilters, list_conversations
from bot.store.exports import COLUMNS
from bot.store.question_inbox import list_open_questions
from bot.store.themes import ThemeError, add_theme
from bot.store.users import list_users
from tests.admin.conftest import ACCOUNTS, post_form, talk
from tests.admin.pages import Form, read_page
from tests.admin.test_access import admin_rules
from tests.helpers import add_recording

SPOKEN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
#: Words Welsh takes whole from English, and file formats: not English on a Welsh page.
SHARED = {"segment", "staff", "algorithm", "partner", "grant", "emoji", "csv", "xlsx", "pdf"}

#: A Welsh resident through the energy-data flow: Welsh, the explainer, consent, hopes and fears.
WELSH_ROUTE = ("helo", "1", *["nesaf"] * 7, "ie", "1")


#: Elements that hold no text anyone reads, and those that never close.
HIDDEN = ("script", "style")
VOID = ("area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")


class VisibleText(HTMLParser):
    """Every piece of Welsh-interface text on a page that a person reads or a screen reader speaks.

    Text inside an element marked with another language (`lang="en"`: an English resident's
    messages, the English half of a broadcast, the name "English" on the language switch) is
    that language's, said so to screen readers, and is not the interface's; so is text marked
    `translate="no"` (a command to type, a partner's code).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        #: Each open element, and whether text inside it is out of scope.
        self._open: list[tuple[str, bool]] = []

    def _skipped(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        other_language = attr.get("lang", "cy").split("-")[0] != "cy" and tag != "html"
        untranslated = attr.get("translate") == "no"
        skipping = self._skipped() or tag in HIDDEN or other_language or untranslated
        if not skipping:
            self.pieces.extend(attr[name] for name in SPOKEN_ATTRIBUTES if attr.get(name))
            if tag == "input" and attr.get("type") in ("submit", "button") and attr.get("value"):
                self.pieces.append(attr["value"])
        if tag not in VOID:
            self._open.append((tag, skipping))

    def handle_endtag(self, tag: str) -> None:
        # An element left open (a <p> or <li> closed by its parent) closes with the parent.
        if any(name == tag for name, _ in self._open):
            while self._open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self._skipped() and data.strip():
            self.pieces.append(" ".join(data.split()))


def english_in(pieces: list[str]) -> dict[str, list[str]]:
    """Each piece of text with the English words in it (pieces without any left out)."""
    not_welsh = check_many(pieces, "cy", SHARED)
    words = {miss.word for misses in not_welsh.values() for miss in misses}
    not_english = check_many(words, "en", SHARED)
    found: dict[str, list[str]] = {}
    for piece, misses in not_welsh.items():
        english = [miss.word for miss in misses if miss.word not in not_english]
        if english:
            found[piece] = english
    return found


def english_on(page: str) -> dict[str, list[str]]:
    reader = VisibleText()
    reader.feed(page)
    return english_in(reader.pieces)


@pytest.fixture
def welsh_pilot(admin_services: Container) -> dict[str, int | str]:
    """Welsh residents with answers and questions, a theme, a broadcast: a real row of each
    kind a route takes."""
    for n, (hope, fear) in enumerate(
        [
            ("Cartrefi cynnes i bawb", "Bod rhywun yn ein gwylio"),
            ("Biliau is yn y gaeaf", "Colli rheolaeth ar fy nata"),
        ]
    ):
        talk(
            admin_services,
            f"+44770090{n:04d}",
            *WELSH_ROUTE,
            hope,
            fear,
            "Mwy o help",
            "Pwy sy'n darllen fy atebion?",
            "1",
        )
    library, vault = admin_services.library, admin_services.vault
    follow_up = next(flow for flow in sorted(library.flows) if flow != library.welcome_flow)
    broadcast = admin_services.broadcasts.create(
        follow_up, "Diolch am eich atebion", "Thank you for your answers", "Swyddog"
    )
    with admin_services.db.session() as session:
        residents = list_conversations(session, vault, ConversationFilters(), limit=1, offset=0)
        answers = list_open_answers(session, vault, AnswerFilter(), limit=1, offset=0)
        questions = list_open_questions(session, vault, limit=1)
        theme = add_theme(session, "Ymddiriedaeth")
        accounts = {user.email: user.id for user in list_users(session)}
    answer = answers.answers[0]
    recording = add_recording(admin_services, answer.participant_id or 0, answer_id=answer.id)
    return {
        "participant_id": residents[0].participant_id,
        "answer_id": answers.answers[0].id,
        "recording_id": recording,
        "question_id": questions[0].id,
        "theme_id": theme.id or 0,
        "user_id": accounts[ACCOUNTS["other_partner"][0]] or 0,
        "broadcast_id": broadcast,
        "flow_id": follow_up,
    }


def welsh_client(sign_in: Callable[[str], FlaskClient], role: str) -> FlaskClient:
    client = sign_in(role)
    page = "/admin/account/password"
    post_form(client, "/admin/language", {"language": "cy", "next": page}, token_from=page)
    return client


def get_paths(app: Flask, ids: dict[str, int]) -> list[str]:
    """Every GET page under /admin, with a real row's id where the route takes one."""
    paths = []
    with app.test_request_context():
        for rule in admin_rules(app):
            if "GET" not in (rule.methods or ()) or rule.endpoint.endswith("static"):
                continue
            paths.append(url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments}))
    return paths


@pytest.mark.parametrize("role", ["admin", "officer", "partner"])
def test_every_page_a_role_opens_is_welsh(
    admin_app: Flask,
    sign_in: Callable[[str], FlaskClient],
    welsh_pilot: dict[str, int],
    role: str,
) -> None:
    client = welsh_client(sign_in, role)
    english: dict[str, dict[str, list[str]]] = {}
    for path in get_paths(admin_app, welsh_pilot):
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        found = english_on(response.get_data(as_text=True))
        if found:
            english[path] = found
    assert english == {}, "\n".join(
        f"{path}: {piece[:90]!r} {words}"
        for path, found in english.items()
        for piece, words in found.items()
    )


#: The page each kind of form is on, for its tokens.
TOKEN_PAGES = {
    "themes": "/admin/themes",
    "answers": "/admin/answers",
    "questions": "/admin/questions",
}
#: Forms the walk below leaves alone: signing out ends the walk, the language switch is English.
LEFT_ALONE = ("/admin/sign-out", "/admin/language")


def _forms(client: FlaskClient, page: str) -> list[Form]:
    response = client.get(page)
    if response.mimetype != "text/html":  # a download, or a recording's audio
        return []
    return [
        form
        for form in read_page(response.get_data(as_text=True)).forms
        if form.method == "post" and form.action not in LEFT_ALONE
    ]


def test_every_form_sent_as_it_stands_answers_in_welsh(
    admin_app: Flask, sign_in: Callable[[str], FlaskClient], welsh_pilot: dict[str, int]
) -> None:
    """Each form on each page, sent untouched (mostly empty: validation errors) and followed to
    the page it lands on (flash messages), reads in Welsh; then the audit log of it all does."""
    client = welsh_client(sign_in, "admin")
    english: dict[str, dict[str, list[str]]] = {}
    for page in get_paths(admin_app, welsh_pilot):
        for number in range(len(_forms(client, page))):
            forms = _forms(client, page)  # again: each send spends the page's one-time tokens
            if number >= len(forms):
                break
            form = forms[number]
            data = MultiDict(form.fields)
            response = client.post(form.action or page, data=data, follow_redirects=True)
            if response.mimetype == "text/html":
                found = english_on(response.get_data(as_text=True))
                if found:
                    english[f"{page} -> {form.action}"] = found
    for path, data in [
        ("/admin/themes", {"name": "Costau"}),
        (f"/admin/answers/{welsh_pilot['answer_id']}/themes", {"new_theme": "Preifatrwydd"}),
        (f"/admin/questions/{welsh_pilot['question_id']}/answer", {"answer": "Tîm bach."}),
    ]:
        response = post_form(client, path, data, token_from=TOKEN_PAGES.get(path.split("/")[2]))
        found = english_on(client.get(response.location or path).get_data(as_text=True))
        if found:
            english[path] = found
    found = english_on(client.get("/admin/audit").get_data(as_text=True))
    if found:
        english["/admin/audit"] = found
    assert english == {}, "\n".join(
        f"{path}: {piece[:90]!r} {words}"
        for path, found in english.items()
        for piece, words in found.items()
    )


# -- the catalogue itself ------------------------------------------------------------------------


def _refusal_classes() -> set[str]:
    """Names of the service's refusals: every class that subclasses RefusalError."""
    found = {"RefusalError"}
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id in found for base in node.bases
            ):
                found.add(node.name)
    return found


def refusal_templates() -> dict[str, str]:
    """Every refusal the service raises in its own words, with where: what officers may read."""
    classes = _refusal_classes()
    found: dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in classes
                and node.args
            ):
                for value in _strings(node.args[0]):
                    found[value] = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
    return found


def _strings(node: ast.expr) -> list[str]:
    """The message a refusal is raised with: a literal, or a lookup in a dict of literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        raise AssertionError(f"an f-string refusal cannot be translated: line {node.lineno}")
    return []


def test_every_refusal_the_service_raises_has_welsh() -> None:
    templates = refusal_templates()
    assert len(templates) > 20  # the walk found them: themes, accounts, rights, broadcasts...
    assert {text: where for text, where in templates.items() if text not in CY} == {}
    assert all(text in CY for text in STATUS_REFUSALS.values())


def test_every_label_the_admin_shows_has_welsh() -> None:
    tables = [ACTION_LABELS, TARGET_LABELS, DETAIL_LABELS, EMPTY, *VALUE_LABELS.values()]
    tables += [
        table
        for name, table in vars(labels).items()
        if name.endswith("_LABELS") and isinstance(table, dict)
    ]
    missing = {text for table in tables for text in table.values() if text not in CY}
    assert missing == set()


def test_each_welsh_entry_keeps_the_placeholders_of_its_english() -> None:
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    wrong = {
        english for english, welsh in CY.items() if placeholders(english) != placeholders(welsh)
    }
    assert wrong == set()


def test_a_refusal_reads_in_the_officers_language(admin_app: Flask) -> None:
    refusal = ThemeError("There is already a theme called “{name}”.", name="Cost")
    assert str(refusal) == "There is already a theme called “Cost”."
    with admin_app.test_request_context():
        session["ui_lang"] = "cy"
        assert explain(refusal) == "Mae thema o'r enw “Cost” yn bod yn barod."
        session["ui_lang"] = "en"
        assert explain(refusal) == "There is already a theme called “Cost”."


def test_a_welsh_export_has_welsh_headings(
    sign_in: Callable[[str], FlaskClient], welsh_pilot: dict[str, int]
) -> None:
    client = welsh_client(sign_in, "officer")
    assert english_on(client.get("/admin/export").get_data(as_text=True)) == {}
    response = post_form(client, "/admin/export", {})
    headings = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert headings[:2] == ["cyfranogwr", "llif"]
    assert len(headings) == len(COLUMNS)
    assert english_in([heading.replace("_", " ") for heading in headings]) == {}


def test_an_error_page_is_welsh(sign_in: Callable[[str], FlaskClient]) -> None:
    client = welsh_client(sign_in, "partner")
    for method, path, status in [
        ("get", "/admin/no-such-page", 404),
        ("get", "/admin/users", 403),
        ("put", "/admin/overview", 405),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == status
        assert english_on(response.get_data(as_text=True)) == {}


def test_the_sign_in_pages_are_welsh_before_anyone_signs_in(admin_app: Flask) -> None:
    visitor = admin_app.test_client()
    page = "/admin/sign-in"
    post_form(visitor, "/admin/language", {"language": "cy", "next": page}, token_from=page)
    signed_out = visitor.get(page).get_data(as_text=True)
    assert '<html lang="cy"' in signed_out
    assert english_on(signed_out) == {}
    refused = post_form(visitor, page, {"email": "neb@example.org", "password": "anghywir"})
    assert english_on(refused.get_data(as_text=True)) == {}


def test_a_flow_or_step_no_longer_in_the_library_shows_its_id(admin_app: Flask) -> None:
    with admin_app.test_request_context():
        session["ui_lang"] = "cy"
        assert flow_title("energy-data") == "Data ynni a chartrefi oer"
        assert flow_title("gone") == "gone"
        assert step_title("energy-data", "worries") == "Pryderon"
        assert step_title("energy-data", "gone") == "gone"
        assert option_title("energy-data", "view", "yes") == "Dylai"
        assert option_title("energy-data", "view", "maybe-not") == "maybe-not"
