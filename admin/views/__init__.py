"""Admin views, one module per page; importing them registers their routes on the blueprint."""

from admin.views import (
    answers,  # noqa: F401
    audit,  # noqa: F401
    broadcasts,  # noqa: F401
    conversations,  # noqa: F401
    export,  # noqa: F401
    flows,  # noqa: F401
    overview,  # noqa: F401
    questions,  # noqa: F401
    signin,  # noqa: F401
    themes,  # noqa: F401
    users,  # noqa: F401
)
