"""You said, we did: tell a flow's residents who asked to hear back what came of it.

Compose in Welsh and English (both required), preview who receives it (counts only) and what
it costs, send after confirming those figures, then watch progress and pause or resume.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import flow_choices, page_number
from admin.i18n import explain, translate
from admin.once import form_submission, one_time
from bot.core.audit import record_event
from bot.core.broadcasts import RESULT, BroadcastError, Preview, broadcast_text
from bot.core.form_tokens import Earlier
from bot.store.broadcast_list import count_broadcasts, list_broadcasts

bp = Blueprint("broadcasts", __name__)

PAGE_SIZE = 20


def _flows() -> list[tuple[str, str]]:
    """(id, title) of each flow a broadcast can follow up; the welcome flow asks nothing."""
    library = services().library
    return [choice for choice in flow_choices(library) if choice[0] != library.welcome_flow]


def _form() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in ("flow", "body_cy", "body_en")}


class FormError(Exception):
    """The form cannot be previewed or sent; `errors` are (field, message) pairs to show."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _preview(form: dict[str, str]) -> Preview:
    """The bot's preview, with every problem of the form found at once (not just the first)."""
    errors = []
    try:
        if form["flow"] not in dict(_flows()):
            errors.append(("flow", translate("Choose the flow whose residents should hear back.")))
            broadcast_text(form["body_cy"], form["body_en"])
            raise FormError(errors)
        preview = services().broadcasts.preview(form["flow"], form["body_cy"], form["body_en"])
    except BroadcastError as problem:
        empty = [name for name in ("body_cy", "body_en") if not form[name].strip()]
        errors += [(name, explain(problem)) for name in empty or ["body_cy"]]
    if errors:
        raise FormError(errors)
    return preview


def _show_broadcasts(
    form: dict[str, str] | None = None, preview: Preview | None = None, **notes: Any
) -> ResponseReturnValue:
    """Compose form (kept as typed), optional preview, and the list of broadcasts with progress."""
    page = page_number(request.args)
    with services().db.session() as session:
        listed = list_broadcasts(session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = count_broadcasts(session)
    return render_template(
        "admin/broadcasts.html",
        form=form or {"flow": "", "body_cy": "", "body_en": ""},
        preview=preview,
        flows=_flows(),
        listed=listed,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        price=services().settings.price_per_segment,
        **notes,
    ), 400 if notes.get("errors") else 200


@bp.get("/broadcasts")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Compose a broadcast and see the ones sent so far."""
    return _show_broadcasts()


@bp.post("/broadcasts/preview")
@requires("admin", "officer")
def preview() -> ResponseReturnValue:
    """Show recipients (counts only), segments and cost before anything is sent."""
    form = _form()
    try:
        preview = _preview(form)
    except FormError as refused:
        return _show_broadcasts(form, errors=refused.errors)
    return _show_broadcasts(form, preview)


def _already_sent(earlier: Earlier) -> ResponseReturnValue:
    """The same send form again (a double-click, a replay): the broadcast the first made, which
    is started now only if the first was cut short before it started (starting is once)."""
    broadcast_id = int(earlier.result.removeprefix(RESULT))
    if services().broadcasts.progress(broadcast_id).status == "draft":
        services().broadcasts.start(broadcast_id)
    flash(translate("This was already sent: here is the broadcast."), "success")
    return redirect(url_for("admin.broadcasts.index") + f"#broadcast-{broadcast_id}")


def _send_refused(message: str) -> ResponseReturnValue:
    """The compose form as the officer wrote it, to preview and send again."""
    return _show_broadcasts(_form(), errors=[("body_cy", message)])


@bp.post("/broadcasts/send")
@requires("admin", "officer")
@one_time(_already_sent, _send_refused)
def send() -> ResponseReturnValue:
    """Send what was previewed, if the figures the officer confirmed still hold."""
    form, user = _form(), current_user()
    try:
        preview = _preview(form)
        recipients = sum(preview.recipients.values())
        confirmed = (request.form.get("confirm_recipients"), request.form.get("confirm_segments"))
        if confirmed != (str(recipients), str(preview.total_segments)):
            changed = translate("The figures have changed since your preview. Check them again.")
            return _show_broadcasts(form, preview, warning=changed)
        created_by = user.name if user else ""
        broadcast_id = services().broadcasts.create(
            form["flow"], form["body_cy"], form["body_en"], created_by, once=form_submission()
        )
        written = services().broadcasts.start(broadcast_id)
    except FormError as refused:
        return _show_broadcasts(form, errors=refused.errors)
    except BroadcastError as problem:
        return _show_broadcasts(form, errors=[("body_cy", explain(problem))])
    with services().db.session() as session:
        detail = f"recipients={recipients}; segments={preview.total_segments}; sends={written}"
        record_event(
            session,
            user.id if user else None,
            "broadcast_sent",
            f"broadcast:{broadcast_id}",
            detail,
        )
    flash(translate("Broadcast started: {count} texts are on their way.", count=written), "success")
    return redirect(url_for("admin.broadcasts.index"))


def _change_state(broadcast_id: int, verb: str, action: str, done: str) -> ResponseReturnValue:
    """Pause or resume; a refusal (already done, not started) shows as a message, not an error."""
    user = current_user()
    try:
        getattr(services().broadcasts, verb)(broadcast_id, once=form_submission())
    except BroadcastError as problem:
        flash(explain(problem), "error")
        return redirect(url_for("admin.broadcasts.index"))
    with services().db.session() as session:
        record_event(session, user.id if user else None, action, f"broadcast:{broadcast_id}")
    flash(translate(done), "success")
    return redirect(url_for("admin.broadcasts.index"))


def _changed_already(done: str) -> Callable[..., ResponseReturnValue]:
    """Pause or resume sent again: told as the first was, and nothing changes again."""

    def replayed(_earlier: Earlier, broadcast_id: int) -> ResponseReturnValue:
        flash(translate(done), "success")
        return redirect(url_for("admin.broadcasts.index") + f"#broadcast-{broadcast_id}")

    return replayed


@bp.post("/broadcasts/<int:broadcast_id>/pause")
@requires("admin", "officer")
@one_time(_changed_already("Broadcast paused"))
def pause(broadcast_id: int) -> ResponseReturnValue:
    """Stop sending; texts not yet sent wait until it is resumed."""
    return _change_state(broadcast_id, "pause", "broadcast_paused", "Broadcast paused")


@bp.post("/broadcasts/<int:broadcast_id>/resume")
@requires("admin", "officer")
@one_time(_changed_already("Broadcast resumed"))
def resume(broadcast_id: int) -> ResponseReturnValue:
    """Carry on sending the texts that waited."""
    return _change_state(broadcast_id, "resume", "broadcast_resumed", "Broadcast resumed")
