"""Admin views, one module per page; importing them registers their routes on the blueprint."""

from admin.views import signin  # noqa: F401
