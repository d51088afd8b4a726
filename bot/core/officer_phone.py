"""A broadcast tried on an officer's own phone before it goes to residents.

The officer types their number; the Welsh and the English texts go to it through the outbox,
exactly as residents would get them, ending and all. The phone is a test resident (is_test), so
nothing sent to it counts in any figure, and its texts are urgent, not bulk: the officer is
waiting for them, so quiet hours do not hold them back. A number a real resident uses, or one
that opted out, is never used for a test.
"""

from __future__ import annotations

from datetime import datetime

from bot.channels.addresses import Address, AddressError, parse_address
from bot.core.broadcast_text import BroadcastError
from bot.runtime.crypto import Vault
from bot.store.db import UnitOfWork
from bot.store.models import Participant
from bot.store.opt_outs import is_number_opted_out
from bot.store.participants import create_participant, get_current_participant

#: Why the outbox row was written: a test, never a resident reached.
PURPOSE = "broadcast_test"


def officer_phone(number: str) -> Address:
    """The mobile number an officer typed, in E.164, or the reason it is not one."""
    try:
        address = parse_address(number)
    except AddressError:
        address = None
    if address is None or address.channel != "sms":
        raise BroadcastError("Enter the mobile number to send the test to, like 07700 900123.")
    return address


def test_resident_on(
    session: UnitOfWork, vault: Vault, address: Address, now: datetime
) -> Participant:
    """The test resident on this phone, made the first time it gets a test."""
    hashes = vault.number_hashes(address.number)
    if is_number_opted_out(session, hashes):
        raise BroadcastError("This number has opted out of texts, so a test cannot go to it.")
    participant = get_current_participant(session, hashes, address.channel)
    if participant is not None and not participant.is_test:
        raise BroadcastError(
            "A resident who is not test data uses this number, so it cannot be used for a test."
        )
    if participant is None:
        participant = create_participant(
            session,
            number_hash=hashes[0],
            number_encrypted=vault.seal(address.number),
            channel=address.channel,
            now=now,
            is_test=True,
        )
    return participant
