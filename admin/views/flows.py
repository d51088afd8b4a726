"""The flows page (every message in both languages, with its cost) and the phone simulator.

The simulator texts the real engine as a test resident (is_test, left out of every figure) from
a number in Ofcom's drama range that belongs to the signed-in officer, so two officers trying
the flows at once never share a conversation.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from admin.auth import current_user, requires, services
from admin.i18n import translate
from bot.channels.addresses import Address
from bot.channels.sms import MAX_BODY_CHARS
from bot.core.flow_check import HIGHEST_READING_AGE, check_flows
from bot.core.flow_sheet import flow_sheets, general_findings
from bot.core.inbound import InboundMessage
from bot.runtime.crypto import mask_number
from bot.store.simulator import is_number_real, list_test_thread

bp = Blueprint("flows", __name__)

#: Ofcom keeps 07700 900000-900999 for drama; the simulator uses the top half of it.
SIMULATOR_RANGE = (900500, 500)


def simulator_number(user_id: int) -> str:
    """The signed-in officer's own pretend phone: +447700900500 to +447700900999."""
    first, size = SIMULATOR_RANGE
    return f"+447700{first + user_id % size}"


@bp.get("/flows")
@requires("admin", "officer")
def index() -> ResponseReturnValue:
    """Each flow's messages side by side in Welsh and English, as `sgwrs flows check` sees them."""
    settings = services().settings
    report = check_flows(settings.flows_path, settings.default_flow)
    sheets = flow_sheets(services().library, report)
    return render_template(
        "admin/flows.html",
        title=translate("Flows"),
        sheets=sheets,
        general=general_findings(report),
        whole=report.routes.get("", {}),
        highest_reading_age=HIGHEST_READING_AGE,
    )


@bp.route("/flows/simulator", methods=["GET", "POST"])
@requires("admin", "officer")
def simulator() -> ResponseReturnValue:
    """Text the bot as a test resident; a POST sends, then comes back here (post/redirect/get)."""
    user = current_user()
    assert user is not None  # requires() saw to it
    number = simulator_number(user.id)
    text = request.form.get("text", "")
    error = None
    if request.method == "POST":
        error = _send("NEW" if "restart" in request.form else text.strip(), number)
        if error is None:
            return redirect(url_for("admin.flows.simulator", _anchor="thread-end"))
    app = services()
    with app.db.session() as session:
        thread = list_test_thread(session, app.vault, app.vault.number_hashes(number), "sms")
    page = render_template(
        "admin/simulator.html",
        title=translate("Phone simulator"),
        thread=thread,
        number=mask_number(number),
        text=text,
        error=error,
        max_chars=MAX_BODY_CHARS,
    )
    return page, 400 if error else 200


def _send(text: str, number: str) -> str | None:
    """Run one text through the real engine as a test resident; an error message, or None."""
    if not text:
        return translate("Enter a message to send")
    if len(text) > MAX_BODY_CHARS:
        return translate("A text can be at most {count} characters", count=f"{MAX_BODY_CHARS:,}")
    app = services()
    with app.db.session() as session:
        taken = is_number_real(session, app.vault.number_hashes(number), "sms")
    if taken:
        return translate("A resident who is not test data uses this number, so it cannot be used")
    message = InboundMessage(f"SM{secrets.token_hex(16)}", Address("sms", number), text)
    app.inbound.receive(message, is_test=True)
    return None
