"""The admin navigation as data: each entry shows only to the roles allowed to open it."""

from __future__ import annotations

from flask import current_app, request

from admin.i18n import translate

#: (endpoint, English label, roles allowed)
NAV = (
    ("admin.overview", "Overview", ("admin", "officer", "partner")),
    ("admin.conversations", "Conversations", ("admin", "officer")),
    ("admin.answers", "Hopes, fears and feedback", ("admin", "officer", "partner")),
    ("admin.questions", "Questions", ("admin", "officer")),
    ("admin.broadcasts", "You said, we did", ("admin", "officer")),
    ("admin.flows", "Flows", ("admin", "officer")),
    ("admin.export", "Export", ("admin", "officer")),
    ("admin.audit", "Audit log", ("admin",)),
    ("admin.users", "Users", ("admin",)),
)


def nav_for(role: str) -> list[dict[str, object]]:
    """Links for the signed-in role, skipping pages not built into this app."""
    return [
        {
            "endpoint": endpoint,
            "label": translate(label),
            "active": request.endpoint == endpoint,
        }
        for endpoint, label, roles in NAV
        if role in roles and endpoint in current_app.view_functions
    ]
