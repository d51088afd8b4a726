"""Residents' numbers and words at rest: encrypted, looked up by keyed hash, shown masked.

One DATA_KEY gives two independent keys (HKDF): one encrypts (Fernet, so tampering is detected),
one hashes numbers (HMAC-SHA256) so a number can be found without ever storing it in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class VaultError(ValueError):
    """Stored text could not be decrypted: the DATA_KEY changed or the data was altered."""


def _derive(data_key: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"sgwrs-data-key-v1", info=purpose)
    return hkdf.derive(data_key.encode("utf-8"))


class Vault:
    """Encrypts and hashes personal data with keys derived from DATA_KEY."""

    def __init__(self, data_key: str) -> None:
        if len(data_key) < 16:
            raise ValueError("DATA_KEY must be at least 16 characters of random text")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(data_key, b"encrypt")))
        self._hash_key = _derive(data_key, b"hash-number")

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise VaultError("stored text cannot be decrypted with this DATA_KEY") from error

    def hash_number(self, number: str) -> str:
        return hmac.new(self._hash_key, number.encode("utf-8"), hashlib.sha256).hexdigest()

    def number_hashes(self, number: str) -> tuple[str, ...]:
        """Every hash the number may be stored under, the current key's first: lookups use all."""
        return (self.hash_number(number),)


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
