"""Residents in bulk for the benchmarks that need many: written with Core inserts, encrypted with
the service's own vault, so the pages and the senders read them exactly as they read real ones.
Writing 200,000 messages one turn at a time would take longer than the benchmark itself."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from bot.runtime.container import Container
from bot.store.models import Answer, Conversation, Message, Participant, Question
from tests.bench.load import resident_number

FLOW = "energy-data"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOPES = ("Warmer homes for older people", "Cynhesach i'r plant", "Lower bills this winter")
FEARS = ("Being watched at home", "Poeni am bwy sy'n gweld y data", "Data sold on to firms")
CHUNK = 2000


def seed(services: Container, residents: int, messages: int) -> list[int]:
    """`residents` who asked to hear back, half Welsh, each with a hope, a fear, a question
    for every tenth, and `messages` texts in all; returns their ids."""
    vault = services.vault
    with services.db.engine.begin() as connection:
        rows = []
        for index in range(residents):
            number = resident_number(index)
            rows.append(
                {
                    "channel": "sms",
                    "number_hash": vault.number_hashes(number)[0],
                    "number_encrypted": vault.seal(number),
                    "language": "cy" if index % 2 == 0 else "en",
                    "consent": True,
                    "hear_back": True,
                    "opted_out": False,
                    "is_test": False,
                    "state": {},
                    "created_at": START + timedelta(seconds=index),
                    "repeat_count": 0,
                }
            )
        ids: list[int] = []
        for chunk in batched(rows, CHUNK):
            ids += (
                connection.execute(insert(Participant).returning(Participant.id), list(chunk))
                .scalars()
                .all()
            )
        conversations: dict[int, int] = {}
        for chunk in batched(ids, CHUNK):
            statement = insert(Conversation).returning(Conversation.participant_id, Conversation.id)
            values = [
                {"participant_id": pid, "flow_id": FLOW, "flow_version": 1, "status": "ended",
                 "started_at": START} for pid in chunk
            ]  # fmt: skip
            conversations.update(tuple(row) for row in connection.execute(statement, values))
        answers = []
        for number, pid in enumerate(ids):
            for kind, step, texts in (("hope", "hopes", HOPES), ("fear", "worries", FEARS)):
                answers.append(
                    {
                        "participant_id": pid,
                        "conversation_id": conversations[pid],
                        "flow_id": FLOW,
                        "step_id": step,
                        "kind": kind,
                        "text_encrypted": vault.seal(texts[number % 3]),
                        "created_at": START + timedelta(minutes=number),
                        "significant": number % 50 == 0,
                        "contact_details": False,
                        "filed_as": "answer",
                    }
                )
        _insert(connection, Answer, answers)
        questions = [
            {
                "participant_id": pid,
                "flow_id": FLOW,
                "step_id": "your-questions",
                "text_encrypted": vault.seal("When will this start?"),
                "status": "open",
                "created_at": START + timedelta(minutes=number),
                "contact_details": False,
            }
            for number, pid in enumerate(ids)
            if number % 10 == 0
        ]
        _insert(connection, Question, questions)
        body = vault.seal("Reply NEXT to go on.")
        texts = [
            {
                "participant_id": ids[number % len(ids)],
                "conversation_id": conversations[ids[number % len(ids)]],
                "direction": "out" if number % 2 else "in",
                "channel": "sms",
                "body_encrypted": body,
                "status": "delivered",
                "encoding": "GSM-7",
                "segments": 1,
                "created_at": START + timedelta(seconds=number),
                "updated_at": START,
            }
            for number in range(messages)
        ]
        _insert(connection, Message, texts)
    return ids


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`items` in runs of `size` (itertools has this from Python 3.12)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(connection: Connection, table: type, rows: list[dict[str, Any]]) -> None:
    for chunk in batched(rows, CHUNK):
        connection.execute(insert(table), list(chunk))
