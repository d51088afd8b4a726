"""The delivery tests' fixtures live in support.py (and private_redis.py, for the tests that
restart Redis); this makes them visible to the tests."""

from tests.delivery.private_redis import private_redis  # noqa: F401
from tests.delivery.support import (  # noqa: F401
    app_server,
    clock,
    fake,
    make_harness,
    pg_url,
    redis_db,
)
