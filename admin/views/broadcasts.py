"""You said, we did: tell a flow's residents what came of what they said.

Compose in Welsh and English (both required), choose who it is for (those who asked to hear
back, or everyone who took part; one partner's or one language's residents), preview who
receives it (counts only) and what it costs with the ending that says how to stop, try it on
your own phone, send after confirming those figures, then watch progress (held back by quiet
hours, and until when) and pause or resume.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.forms import flow_choices, page_number, partner_choices
from admin.i18n import explain, translate
from admin.labels import AUDIENCE_LABELS
from admin.once import form_submission, one_time
from bot.core.audit import record_event
from bot.core.broadcast_text import ENDING, BroadcastError, broadcast_text
from bot.core.broadcasts import AUDIENCES, RESULT, Preview, Targeting
from bot.core.form_tokens import Earlier
from bot.store.broadcast_list import count_broadcasts, list_broadcasts

bp = Blueprint("broadcasts", __name__)

PAGE_SIZE = 20
#: The compose form's fields, carried by every form on the page that acts on the message.
FIELDS = ("flow", "audience", "partner", "language", "body_cy", "body_en")
#: The language filter's choices: everyone, or one language's speakers.
LANGUAGE_CHOICES = {"": "Any language", "cy": "Welsh speakers", "en": "English speakers"}
#: What a choice not on the page is told, by field.
CHOICE_PROBLEMS = {
    "flow": "Choose the flow whose residents should hear back.",
    "audience": "Choose who should get it.",
    "partner": "Choose a partner from the list, or any partner.",
    "language": "Choose Welsh speakers, English speakers or any language.",
}


def _flows() -> list[tuple[str, str]]:
    """(id, title) of each flow a broadcast can follow up; the welcome flow asks nothing."""
    library = services().library
    return [choice for choice in flow_choices(library) if choice[0] != library.welcome_flow]


def _form() -> dict[str, str]:
    form = {name: request.form.get(name, "") for name in FIELDS}
    form["audience"] = form["audience"] or AUDIENCES[0]
    return form


def _targeting(form: dict[str, str]) -> Targeting:
    return Targeting(form["audience"], form["partner"] or None, form["language"] or None)


class FormError(Exception):
    """The form cannot be previewed or sent; `errors` are (field, message) pairs to show."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _choice_errors(form: dict[str, str]) -> list[tuple[str, str]]:
    """What is wrong with the flow and targeting chosen (only a changed page can send these)."""
    allowed = {
        "flow": set(dict(_flows())),
        "audience": set(AUDIENCES),
        "partner": {"", *(code for code, _ in partner_choices(services().library))},
        "language": set(LANGUAGE_CHOICES),
    }
    return [
        (field, translate(CHOICE_PROBLEMS[field]))
        for field, choices in allowed.items()
        if form[field] not in choices
    ]


def _preview(form: dict[str, str]) -> Preview:
    """The bot's preview, with every problem of the form found at once (not just the first)."""
    errors = _choice_errors(form)
    try:
        if errors:
            broadcast_text(form["body_cy"], form["body_en"])
            raise FormError(errors)
        preview = services().broadcasts.preview(
            form["flow"], form["body_cy"], form["body_en"], _targeting(form)
        )
    except BroadcastError as problem:
        empty = [name for name in ("body_cy", "body_en") if not form[name].strip()]
        errors += [(name, explain(problem)) for name in empty or ["body_cy"]]
    if errors:
        raise FormError(errors)
    return preview


def _clock_time(moment: datetime) -> str:
    """'08:00': a time today or tomorrow, as the quiet hours' own clock reads it."""
    return f"{moment:%H:%M}"


def _show_broadcasts(
    form: dict[str, str] | None = None, preview: Preview | None = None, **notes: Any
) -> ResponseReturnValue:
    """Compose form (kept as typed), optional preview, and the list of broadcasts with progress."""
    page = page_number(request.args)
    with services().db.session() as session:
        listed = list_broadcasts(session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        total = count_broadcasts(session)
    held = services().broadcasts.held_broadcasts()
    return render_template(
        "admin/broadcasts.html",
        form=form or {**dict.fromkeys(FIELDS, ""), "audience": AUDIENCES[0]},
        fields=FIELDS,
        preview=preview,
        flows=_flows(),
        partners=partner_choices(services().library),
        languages=LANGUAGE_CHOICES,
        audiences=AUDIENCE_LABELS,
        ending=ENDING,
        listed=listed,
        held={item.broadcast_id: _clock_time(item.until) for item in held},
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        price=services().settings.price_per_segment,
        **notes,
    ), 400 if notes.get("errors") else 200


@bp.get("/broadcasts")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Compose a broadcast and see the ones sent so far. A link may bring the form filled in
    (a public response's "Draft the text message"); nothing is previewed or sent until asked."""
    return _show_broadcasts(_prefilled())


def _prefilled() -> dict[str, str] | None:
    """The compose form with the flow and message the link gave, or None when it gave none."""
    given = {name: request.args.get(name, "") for name in ("flow", "body_cy", "body_en")}
    return {**_form(), **given} if any(given.values()) else None


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


def _test_again(_earlier: Earlier) -> ResponseReturnValue:
    """The same test form again (a refresh, a double click): nothing goes a second time."""
    form = _form()
    try:
        preview = _preview(form)
    except FormError as refused:
        return _show_broadcasts(form, errors=refused.errors)
    tested = translate("This test was already sent.")
    return _show_broadcasts(form, preview, tested=tested, phone=request.form.get("phone", ""))


def _test_refused(message: str) -> ResponseReturnValue:
    return _show_broadcasts(_form(), errors=[("phone", message)], phone=request.form.get("phone"))


@bp.post("/broadcasts/test")
@requires("admin", "officer")
@one_time(_test_again, _test_refused)
def test_send() -> ResponseReturnValue:
    """Send the previewed texts to the officer's own phone only, now, before residents get it."""
    form, user, phone = _form(), current_user(), request.form.get("phone", "")
    try:
        preview = _preview(form)
    except FormError as refused:
        return _show_broadcasts(form, errors=refused.errors, phone=phone)
    try:
        sent = services().broadcasts.send_test(
            phone,
            form["body_cy"],
            form["body_en"],
            user_id=user.id if user else None,
            targeting=_targeting(form),
            once=form_submission(),
        )
    except BroadcastError as problem:
        return _show_broadcasts(form, preview, errors=[("phone", explain(problem))], phone=phone)
    tested = translate(
        "Test sent to {phone}: the Welsh and the English texts are on their way now.",
        phone=sent.masked_number,
    )
    return _show_broadcasts(form, preview, tested=tested, phone=phone)


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
    targeting = _targeting(form)
    try:
        preview = _preview(form)
        recipients = sum(preview.recipients.values())
        confirmed = (request.form.get("confirm_recipients"), request.form.get("confirm_segments"))
        if confirmed != (str(recipients), str(preview.total_segments)):
            changed = translate("The figures have changed since your preview. Check them again.")
            return _show_broadcasts(form, preview, warning=changed)
        created_by = user.name if user else ""
        broadcast_id = services().broadcasts.create(
            form["flow"],
            form["body_cy"],
            form["body_en"],
            created_by,
            targeting,
            once=form_submission(),
        )
        written = services().broadcasts.start(broadcast_id)
    except FormError as refused:
        return _show_broadcasts(form, errors=refused.errors)
    except BroadcastError as problem:
        return _show_broadcasts(form, errors=[("body_cy", explain(problem))])
    with services().db.session() as session:
        detail = (
            f"recipients={recipients}; segments={preview.total_segments}; sends={written};"
            f" audience={targeting.audience}; partner={targeting.partner_code or 'any'};"
            f" language={targeting.language or 'any'}"
        )
        record_event(
            session,
            user.id if user else None,
            "broadcast_sent",
            f"broadcast:{broadcast_id}",
            detail,
        )
    flash(_started(broadcast_id, written), "success")
    return redirect(url_for("admin.broadcasts.index"))


def _started(broadcast_id: int, written: int) -> str:
    """What an officer is told once it starts: when the texts go, if quiet hours hold them."""
    held_until = services().broadcasts.progress(broadcast_id).held_until
    if held_until is None:
        return translate("Broadcast started: {count} texts are on their way.", count=written)
    return translate(
        "Broadcast started: {count} texts will go at {time}, when quiet hours end.",
        count=written,
        time=_clock_time(held_until),
    )


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
