"""What a new password must be: 12 to 128 characters, and not one of the 10,000 most common.

The list is zxcvbn's, bundled with the package (no download at start-up), compared without
regard to case, since "Password1234" guesses as fast as "password1234".
"""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_PASSWORD = 12
MAX_PASSWORD = 128
COMMON_COUNT = 10_000

TOO_SHORT = f"The password must be at least {MIN_PASSWORD} characters."
TOO_LONG = f"The password must be at most {MAX_PASSWORD} characters."
TOO_COMMON = "That password is one of the most common: choose one that is harder to guess."


@cache
def _common() -> frozenset[str]:
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"][:COMMON_COUNT])


def password_problem(password: str) -> str | None:
    """Why `password` may not be used (a sentence for the person choosing it), or None."""
    if len(password) < MIN_PASSWORD:
        return TOO_SHORT
    if len(password) > MAX_PASSWORD:
        return TOO_LONG
    if password.lower() in _common():
        return TOO_COMMON
    return None
