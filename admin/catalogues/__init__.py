"""Welsh for the admin interface, one module per page, keyed by the English text.

Drafted by the team; awaiting review by a fluent speaker. Missing text shows in English.
"""

from admin.catalogues import (
    answers,
    audit,
    broadcasts,
    charts,
    common,
    conversations,
    errors,
    export,
    flows,
    overview,
    questions,
    recordings,
    responses,
    suggestions,
    users,
)

CY: dict[str, str] = {}
for _page in (
    common,
    overview,
    flows,
    conversations,
    export,
    audit,
    users,
    answers,
    charts,
    questions,
    recordings,
    broadcasts,
    responses,
    suggestions,
    errors,
):
    CY.update(_page.CY)
