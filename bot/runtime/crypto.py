"""Residents' numbers and words at rest: encrypted, looked up by keyed hash, shown masked.

One DATA_KEY gives independent keys (HKDF): one encrypts (Fernet, so tampering is detected),
one hashes numbers (HMAC-SHA256) so a number can be found without ever storing it in clear,
and one hashes the words of residents' texts, so officers can search them (bot/store/search.py)
while the texts stay sealed.

Keys are rotated without a stop: the new DATA_KEY seals and hashes, the previous ones
(DATA_KEY_PREVIOUS) still open what they sealed and still find the numbers they hashed, until
`sgwrs keys rotate` has moved every stored value onto the new key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class VaultError(ValueError):
    """Stored text could not be decrypted: the DATA_KEY changed or the data was altered."""


#: Hex digits kept of a word's hash (see Vault.word_token).
WORD_TOKEN_LENGTH = 10

UNREADABLE = "stored text cannot be decrypted with DATA_KEY or any key in DATA_KEY_PREVIOUS"


def _derive(data_key: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"sgwrs-data-key-v1", info=purpose)
    return hkdf.derive(data_key.encode("utf-8"))


class Vault:
    """Encrypts and hashes personal data with keys derived from DATA_KEY.

    Sealing and hashing use the current key only; opening and lookups also accept the
    previous keys (newest first), so data written before a rotation stays readable and
    findable while it is re-sealed.
    """

    def __init__(self, data_key: str, previous_keys: Sequence[str] = ()) -> None:
        if len(data_key) < 16:
            raise ValueError("DATA_KEY must be at least 16 characters of random text")
        if any(len(key) < 16 for key in previous_keys):
            raise ValueError("each DATA_KEY_PREVIOUS key must be at least 16 characters")
        keys = (data_key, *previous_keys)
        self._current = _fernet(data_key)
        self._fernet = MultiFernet([self._current, *map(_fernet, previous_keys)])
        self._hash_keys = tuple(_derive(key, b"hash-number") for key in keys)
        self._word_keys = tuple(_derive(key, b"hash-word") for key in keys)
        self._fingerprint_key = _derive(data_key, b"fingerprint")

    def seal(self, text: str) -> str:
        return self._current.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise VaultError(UNREADABLE) from error

    def is_current(self, token: str) -> bool:
        """True if the current key sealed `token`: checks its signature only, without
        decrypting, so a rotation skips what is already done cheaply and can resume."""
        try:
            self._current.extract_timestamp(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def reseal(self, token: str) -> str:
        """The same text sealed under the current key (its original timestamp kept)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise VaultError(UNREADABLE) from error

    def hash_number(self, number: str) -> str:
        """The number's hash under the current key: what new rows are stored under."""
        return _hmac(self._hash_keys[0], number)

    def number_hashes(self, number: str) -> tuple[str, ...]:
        """Every hash the number may be stored under, the current key's first: lookups use all."""
        return tuple(_hmac(key, number) for key in self._hash_keys)

    def word_token(self, word: str) -> str:
        """A word's keyed hash under the current key, cut to 40 bits: short enough to keep
        beside every text, long enough that two words of a consultation almost never share
        one (a rare shared token only adds a row to a search, never hides one)."""
        return _hmac(self._word_keys[0], word)[:WORD_TOKEN_LENGTH]

    def word_tokens(self, word: str) -> tuple[str, ...]:
        """Every token the word may be stored under, the current key's first: searches use all,
        so texts are found while `sgwrs keys rotate` moves them onto the new key."""
        return tuple(_hmac(key, word)[:WORD_TOKEN_LENGTH] for key in self._word_keys)

    def fingerprint(self, text: str) -> str:
        """A keyed hash of a text, to notice it again without keeping it (the loop guard).
        Under the current key only: after a rotation a repeat simply starts counting anew."""
        return _hmac(self._fingerprint_key, text)


def _fernet(data_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(data_key, b"encrypt")))


def _hmac(key: bytes, number: str) -> str:
    return hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()


def mask_number(number: str) -> str:
    """'+447700900123' -> '07••• ••• 123': enough to tell two residents apart, not to call."""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return "••• ••• " + number[-3:]
    if parsed.country_code == 44:
        national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        digits = national.replace(" ", "")
        return f"{digits[:2]}••• ••• {digits[-3:]}"
    return f"+{parsed.country_code} ••• ••• {str(parsed.national_number)[-3:]}"
