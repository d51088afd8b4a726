"""The audit log: who saw or did what, when, newest first (admins only), narrowed by action,
by account and by dates in the URL (a plain GET form), each entry's subject named in words."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from admin.audit_words import describe_target, detail_words, person_words
from admin.auth import requires, services
from admin.forms import (
    chosen_options,
    page_number,
    pagination,
    parse_date_range,
    whole_number,
)
from admin.i18n import translate, ui_language
from bot.runtime.redaction import redact
from bot.store.audit import AuditFilters, list_audit_events
from bot.store.audit_targets import find_target_rows
from bot.store.db import UnitOfWork
from bot.store.users import list_users

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
    "recording_played": "Played a caller's recording",
    "recording_summarised": "Typed a summary of a recording",
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
}


def filter_options(session: UnitOfWork) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for each filter, in the interface language: actions by their words,
    accounts by name with their email (two people can share a name)."""
    actions = sorted(
        ((action, translate(label)) for action, label in ACTION_LABELS.items()),
        key=lambda pair: pair[1].casefold(),
    )
    users = [(str(user.id), f"{user.name} ({user.email})") for user in list_users(session)]
    return {"action": actions, "user": users}


def parse_filters(
    values: Mapping[str, str], options: dict[str, list[tuple[str, str]]]
) -> tuple[AuditFilters, dict[str, str]]:
    """Known choices only (anything else means "any"), and the date range checked."""
    chosen = chosen_options(values, options)
    lower, upper, errors = parse_date_range(values)
    filters = AuditFilters(
        action=chosen["action"],
        user_id=whole_number(chosen["user"]),
        at_from=lower,
        at_before=upper,
    )
    return filters, errors


@bp.get("/audit")
@requires("admin")
def index() -> ResponseReturnValue:
    """The audit log, newest first, 50 a page (one extra row tells whether there is a next)."""
    page = page_number(request.args)
    sgwrs = services()
    with sgwrs.db.session() as session:
        options = filter_options(session)
        filters, errors = parse_filters(request.args, options)
        entries = list_audit_events(
            session, filters, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
        )
        shown = entries[:PER_PAGE]
        rows = find_target_rows(session, (entry.event.target for entry in shown))
    return render_template(
        "admin/audit.html",
        entries=shown,
        reasons={
            entry.event.id: redact(sgwrs.vault.open(sealed), ui_language()).text
            for entry in shown
            if (sealed := entry.event.reason_encrypted)
        },
        page=page,
        filtered=filters != AuditFilters(),
        errors=errors,
        values=request.args,
        options=options,
        actions=ACTION_LABELS,
        target=lambda target: describe_target(target, rows),
        person_words=person_words,
        detail_words=lambda detail: detail_words(detail, sgwrs.library),
        pagination=pagination(page, page, has_next=len(entries) > PER_PAGE),
    ), (400 if errors else 200)
