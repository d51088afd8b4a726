"""One-time form tokens: an officer's form, sent twice, does what it does once.

A double-click, a browser resending after a timeout, the back button, or two tabs posting the
same confirmed broadcast must not text 235 residents twice. So every state-changing admin form
carries a token issued when the page is drawn (`FormTokens.issue`), and the action spends it
(`spend`) as the first write of the very unit of work that does what the form asks. The
primary key of `form_tokens` then decides: of two submissions of one rendered form, only one
commits; the other is told what the first did (`AlreadySubmittedError`), and nothing is done again.
If the action fails, the whole unit rolls back, token included, so a token is never spent
without its effect.

Tokens are signed, not stored, when issued: drawing a page writes nothing. A token names its
user and the second it was issued, so it is refused after LIFETIME (the admin session's
absolute lifetime), and its spent row can then be deleted by the daily housekeeping without
a replay ever working again. The row holds a hash of the token and a hash of the fields sent
keyed by the token itself: no typed words are stored, yet a replay of the same form can be told
from the same token sent with different contents (a page brought back with the back button and
edited), which is refused rather than taken for the first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.runtime.clock import Clock, utc_now
from bot.store.db import UnitOfWork
from bot.store.form_tokens import (
    add_form_token,
    delete_form_tokens_before,
    get_form_token,
    set_form_token_result,
)
from bot.store.models import FormToken

#: As long as an admin session can last: no page open longer can still be sent.
LIFETIME = timedelta(hours=12)
#: Form fields that are not what the officer sent: left out of the fingerprint.
NOT_CONTENT = frozenset({"csrf_token", "once"})
#: issued (seconds), user id, nonce, signature
TOKEN = re.compile(r"^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$")

#: Why a form was refused, in an officer's words (admin/catalogues/common.py has the Welsh).
MISSING = (
    "This form is missing its one-time code, so nothing was done. "
    "Check what you entered and send it again."
)
EXPIRED = (
    "This form was open for too long, so nothing was done. "
    "Check what you entered and send it again."
)
CHANGED = (
    "This form was already sent, with different contents, so nothing more was done. "
    "Check what you entered and send it again."
)


class FormTokenError(ValueError):
    """The token is missing, malformed, someone else's or too old; the message says what to do."""


@dataclass(frozen=True)
class Submission:
    """A form as sent, with a good token: what spending it records."""

    token_hash: str
    user_id: int
    #: Where the form was sent (the endpoint), so a token cannot be spent on another action.
    action: str
    fingerprint: str


@dataclass(frozen=True)
class Earlier:
    """What became of the first submission of a form whose token was spent."""

    result: str
    #: The same action with the same fields: a replay, to be answered as the first was.
    same: bool


class AlreadySubmittedError(Exception):
    """The token was spent by an earlier submission: nothing was done this time.

    Not a ValueError, so the callers' handlers for refused input never mistake it for one.
    """

    def __init__(self, earlier: Earlier) -> None:
        super().__init__(earlier.result)
        self.earlier = earlier


@dataclass(frozen=True)
class Spending:
    """A token being spent in a unit of work; `resulted_in` notes what it made (for replays).

    With no token (`row` None: the command line, a test) it records nothing.
    """

    session: UnitOfWork
    row: FormToken | None

    def resulted_in(self, result: str) -> None:
        if self.row is not None:
            set_form_token_result(self.session, self.row, result)


class FormTokens:
    """Issues and checks tokens, signed with a key derived from the app's secret."""

    def __init__(self, secret: str, clock: Clock = utc_now) -> None:
        self._key = hmac.new(secret.encode(), b"sgwrs one-time form tokens", "sha256").digest()
        self.clock = clock

    def issue(self, user_id: int) -> str:
        issued = int(self.clock().timestamp())
        body = f"{issued}.{user_id}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def check(
        self, token: str | None, *, user_id: int, action: str, fields: Iterable[tuple[str, str]]
    ) -> Submission:
        """The submission, if `token` is one this service issued to `user_id` within LIFETIME."""
        match = TOKEN.match(token or "")
        if token is None or match is None:
            raise FormTokenError(MISSING)
        issued, owner, _nonce, signature = match.groups()
        body = token.rsplit(".", 1)[0]
        if not hmac.compare_digest(signature, self._sign(body)) or int(owner) != user_id:
            raise FormTokenError(MISSING)
        age = self.clock().timestamp() - int(issued)
        if age > LIFETIME.total_seconds():
            raise FormTokenError(EXPIRED)
        return Submission(
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            user_id=user_id,
            action=action,
            fingerprint=_fingerprint(token, fields),
        )

    def _sign(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), "sha256").digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _fingerprint(token: str, fields: Iterable[tuple[str, str]]) -> str:
    """The fields sent, hashed under the token: comparable between two submissions of one
    token, and no clue to what an officer typed for anyone without it."""
    content = sorted([name, value] for name, value in fields if name not in NOT_CONTENT)
    return hmac.new(token.encode(), json.dumps(content).encode(), "sha256").hexdigest()


def find_earlier(session: UnitOfWork, submission: Submission) -> Earlier | None:
    """What the first submission did, if this token was spent already."""
    row = get_form_token(session, submission.token_hash)
    return None if row is None else _earlier(row, submission)


def spend(session: UnitOfWork, submission: Submission | None, now: datetime) -> Spending:
    """Spend the token as the first write of the unit of work that does what the form asks;
    AlreadySubmittedError (with the unit rolled back) if another submission spent it first.

    Core actions take `once: Submission | None` and pass it here: None (no form) spends nothing.
    """
    if submission is None:
        return Spending(session, None)
    row = add_form_token(
        session,
        token_hash=submission.token_hash,
        user_id=submission.user_id,
        action=submission.action,
        fingerprint=submission.fingerprint,
        now=now,
    )
    if row is None:
        earlier = get_form_token(session, submission.token_hash)
        assert earlier is not None  # the key refused it, so the row is there (tokens only age)
        raise AlreadySubmittedError(_earlier(earlier, submission))
    return Spending(session, row)


def forget_spent_tokens(session: UnitOfWork, now: datetime) -> int:
    """Housekeeping: rows of tokens that are refused anyway, being older than LIFETIME."""
    return delete_form_tokens_before(session, now - LIFETIME)


def _earlier(row: FormToken, submission: Submission) -> Earlier:
    same = row.action == submission.action and hmac.compare_digest(
        row.fingerprint, submission.fingerprint
    )
    return Earlier(result=row.result, same=same)
