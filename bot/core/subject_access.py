"""Subject access (UK GDPR Art 15): everything held about one phone number, as one JSON document.

The resident (or the council, for them) asks for "all my data"; the number is the only thing
that ties it together, so the document covers every participant on it: each channel, and each
person on a shared phone (NEW). It is the resident's own data, so nothing is redacted or masked.
Each export is audit-logged, in the same transaction as the read.

The document (keys never change meaning; new keys may be added):

    schema          "sgwrs-subject-access/1"
    generated_at    ISO 8601 UTC, like every time below ("2025-03-27T14:05:09Z")
    number          the number in full, E.164
    notes           plain English: what is included, how long it is kept, how to erase it
    notes_cy        the same notes in Welsh
    opt_out         null, or {source, opted_out_at}: the number is blocked from all texts
    participants    oldest first, each:
      id, channel, language, partner_code, created_at, last_inbound_at, closed_at,
      consent, consent_at, hear_back, opted_out, opted_out_at,
      where_you_are   {flow_id, step_id, status}
      conversations   [{flow_id, status, started_at, ended_at}]
      messages        [{direction (in/out), channel, body, status, at}]
      answers         [{flow_id, step_id, kind, value, text, significant, filed_as,
                        contact_details, themes, at}]
      questions       [{text, status, asked_at, answered_at, answer, contact_details}]
      outbox          [{purpose, body, status, created_at, sent_at}]
      timers          [{kind, step_id, status, due_at}]
      audit           [{action, at}]
      officer_notes   [{text, at}]   newest first; never who wrote them
      call_back       null, or {when_suits, requested_at}: waiting for an officer's call
      calls           [{flow_id, status, started_at, ended_at, duration_seconds}]
      recordings      [{flow_id, step_id, status, duration_seconds, at, summarised_at,
                        content_type, audio_base64}]   answers given by voice on a call; the
                        audio itself in base64 (null until it is fetched from Twilio)
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.channels.addresses import AddressError, parse_address
from bot.core.audit import record_event
from bot.runtime.clock import Clock
from bot.runtime.crypto import Vault
from bot.store.db import Database
from bot.store.person import HeldParticipant, HeldPerson, read_person

log = logging.getLogger(__name__)

SCHEMA = "sgwrs-subject-access/1"

NOTES_EN = (
    "This is everything Sgwrs holds about the phone number {number}: every person who texted "
    "from it, on SMS and WhatsApp (on a shared phone, each person after NEW has their own "
    "entry), with their texts in and out, their answers, their questions and the council's "
    "answers, texts waiting to be sent or sent later (outbox), reminders still due (timers), "
    "their consent choices, and whether the number has opted out of texts.",
    "It is the resident's own data, so nothing is redacted: texts and answers are shown in "
    "full, including any contact details in them.",
    "'where_you_are' is the point each person had reached in the conversation. The service's "
    "own working copy of the conversation is not shown: the words in it are the texts in "
    "'messages'.",
    "'audit' lists what officers or the service did with these records, and when. It does not "
    "say which officer did it or why: that is the council's own record.",
    "'officer_notes' are the notes council officers wrote about the conversation, and "
    "'call_back' says whether the person asked to be phoned back and when suits them.",
    "'calls' lists each phone call to the service, and 'recordings' each answer given in the "
    "caller's own voice: when, how long it is, which step it answered, and the recording itself "
    "in 'audio_base64' (base64 text: decoded, it is the audio file, of the type in "
    "'content_type'). If an officer typed a summary of a recording, it is that answer's 'text'.",
    "Each person's records are deleted automatically {days} days after their last text.",
    "To have them erased now, text DELETE (or DILEU) to the service from this phone, which "
    "erases the person using it now, or ask the council, who can erase them all.",
    "All times are in UTC (ISO 8601).",
)
NOTES_CY = (
    "Dyma bopeth sydd gan Sgwrs am y rhif ffôn {number}: pob person a anfonodd neges ohono, "
    "drwy SMS a WhatsApp (ar ffôn a rennir, mae gan bob person ar ôl NEWYDD ei gofnod ei hun), "
    "gyda'u negeseuon i mewn ac allan, eu hatebion, eu cwestiynau ac atebion y cyngor, "
    "negeseuon sy'n aros i gael eu hanfon neu a anfonwyd yn nes ymlaen (outbox), nodiadau "
    "atgoffa sydd eto i ddod (timers), eu dewisiadau caniatâd, ac a yw'r rhif wedi optio allan "
    "o negeseuon.",
    "Data'r preswylydd ei hun yw hwn, felly does dim wedi'i guddio: dangosir negeseuon ac "
    "atebion yn llawn, gan gynnwys unrhyw fanylion cyswllt ynddynt.",
    "'where_you_are' yw'r man yr oedd pob person wedi'i gyrraedd yn y sgwrs. Ni ddangosir copi "
    "gwaith y gwasanaeth ei hun o'r sgwrs: y geiriau ynddo yw'r negeseuon yn 'messages'.",
    "Mae 'audit' yn rhestru beth wnaeth swyddogion neu'r gwasanaeth gyda'r cofnodion hyn, a "
    "phryd. Nid yw'n dweud pa swyddog a'i gwnaeth na pham: cofnod y cyngor ei hun yw hwnnw.",
    "'officer_notes' yw'r nodiadau a ysgrifennodd swyddogion y cyngor am y sgwrs, ac mae "
    "'call_back' yn dweud a ofynnodd y person i rywun ei ffonio'n ôl, a pha bryd sy'n gyfleus.",
    "Mae 'calls' yn rhestru pob galwad ffôn i'r gwasanaeth, a 'recordings' bob ateb a roddwyd "
    "yn llais y galwr ei hun: pryd, pa mor hir ydyw, pa gam yr oedd yn ei ateb, a'r recordiad "
    "ei hun yn 'audio_base64' (testun base64: wedi'i ddatgodio, dyma'r ffeil sain, o'r math "
    "sydd yn 'content_type'). Os teipiodd swyddog grynodeb o recordiad, hwnnw yw 'text' yr "
    "ateb hwnnw.",
    "Caiff cofnodion pob person eu dileu'n awtomatig {days} diwrnod ar ôl eu neges olaf.",
    "I'w dileu nawr, anfonwch DILEU (neu DELETE) at y gwasanaeth o'r ffôn hwn, sy'n dileu "
    "cofnodion y person sy'n ei ddefnyddio nawr, neu gofynnwch i'r cyngor, sy'n gallu eu "
    "dileu i gyd.",
    "Mae pob amser yn UTC (ISO 8601).",
)


class NumberError(ValueError):
    """What was given is not a phone number; the message says so in an officer's words."""


def parse_number(raw: str) -> str:
    """The number in E.164, read as the webhook reads Twilio's From ('07700 900123' is GB)."""
    try:
        return parse_address(raw).number
    except AddressError as error:
        raise NumberError(
            "That is not a phone number. Give it in full, like +447700900123."
        ) from error


def export_person(
    db: Database,
    vault: Vault,
    number: str,
    *,
    clock: Clock,
    retention_days: int,
    user_id: int | None = None,
) -> dict[str, Any]:
    """The subject access document for `number` (see the module docstring), audit-logged as
    `person_exported` by `user_id` (None from the command line). Raises NumberError."""
    full = parse_number(number)
    with db.session() as session:
        held = read_person(session, vault, vault.number_hashes(full))
        document = _document(held, full, clock(), retention_days)
        targets = [f"participant:{p.participant.id}" for p in held.participants] or ["number"]
        for target in targets:
            record_event(
                session,
                user_id=user_id,
                action="person_exported",
                target=target,
                detail=f"participants={len(held.participants)}",
            )
    log.info("person_exported participants=%s", len(held.participants))
    return document


def _document(held: HeldPerson, number: str, now: datetime, days: int) -> dict[str, Any]:
    opt_out = held.opt_out
    return {
        "schema": SCHEMA,
        "generated_at": _iso(now),
        "number": number,
        "notes": [note.format(number=number, days=days) for note in NOTES_EN],
        "notes_cy": [note.format(number=number, days=days) for note in NOTES_CY],
        "opt_out": None
        if opt_out is None
        else {"source": opt_out.source, "opted_out_at": _iso(opt_out.opted_out_at)},
        "participants": [_participant(p) for p in held.participants],
    }


def _participant(held: HeldParticipant) -> dict[str, Any]:
    p = held.participant
    return {
        "id": p.id,
        "channel": p.channel,
        "language": p.language,
        "partner_code": p.partner_code,
        "created_at": _iso(p.created_at),
        "last_inbound_at": _iso(p.last_inbound_at),
        "closed_at": _iso(p.closed_at),
        "consent": p.consent,
        "consent_at": _iso(p.consent_at),
        "hear_back": p.hear_back,
        "opted_out": p.opted_out,
        "opted_out_at": _iso(p.opted_out_at),
        # Never the raw state: its sealed part repeats words already in the messages.
        "where_you_are": {key: p.state.get(key) for key in ("flow_id", "step_id", "status")},
        "conversations": [
            {
                "flow_id": c.flow_id,
                "status": c.status,
                "started_at": _iso(c.started_at),
                "ended_at": _iso(c.ended_at),
            }
            for c in held.conversations
        ],
        "messages": [
            {
                "direction": m.direction,
                "channel": m.channel,
                "body": m.body,
                "status": m.status,
                "at": _iso(m.at),
            }
            for m in held.messages
        ],
        "answers": [
            {
                "flow_id": a.flow_id,
                "step_id": a.step_id,
                "kind": a.kind,
                "value": a.value,
                "text": a.text,
                "significant": a.significant,
                "filed_as": a.filed_as,
                "contact_details": a.contact_details,
                "themes": list(a.themes),
                "at": _iso(a.at),
            }
            for a in held.answers
        ],
        "questions": [
            {
                "text": q.text,
                "status": q.status,
                "asked_at": _iso(q.asked_at),
                "answered_at": _iso(q.answered_at),
                "answer": q.answer,
                "contact_details": q.contact_details,
            }
            for q in held.questions
        ],
        "outbox": [
            {
                "purpose": s.purpose,
                "body": s.body,
                "status": s.status,
                "created_at": _iso(s.created_at),
                "sent_at": _iso(s.sent_at),
            }
            for s in held.sends
        ],
        "timers": [
            {"kind": t.kind, "step_id": t.step_id, "status": t.status, "due_at": _iso(t.due_at)}
            for t in held.timers
        ],
        "audit": [{"action": e.action, "at": _iso(e.at)} for e in held.audit],
        "officer_notes": [{"text": n.text, "at": _iso(n.at)} for n in held.notes],
        "call_back": None
        if held.call_back is None
        else {
            "when_suits": held.call_back.when,
            "requested_at": _iso(held.call_back.requested_at),
        },
        "calls": [
            {
                "flow_id": c.flow_id,
                "status": c.status,
                "started_at": _iso(c.started_at),
                "ended_at": _iso(c.ended_at),
                "duration_seconds": c.duration_seconds,
            }
            for c in held.calls
        ],
        "recordings": [
            {
                "flow_id": r.flow_id,
                "step_id": r.step_id,
                "status": r.status,
                "duration_seconds": r.duration_seconds,
                "at": _iso(r.at),
                "summarised_at": _iso(r.summarised_at),
                "content_type": r.content_type,
                "audio_base64": r.audio_base64,
            }
            for r in held.recordings
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands times back without their zone, and they are UTC."""
    if moment is None:
        return None
    aware = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.strftime("%Y-%m-%dT%H:%M:%SZ")
