"""Residents in bulk for the benchmarks that need many: written with Core inserts, encrypted with
the service's own vault, so the pages and the senders read them exactly as they read real ones.
Writing 200,000 messages one turn at a time would take longer than the benchmark itself."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, insert

from bot.runtime.container import Container
from bot.store.models import (
    Answer,
    AnswerTheme,
    Conversation,
    Message,
    Participant,
    Question,
    Theme,
)
from bot.store.search import index_words
from tests.bench.load import resident_number

FLOW = "energy-data"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
#: Residents' answers as they write them, in both languages, each with an officer's theme.
ANSWERS = yaml.safe_load(
    (Path(__file__).parent.parent / "data" / "theme_answers.yaml").read_text(encoding="utf-8")
)
#: One answer in TAGGED has been tagged by an officer: suggestions have examples to go on.
TAGGED = 3
CHUNK = 2000


def seed(services: Container, residents: int, messages: int) -> list[int]:
    """`residents` who asked to hear back, half Welsh, each with two answers in their own
    words (indexed for search; one in TAGGED tagged with its theme), a question for every
    tenth, and `messages` texts in all; returns their ids."""
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
        themes = {
            name: connection.execute(insert(Theme).returning(Theme.id), {"name": name}).scalar()
            for name in sorted({answer["theme"] for answer in ANSWERS})
        }
        answers, labels = [], []
        for number, pid in enumerate(ids):
            for turn, step in enumerate(("hopes", "worries")):
                said = ANSWERS[(2 * number + turn) % len(ANSWERS)]
                answers.append(
                    {
                        "participant_id": pid,
                        "conversation_id": conversations[pid],
                        "flow_id": FLOW,
                        "step_id": step,
                        "kind": said["kind"],
                        "text_encrypted": vault.seal(said["text"]),
                        "words": index_words(vault, said["text"], said["language"]),
                        "created_at": START + timedelta(minutes=number),
                        "significant": number % 50 == 0,
                        "contact_details": False,
                        "filed_as": "answer",
                    }
                )
                labels.append(themes[said["theme"]])
        answer_ids = []
        for chunk in batched(answers, CHUNK):
            statement = insert(Answer).returning(Answer.id)
            answer_ids += connection.execute(statement, list(chunk)).scalars().all()
        tags = [
            {"answer_id": answer_id, "theme_id": theme_id}
            for number, (answer_id, theme_id) in enumerate(zip(answer_ids, labels, strict=True))
            if number % TAGGED == 0
        ]
        _insert(connection, AnswerTheme, tags)
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
