"""The delivery tests' fixtures live in support.py; this makes them visible to the tests."""

from tests.delivery.support import (  # noqa: F401
    app_server,
    clock,
    fake,
    make_harness,
    pg_url,
    redis_db,
)
