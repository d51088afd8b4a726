"""Save as FAQ: from an answered question, an officer adds a bilingual entry to the flow's FAQ
(bot.core.faq_entries), so the bot answers the same question at once from then on."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.i18n import explain, translate
from admin.once import one_time, spend_form
from bot.core.audit import record_event
from bot.core.faq_entries import FaqDraft, FaqError, save_as_faq
from bot.core.form_tokens import Earlier
from bot.store.question_triage import AnsweredWords, get_answered_words

bp = Blueprint("question_faq", __name__)

FIELDS = ("question_cy", "question_en", "answer_cy", "answer_en")


class NotAnsweredError(Exception):
    """Only an answered question has an answer to save."""


def _answered(question_id: int) -> AnsweredWords:
    with services().db.session() as session:
        found = get_answered_words(session, services().vault, question_id)
    if found is None:
        raise NotAnsweredError
    return found


def _to_the_inbox() -> ResponseReturnValue:
    flash(translate("Only an answered question can be saved as FAQ."), "important")
    return redirect(url_for("admin.questions.index"))


def _prefilled(found: AnsweredWords) -> dict[str, str]:
    """The resident's question and the officer's answer, in the resident's language's boxes."""
    language = found.language if found.language in ("cy", "en") else "en"
    return {f"question_{language}": found.question, f"answer_{language}": found.answer}


def _show(
    found: AnsweredWords, values: dict[str, str], error: str | None = None
) -> ResponseReturnValue:
    page = render_template(
        "admin/question_faq.html",
        title=translate("Save as FAQ"),
        found=found,
        values=values,
        error=error,
        fields=FIELDS,
    )
    return page, 400 if error else 200


@bp.get("/questions/<int:question_id>/faq")
@requires("admin", "officer")
def form(question_id: int) -> ResponseReturnValue:
    """The entry to write, starting from the resident's question and the answer they got."""
    try:
        found = _answered(question_id)
    except NotAnsweredError:
        return _to_the_inbox()
    return _show(found, _prefilled(found))


def _saved_already(_earlier: Earlier, question_id: int) -> ResponseReturnValue:
    flash(translate("This FAQ entry was already saved."), "success")
    return redirect(url_for("admin.questions.index", status="answered"))


def _refused(message: str, question_id: int) -> ResponseReturnValue:
    """The form again with what was typed, and why nothing was saved."""
    try:
        found = _answered(question_id)
    except NotAnsweredError:  # no form to draw again: say only why nothing was done
        return render_template(
            "admin/refused.html", title=translate("Nothing was done"), text=message
        )
    return _show(found, {name: request.form.get(name, "") for name in FIELDS}, message)


SAVED = (
    "Saved to the FAQ: the bot now answers this question at once. "
    "Its Welsh awaits review by the translators."
)


@bp.post("/questions/<int:question_id>/faq")
@requires("admin", "officer")
@one_time(_saved_already, _refused)
def save(question_id: int) -> ResponseReturnValue:
    """Write the entry into the flow's file, its Welsh awaiting review, and use it at once."""
    try:
        found = _answered(question_id)
    except NotAnsweredError:
        return _to_the_inbox()
    values = {name: request.form.get(name, "") for name in FIELDS}
    sgwrs, user = services(), current_user()
    try:
        with sgwrs.db.session() as session:
            spend_form(session)
            saved = save_as_faq(
                sgwrs.library,
                sgwrs.settings.flows_path,
                found.flow_id,
                FaqDraft(**values),
                found.question,
            )
            detail = f"faq={saved.entry_id}; question={question_id}; version={saved.version}"
            record_event(
                session,
                user.id if user else None,
                "faq_entry_added",
                f"flow:{found.flow_id}",
                detail,
            )
    except FaqError as problem:
        return _show(found, values, explain(problem))
    flash(translate(SAVED), "success")
    return redirect(url_for("admin.questions.index", status="answered"))
