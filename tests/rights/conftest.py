"""The rights tests use the delivery harness: real Redis, the fake Twilio over HTTP, a clock."""

from tests.delivery.support import (  # noqa: F401
    app_server,
    clock,
    fake,
    make_harness,
    pg_url,
    redis_db,
)
