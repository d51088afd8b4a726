"""The audit log: who saw or did what, when, newest first (admins only)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from admin.audit_words import detail_words, target_words
from admin.auth import requires, services
from admin.forms import page_number, pagination
from admin.i18n import ui_language
from bot.runtime.redaction import redact
from bot.store.audit import list_audit_events

bp = Blueprint("audit", __name__)

PER_PAGE = 50
#: Plain words for the actions the admin records; others show their snake_case name.
ACTION_LABELS = {
    "signed_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "number_revealed": "Revealed a number",
    "export_downloaded": "Downloaded an export",
    "user_created": "Added an account",
    "user_deactivated": "Deactivated an account",
    "question_answered": "Answered a question",
    "question_group_answered": "Answered similar questions at once",
    "question_dismissed": "Dismissed a question",
    "question_restored": "Restored a dismissed question",
    "question_assigned": "Assigned a question",
    "questions_exported": "Downloaded the questions",
    "faq_entry_added": "Saved an answer to the FAQ",
    "answer_tagged": "Tagged an answer",
    "answer_restored": "Filed back as an answer",
    "answer_marked_not_an_answer": "Marked as not an answer",
    "answer_refiled_as_question": "Filed an answer as a question",
    "answer_flagged": "Flagged an answer as significant",
    "answer_unflagged": "Removed a significant flag",
    "answers_changed_in_bulk": "Changed many answers at once",
    "theme_suggestion_accepted": "Accepted a suggested theme",
    "theme_suggestion_declined": "Declined a suggested theme",
    "theme_added": "Added a theme",
    "theme_renamed": "Renamed a theme",
    "themes_merged": "Merged themes",
    "broadcast_sent": 'Sent a "you said, we did" message',
    "broadcast_paused": "Paused a broadcast",
    "broadcast_resumed": "Resumed a broadcast",
    "broadcast_test_sent": "Sent a test of a broadcast to a phone",
    "resident_erased": "Erased a resident",
    "number_opted_out": "Opted a number out",
    "person_exported": "Downloaded a resident's data",
    "note_added": "Added a note to a conversation",
    "call_back_requested": "Marked a call back requested",
    "call_back_cleared": "Cleared a call back: the call was made",
    "signed_out": "Signed out",
    "sign_in_throttled": "Sign-in refused: too many attempts",
    "two_factor_failed": "Two-factor code not right",
    "two_factor_set_up": "Set up their two-factor sign-in",
    "two_factor_reset": "Reset an account's two-factor sign-in",
    "recovery_code_used": "Signed in with a recovery code",
    "password_changed": "Changed their password",
    "password_reset": "Reset an account's password",
    "user_role_changed": "Changed an account's role",
    "user_reactivated": "Reactivated an account",
    "response_saved": "Saved a public response draft",
    "response_published": "Published a public response",
    "response_saved": "Saved a public response draft",
    "response_published": "Published a public response",
}


@bp.get("/audit")
@requires("admin")
def index() -> ResponseReturnValue:
    """The audit log, newest first, 50 a page (one extra row tells whether there is a next)."""
    page = page_number(request.args)
    sgwrs = services()
    with sgwrs.db.session() as session:
        events = list_audit_events(session, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render_template(
        "admin/audit.html",
        events=events[:PER_PAGE],
        reasons={
            event.id: redact(sgwrs.vault.open(event.reason_encrypted), ui_language()).text
            for event, _name in events[:PER_PAGE]
            if event.reason_encrypted
        },
        page=page,
        actions=ACTION_LABELS,
        target_words=target_words,
        detail_words=lambda detail: detail_words(detail, sgwrs.library),
        pagination=pagination(page, page, has_next=len(events) > PER_PAGE),
    )
