"""Status callbacks: the form Twilio posts to a message's StatusCallback, signed as Twilio does.

Signing uses the `twilio` library's own validator, so the app's signature check is tested
against the real algorithm rather than a copy of it.
"""

from __future__ import annotations

from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import ProxyHandler, Request, build_opener

from twilio.request_validator import RequestValidator

from bot.channels.fake_twilio.resources import API_VERSION

CALLBACK_TIMEOUT_S = 5.0
# Callbacks go straight to the app, never through a proxy from the environment.
_CALLBACK_OPENER = build_opener(ProxyHandler({}))


def callback_params(resource: dict[str, Any]) -> dict[str, str]:
    """The callback form for a message resource at its current status; absent fields left out."""
    error_code = resource["error_code"]
    params = {
        "MessageSid": resource["sid"],
        "MessageStatus": resource["status"],
        "AccountSid": resource["account_sid"],
        "To": resource["to"],
        "From": resource["from"],
        "MessagingServiceSid": resource["messaging_service_sid"],
        "ApiVersion": API_VERSION,
        "ErrorCode": None if error_code is None else str(error_code),
    }
    return {key: value for key, value in params.items() if value is not None}


def post_callback(url: str, params: dict[str, str], auth_token: str) -> int:
    """POST the signed form to `url` and return the app's HTTP status, errors included."""
    return post_signed(url, params, auth_token)[0]


def post_signed(url: str, params: dict[str, str], auth_token: str) -> tuple[int, str]:
    """POST the signed form to `url`: the app's HTTP status (errors included) and its body."""
    signature = RequestValidator(auth_token).compute_signature(url, params)
    request = Request(
        url,
        data=urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
        method="POST",
    )
    try:
        with _CALLBACK_OPENER.open(request, timeout=CALLBACK_TIMEOUT_S) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except HTTPError as exc:
        # An error status (e.g. 403 for a bad signature) is still the app's answer.
        return exc.code, exc.read().decode("utf-8", "replace")
