"""Rotating DATA_KEY (UK GDPR Art 32): residents' data moves onto a new key without a stop.

The order an operator follows (.env.example): DATA_KEY=B with DATA_KEY_PREVIOUS=A on every
process, `sgwrs keys rotate`, then B alone. Residents seeded under A through the real inbound
path must be found and read at every stage, and nothing may be left that only A opens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.addresses import parse_address
from bot.core.accounts import create_user
from bot.core.call_backs import request_call_back
from bot.core.inbound import InboundMessage
from bot.core.key_rotation import rotate_keys
from bot.core.notes import write_note
from bot.core.opt_out import opt_out
from bot.flowspec.loading import load_library
from bot.runtime.clock import utc_now
from bot.runtime.config import ConfigError, load_settings
from bot.runtime.container import Container
from bot.runtime.crypto import Vault, VaultError
from bot.store.messages import list_later_texts, list_messages, save_conversation_message
from bot.store.models import AuditEvent, OptOut, Participant
from bot.store.notes import list_notes
from bot.store.opt_outs import is_number_opted_out
from bot.store.participants import get_current_participant, read_state
from bot.store.rekey import STATE_TOKEN, list_row_keys, list_sealed_tables, rekey_rows
from bot.store.simulator import is_number_real
from tests.conftest import FIXTURE_FLOWS, make_container, settings_for
from tests.helpers import new_sid

KEY_A = "old-data-key-A-0123456789abcdef"
KEY_B = "new-data-key-B-0123456789abcdef"
#: Mid-flow with a question for an officer; texts again during the rotation window.
RESIDENT = "+447700900123"
#: Mid-flow with an open question; texts again during the window.
NEIGHBOUR = "+447700900124"
#: Said STOP before the rotation.
STOPPED = "+447700900125"
#: Told us a reaction before consent (held sealed in their state); silent throughout.
QUIET = "+447700900126"
LATER_TEXT = "An officer's answer: yes, on bank holidays too."
NOTE = "Rang back: she would like a paper copy."
AUDIT_REASON = "Resident rang the office and asked us to check their number."
FLOW = load_library(FIXTURE_FLOWS, "energy-data").flow("energy-data")
#: Every place a token is stored, as list_sealed_tables must find it (a table added later
#: with the same conventions joins this set with no change to the rotation).
KNOWN_TOKENS = {
    "participants.number_encrypted",
    "participants.state",
    "opt_outs.number_encrypted",
    "messages.body_encrypted",
    "answers.text_encrypted",
    "questions.text_encrypted",
    "questions.answer_encrypted",
    "outbox.body_encrypted",
    "audit_log.reason_encrypted",
    "conversation_notes.text_encrypted",
    "call_backs.when_encrypted",
}


#: Services on this test's database with DATA_KEY and DATA_KEY_PREVIOUS set as given.
Keyed = Callable[..., Container]


@pytest.fixture
def keyed(database_url: str) -> Iterator[Keyed]:
    """Each stage of a rotation is a process of its own: services built per pair of keys."""
    built: list[Container] = []

    def build(data_key: str, previous: str = "") -> Container:
        built.append(make_container(database_url, DATA_KEY=data_key, DATA_KEY_PREVIOUS=previous))
        return built[-1]

    yield build
    for services in built:
        services.db.engine.dispose()


def text(services: Container, number: str, *bodies: str) -> list[str | None]:
    sender = parse_address(number)
    return [
        services.inbound.receive(InboundMessage(new_sid(), sender, body)).reply for body in bodies
    ]


def seed_under_key_a(services: Container) -> None:
    """Residents in every state that stores a token, each through the real path."""
    text(services, RESIDENT, "hi", "2", "that's scary", "next", "ASK will the bins go on Monday?")
    text(services, NEIGHBOUR, "hi", "2", *["next"] * 7, "yes", "1", "Warmer homes")
    text(services, NEIGHBOUR, "ASK who sees my answers after the council has them?")
    text(services, STOPPED, "hi", "STOP")
    text(services, QUIET, "hi", "2", "that's scary")
    question = next(q for q in services.questions.open_questions() if "bins" in q.text)
    services.questions.answer(question.id, "Yes, on Monday.")
    resident = participant(services, RESIDENT)
    with services.db.session() as session:
        save_conversation_message(
            session,
            services.vault,
            participant_id=resident.id or 0,
            direction="out",
            channel="sms",
            body=LATER_TEXT,
            status="sent",
            now=utc_now(),
        )
        reason = services.vault.seal(AUDIT_REASON)
        session.add(
            AuditEvent(action="number_revealed", target="participant:1", reason_encrypted=reason)
        )
        officer = create_user(
            session, email="o@council.example", name="O", role="officer", password="p" * 12
        )
        assert officer.id is not None
        clock, pid = services.clock, resident.id or 0
        write_note(session, services.vault, clock, pid, NOTE, user_id=officer.id)
        request_call_back(session, services.vault, clock, pid, "Mornings", user_id=officer.id)


def participant(services: Container, number: str) -> Participant:
    with services.db.session() as session:
        found = get_current_participant(session, services.vault.number_hashes(number), "sms")
    assert found is not None
    return found


def count(services: Container, table: Any) -> int:
    with services.db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def stored_tokens(services: Container) -> Iterator[tuple[str, str]]:
    """("table.column", token) for every token in the database, read without the Vault."""
    with services.db.engine.connect() as connection:
        for spec in list_sealed_tables():
            for row in connection.execute(select(*spec.columns)).mappings():
                for column in spec.sealed:
                    if row[column]:
                        yield f"{spec.name}.{column.name}", row[column]
                for column in spec.sealed_in_json:
                    if (row[column] or {}).get(STATE_TOKEN):
                        yield f"{spec.name}.{column.name}", row[column][STATE_TOKEN]


def stored_hashes(services: Container) -> Iterator[tuple[str, str, str]]:
    """(table, number_hash, number_encrypted) for every row found by a number's hash."""
    with services.db.engine.connect() as connection:
        for spec in list_sealed_tables():
            if spec.hashed:
                columns = (spec.table.c.number_hash, spec.table.c.number_encrypted)
                for number_hash, sealed in connection.execute(select(*columns)):
                    yield spec.name, number_hash, sealed


def opens(vault: Vault, token: str) -> bool:
    try:
        vault.open(token)
    except VaultError:
        return False
    return True


def test_number_hashes_lists_the_current_key_first_then_each_previous() -> None:
    vault = Vault(KEY_B, (KEY_A, "oldest-key-0123456789abcdef"))

    hashes = vault.number_hashes(RESIDENT)

    assert hashes[0] == vault.hash_number(RESIDENT) == Vault(KEY_B).hash_number(RESIDENT)
    assert hashes[1] == Vault(KEY_A).hash_number(RESIDENT)
    assert len(set(hashes)) == 3
    assert Vault(KEY_B).number_hashes(RESIDENT) == (hashes[0],)


def test_the_new_key_seals_and_the_old_one_still_opens() -> None:
    old_token = Vault(KEY_A).seal("my words")
    vault = Vault(KEY_B, (KEY_A,))

    resealed = vault.reseal(old_token)

    assert vault.open(old_token) == "my words"
    assert not vault.is_current(old_token)
    assert vault.is_current(resealed)
    assert vault.is_current(vault.seal("new words"))
    assert Vault(KEY_B).open(resealed) == Vault(KEY_B).open(vault.seal("my words")) == "my words"
    with pytest.raises(VaultError, match="DATA_KEY"):
        Vault(KEY_A).open(resealed)
    with pytest.raises(VaultError, match="DATA_KEY_PREVIOUS"):
        Vault(KEY_B).reseal(Vault("another-key-0123456789abcdef").seal("x"))


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        (f"{KEY_A},short", "DATA_KEY_PREVIOUS: key 2 is shorter than 16 characters"),
        (KEY_B, "DATA_KEY_PREVIOUS: key 1 is the current DATA_KEY"),
    ],
)
def test_an_unusable_previous_key_is_refused_by_name(previous: str, message: str) -> None:
    values = settings_for("sqlite://", DATA_KEY=KEY_B, DATA_KEY_PREVIOUS=previous)

    with pytest.raises(ConfigError, match=message):
        load_settings(values, environ={})


def test_previous_keys_are_read_newest_first() -> None:
    values = settings_for("sqlite://", DATA_KEY=KEY_B, DATA_KEY_PREVIOUS=f" {KEY_A} , {KEY_B}x ")

    assert load_settings(values, environ={}).previous_data_keys == (KEY_A, KEY_B + "x")


def test_residents_are_found_and_read_before_during_and_after_a_rotation(keyed: Keyed) -> None:
    seed_under_key_a(keyed(KEY_A))
    during = keyed(KEY_B, KEY_A)
    assert {label for label, _ in stored_tokens(during)} == KNOWN_TOKENS
    ids = {number: participant(during, number).id for number in (RESIDENT, NEIGHBOUR, QUIET)}

    # A new key is deployed: the same residents carry on, and what they said still reads.
    replies = text(during, RESIDENT, "next")
    assert replies == [FLOW.step("algorithm").text.in_("en")]
    assert text(during, NEIGHBOUR, "Mistakes")[0].endswith(FLOW.step("feedback").text.in_("en"))
    assert text(during, STOPPED, "hello") == [None]
    assert count(during, Participant) == 4
    assert {number: participant(during, number).id for number in ids} == ids
    with during.db.session() as session:
        history = [
            during.vault.open(m.body_encrypted) for m in list_messages(session, ids[RESIDENT])
        ]
        later = list_later_texts(
            session, during.vault, during.vault.number_hashes(RESIDENT), after_id=0
        )
        assert is_number_real(session, during.vault.number_hashes(QUIET), "sms")
        assert read_state(during.vault, participant(during, QUIET))["reactions"]
    assert [history[0], history[2], history[4]] == ["hi", "2", "that's scary"]
    assert history[-1] == replies[0]
    assert [body for _, body in later] == [LATER_TEXT]
    assert any("who sees my answers" in q.text for q in during.questions.open_questions())

    report = rotate_keys(during.db, during.vault, batch_size=3)

    assert report.tables["participants"].rehashed == 4
    assert report.tables["opt_outs"].rehashed == 1
    assert report.tables["audit_log"].resealed == 1
    assert report.tables["messages"].resealed > 0

    # The old key is gone: every token opens, every number is found, under B alone.
    after = keyed(KEY_B)
    for label, token in stored_tokens(after):
        assert after.vault.open(token), label
    for table, number_hash, sealed in stored_hashes(after):
        assert number_hash == after.vault.hash_number(after.vault.open(sealed)), table
    assert {number: participant(after, number).id for number in ids} == ids
    assert text(after, RESIDENT, "next") == [FLOW.step("help").text.in_("en")]
    assert text(after, STOPPED, "hello") == [None]
    assert count(after, Participant) == 4
    with after.db.session() as session:
        assert is_number_opted_out(session, after.vault.number_hashes(STOPPED))
        assert [note.text for note in list_notes(session, after.vault, ids[RESIDENT] or 0)] == [
            NOTE
        ]
        assert read_state(after.vault, participant(after, QUIET))["reactions"]

    second = rotate_keys(after.db, after.vault)
    assert second.resealed == 0
    assert all(counts.rehashed == 0 for counts in second.tables.values())

    only_a = keyed(KEY_A)
    with pytest.raises(VaultError, match="cannot be decrypted with DATA_KEY"):
        only_a.questions.open_questions()
    assert [label for label, token in stored_tokens(only_a) if opens(only_a.vault, token)] == []


def test_a_rotation_stopped_part_way_resumes_where_it_left_off(keyed: Keyed) -> None:
    seed_under_key_a(keyed(KEY_A))
    during = keyed(KEY_B, KEY_A)
    messages = next(spec for spec in list_sealed_tables() if spec.name == "messages")
    with during.db.session() as session:
        done = list_row_keys(session, messages)[:5]
        assert rekey_rows(session, during.vault, messages, done).resealed == 5

    report = rotate_keys(during.db, during.vault, batch_size=4)

    assert report.tables["messages"].current == 5
    assert report.tables["messages"].resealed == count(during, messages.table) - 5


def test_an_opt_out_recorded_again_during_the_window_is_kept_once(keyed: Keyed) -> None:
    seed_under_key_a(keyed(KEY_A))
    during = keyed(KEY_B, KEY_A)
    with during.db.session() as session:
        stopped = get_current_participant(session, during.vault.number_hashes(STOPPED), "sms")
        assert stopped is not None
        opt_out(session, during.vault, stopped, "officer", utc_now())
    assert count(during, OptOut) == 2  # under A's hash and, now, under B's

    report = rotate_keys(during.db, during.vault)

    after = keyed(KEY_B)
    assert report.tables["opt_outs"].merged == 1
    assert count(after, OptOut) == 1
    with after.db.session() as session:
        assert is_number_opted_out(session, (after.vault.hash_number(STOPPED),))
    assert text(after, STOPPED, "hello") == [None]


class TextsWhileRotating(Vault):
    """The rotation's vault; while it re-seals `token`, the resident texts the bot."""

    def __init__(self, services: Container, token: str, number: str, body: str) -> None:
        super().__init__(KEY_B, (KEY_A,))
        self.services, self.token, self.number, self.body = services, token, number, body
        self.replies: list[str | None] = []

    def reseal(self, token: str) -> str:
        if token == self.token and not self.replies:
            self.replies = text(self.services, self.number, self.body)
        return super().reseal(token)


def test_a_text_arriving_mid_rotation_is_never_undone(keyed: Keyed) -> None:
    seed_under_key_a(keyed(KEY_A))
    during = keyed(KEY_B, KEY_A)
    resident = participant(during, RESIDENT)
    vault = TextsWhileRotating(during, resident.number_encrypted, RESIDENT, "next")

    rotate_keys(during.db, vault)

    after = keyed(KEY_B)
    state = read_state(after.vault, participant(after, RESIDENT))
    assert vault.replies == [FLOW.step("algorithm").text.in_("en")]
    assert state["step_id"] == "algorithm"
    assert state["reactions"]
    assert participant(after, RESIDENT).number_hash == after.vault.hash_number(RESIDENT)
