"""Welsh for the admin interface, one module per page, keyed by the English text.

Drafted by the team; awaiting review by a fluent speaker. Missing text shows in English.
"""

from admin.catalogues import (
    answers,
    audit,
    broadcasts,
    common,
    conversations,
    errors,
    export,
    flows,
    overview,
    questions,
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
    questions,
    broadcasts,
    suggestions,
    errors,
):
    CY.update(_page.CY)
