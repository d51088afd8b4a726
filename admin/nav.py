"""The admin navigation as data: each entry shows only to the roles allowed to open it."""

from __future__ import annotations

from flask import current_app, request

from admin.auth import services
from admin.i18n import translate
from bot.store.question_inbox import count_questions

#: (endpoint, English label, roles allowed)
NAV = (
    ("admin.overview.index", "Overview", ("admin", "officer", "partner")),
    ("admin.conversations.index", "Conversations", ("admin", "officer")),
    ("admin.answers.index", "Hopes, fears and feedback", ("admin", "officer", "partner")),
    ("admin.charts.index", "Charts", ("admin", "officer", "partner")),
    ("admin.questions.index", "Questions", ("admin", "officer")),
    ("admin.responses.index", "Public responses", ("admin", "officer")),
    ("admin.broadcasts.index", "You said, we did", ("admin", "officer")),
    ("admin.flows.index", "Flows", ("admin", "officer")),
    ("admin.export.index", "Export", ("admin", "officer")),
    ("admin.audit.index", "Audit log", ("admin",)),
    ("admin.users.index", "Users", ("admin",)),
    ("admin.account.password", "Your account", ("admin", "officer", "partner")),
)


#: Entries that show how many things wait there: one indexed count per page view.
WAITING = {"admin.questions.index"}


def nav_for(role: str) -> list[dict[str, object]]:
    """Links for the signed-in role, skipping pages not built into this app; the questions
    entry carries how many questions wait for an answer."""
    return [
        {
            "endpoint": endpoint,
            "label": translate(label),
            "active": request.endpoint == endpoint,
            "waiting": _waiting() if endpoint in WAITING else None,
        }
        for endpoint, label, roles in NAV
        if role in roles and endpoint in current_app.view_functions
    ]


def _waiting() -> int:
    with services().db.session() as session:
        return count_questions(session, "open")
