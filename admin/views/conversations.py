"""Conversations: the filtered, paged list of residents, one resident's thread (with officers'
notes and a call-back waiting, admin/views/notes.py), revealing a resident's full number for a
reason that goes in the audit log, and (admins) a subject access download of everything held
about the number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import (
    chosen_options,
    flow_choices,
    page_number,
    pagination,
    parse_date_range,
    partner_choices,
    partner_names,
)
from admin.i18n import translate
from admin.labels import (
    CHANNEL_LABELS,
    KIND_LABELS,
    LANGUAGE_LABELS,
    MESSAGE_STATUS_LABELS,
    STATUS_LABELS,
)
from admin.once import one_time, spend_form
from bot.core.audit import record_event
from bot.core.form_tokens import Earlier
from bot.core.notes import MAX_NOTE
from bot.core.rights import REASONS
from bot.core.subject_access import export_person
from bot.flowspec.model import FlowLibrary
from bot.store.conversation_list import (
    STATUSES,
    ConversationFilters,
    count_conversations,
    get_participant_number,
    list_conversations,
    read_transcript,
)
from bot.store.recordings import list_recordings
from bot.store.search import Search

bp = Blueprint("conversations", __name__)

PER_PAGE = 50
MAX_REASON = 500


def filter_options(library: FlowLibrary) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs for each filter; fixed labels in English, for templates to translate."""
    return {
        "flow": flow_choices(library),
        "partner": partner_choices(library),
        "language": list(LANGUAGE_LABELS.items()),
        "channel": list(CHANNEL_LABELS.items()),
        "status": [(status, STATUS_LABELS[status]) for status in STATUSES],
        "call_back": [("requested", "Call back requested")],
    }


def parse_filters(
    values: Mapping[str, str], library: FlowLibrary
) -> tuple[ConversationFilters, dict[str, str]]:
    """Known choices only (anything else means "any"), and the date range checked."""
    options = filter_options(library)
    chosen = chosen_options(values, options)
    lower, upper, errors = parse_date_range(values)
    filters = ConversationFilters(
        flow_id=chosen["flow"],
        partner_code=chosen["partner"],
        language=chosen["language"],
        channel=chosen["channel"],
        status=chosen["status"],
        started_from=lower,
        started_before=upper,
        call_back=chosen["call_back"] == "requested",
        search=Search.of(services().vault, values.get("q", "")),
    )
    return filters, errors


def labels() -> dict[str, dict[str, str]]:
    return {
        "status": STATUS_LABELS,
        "language": LANGUAGE_LABELS,
        "channel": CHANNEL_LABELS,
        "kind": KIND_LABELS,
        "message_status": MESSAGE_STATUS_LABELS,
    }


@bp.get("/conversations")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Residents' conversations, newest first: filtered, 50 a page, numbers masked."""
    sgwrs = services()
    filters, errors = parse_filters(request.args, sgwrs.library)
    page = page_number(request.args)
    with sgwrs.db.session() as session:
        total = count_conversations(session, filters)
        rows = list_conversations(
            session, sgwrs.vault, filters, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    return render_template(
        "admin/conversations.html",
        rows=rows,
        total=total,
        errors=errors,
        filters=filters,
        values=request.args,
        options=filter_options(sgwrs.library),
        labels=labels(),
        partners=partner_names(sgwrs.library),
        pagination=pagination(page, max(1, -(-total // PER_PAGE))),
    ), (400 if errors else 200)


@dataclass(frozen=True)
class FormProblem:
    """What was wrong with one of the transcript's forms: the field (its id on the page), the
    message in the officer's language, and what they typed, kept for them to put right."""

    field: str
    message: str
    typed: str = ""


def show_transcript(
    participant_id: int, *, revealed: str | None = None, problem: FormProblem | None = None
) -> ResponseReturnValue:
    """The transcript page; 400 when it is drawn again for a form that was refused."""
    sgwrs = services()
    with sgwrs.db.session() as session:
        found = read_transcript(session, sgwrs.vault, participant_id)
        recordings = list_recordings(session, participant_id)
    if found is None:
        abort(404)
    page = render_template(
        "admin/transcript.html",
        t=found,
        recordings={r.answer_id: r for r in recordings if r.answer_id},
        loose_recordings=[r for r in recordings if not r.answer_id],
        revealed=revealed,
        problem=problem,
        labels=labels(),
        partners=partner_names(sgwrs.library),
        flows=dict(flow_choices(sgwrs.library)),
        reasons=REASONS,
        max_note=MAX_NOTE,
    )
    return page, (400 if problem else 200)


@bp.get("/conversations/<int:participant_id>")
@requires("admin", "officer")
def transcript(participant_id: int) -> ResponseReturnValue:
    """One resident's thread as on a phone, with their answers and questions."""
    return show_transcript(participant_id)


def _revealed_already(_earlier: Earlier, participant_id: int) -> ResponseReturnValue:
    """The same reveal form again (a double-click): the number as the first showed it, with no
    second audit entry, since the first recorded this very request and its reason."""
    sgwrs = services()
    with sgwrs.db.session() as session:
        number = get_participant_number(session, sgwrs.vault, participant_id)
    if number is None:
        abort(404)
    return show_transcript(participant_id, revealed=number)


def _reveal_refused(message: str, participant_id: int) -> ResponseReturnValue:
    """The transcript with the reason as typed, to send again."""
    return show_transcript(participant_id, problem=FormProblem("reason", message, _reason()))


def _reason() -> str:
    return request.form.get("reason", "").strip()


@bp.post("/conversations/<int:participant_id>/reveal")
@requires("admin", "officer")
@one_time(_revealed_already, _reveal_refused)
def reveal_number(participant_id: int) -> ResponseReturnValue:
    """Show the full number once, for a stated reason that goes in the audit log."""
    reason = _reason()
    if not reason or len(reason) > MAX_REASON:
        message = "Enter why you need the full number" if not reason else "The reason is too long"
        return show_transcript(
            participant_id, problem=FormProblem("reason", translate(message), reason)
        )
    sgwrs, user = services(), current_user()
    assert user is not None
    with sgwrs.db.session() as session:
        spend_form(session)
        number = get_participant_number(session, sgwrs.vault, participant_id)
        if number is None:
            abort(404)
        target, sealed = f"participant:{participant_id}", sgwrs.vault.seal(reason)
        record_event(session, user.id, "number_revealed", target, sealed_reason=sealed)
    return show_transcript(participant_id, revealed=number)


@bp.post("/conversations/<int:participant_id>/subject-access")
@requires("admin")
def subject_access(participant_id: int) -> ResponseReturnValue:
    """Everything held about this resident's number (everyone who shared it), as a JSON file;
    admins only, because it is unredacted, and audit-logged by the export itself."""
    sgwrs, user = services(), current_user()
    assert user is not None
    with sgwrs.db.session() as session:
        number = get_participant_number(session, sgwrs.vault, participant_id)
    if number is None:
        abort(404)
    document = export_person(
        sgwrs.db,
        sgwrs.vault,
        number,
        clock=sgwrs.clock,
        retention_days=sgwrs.settings.retention_days,
        user_id=user.id,
    )
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="sgwrs-subject-access-{participant_id}.json"'
            ),
            "Cache-Control": "no-store",
        },
    )
