"""Database tables. Names match the flow files, engine outputs and log events (snake_case).

Personal data columns end in `_encrypted` (sealed with the Vault) or `_hash` (keyed hash), so a
reader can see at a glance what is protected. Times are aware UTC (see bot.runtime.clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.runtime.clock import utc_now

#: SQLite would otherwise hand an erased row's id to the next row, and an audit entry about the
#: erased resident would then point at someone else. PostgreSQL sequences never go back.
NEVER_REUSE_IDS: dict[str, Any] = {"sqlite_autoincrement": True}


class Participant(SQLModel, table=True):
    """One resident taking part. A shared phone can have several, one after another (NEW)."""

    __tablename__ = "participants"
    __table_args__ = (
        Index("ix_participants_lookup", "number_hash", "channel", "closed_at"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    number_hash: str = Field(max_length=64)
    number_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=2)
    partner_code: str | None = Field(default=None, max_length=12, index=True)
    consent: bool | None = None
    consent_at: datetime | None = None
    hear_back: bool = False
    opted_out: bool = False
    opted_out_at: datetime | None = None
    #: Simulator and demo conversations: shown to officers, left out of figures.
    is_test: bool = False
    #: The engine's SessionState as JSON: where this resident is in the conversation.
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)
    last_inbound_at: datetime | None = None
    #: Set when the phone was handed on (NEW): later messages from it start a new participant.
    closed_at: datetime | None = None
    #: Keyed hash of the last text and the reply it got, how many times in a row that pair
    #: came, and since when: an auto-responder answering the bot repeats both (loop guard).
    repeat_digest: str | None = Field(default=None, max_length=64)
    repeat_count: int = 0
    repeat_since: datetime | None = None
    #: Why an officer should look at this conversation (e.g. `repeated_text`), and since when.
    flagged: str | None = Field(default=None, max_length=32)
    flagged_at: datetime | None = None


class OptOut(SQLModel, table=True):
    """A phone number that must get no more texts, from anyone, on any channel.

    Kept per number rather than per participant, so it covers everyone who shared the phone
    and every channel; lifted only by START/DECHRAU/UNSTOP from that number.
    """

    __tablename__ = "opt_outs"

    number_hash: str = Field(primary_key=True, max_length=64)
    number_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    #: resident (STOP and Twilio's words), carrier (Twilio error 21610 or OptOutType) or officer
    source: str = Field(max_length=16)
    opted_out_at: datetime = Field(default_factory=utc_now)


class Conversation(SQLModel, table=True):
    """One run through one flow by one participant: what figures per flow are counted from."""

    __tablename__ = "conversations"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    flow_id: str = Field(max_length=64, index=True)
    flow_version: int
    #: active, completed, declined, expired or handed_on
    status: str = Field(default="active", max_length=16, index=True)
    started_at: datetime = Field(default_factory=utc_now, index=True)
    ended_at: datetime | None = None


class Message(SQLModel, table=True):
    """A text in or out. The body is encrypted; officers read it through the admin only."""

    __tablename__ = "messages"
    #: Covers the overview's count of texts and segments by direction and channel.
    __table_args__ = (
        Index("ix_messages_figures", "direction", "channel", "participant_id", "segments"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", index=True)
    #: in or out
    direction: str = Field(max_length=3)
    channel: str = Field(max_length=16)
    body_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    #: A resident's text only (direction "in"): see Answer.words.
    words: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    twilio_sid: str | None = Field(default=None, max_length=64, unique=True)
    #: received; replied (sent as TwiML); or Twilio's queued/sent/delivered/failed...
    #: (partially_delivered is the longest)
    status: str = Field(max_length=24)
    error_code: int | None = None
    encoding: str | None = Field(default=None, max_length=8)
    segments: int = 0
    created_at: datetime = Field(default_factory=utc_now, index=True)
    updated_at: datetime = Field(default_factory=utc_now)


class Answer(SQLModel, table=True):
    """What a resident told us at one step: a choice, or hopes, fears and feedback in words."""

    __tablename__ = "answers"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversations.id", index=True)
    flow_id: str = Field(max_length=64, index=True)
    step_id: str = Field(max_length=64)
    #: choice, unexpected, hope, fear, feedback, experience, other, reaction (said at an
    #: explanation) or skipped (nothing to say at an own-words step; empty text)
    kind: str = Field(max_length=16, index=True)
    value: str | None = Field(default=None, max_length=64)
    text_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    #: The keyed hashes of its words, for search (bot/store/search.py); None: no words.
    words: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, index=True)
    #: Flagged by an officer: one person's substance can outweigh a hundred.
    significant: bool = Field(default=False, index=True)
    #: The text held a phone number, email or address: redacted outside the transcript, and
    #: shown to officers as "resident left contact details" so someone can follow up.
    contact_details: bool = False
    #: answer, not_an_answer or question: how an officer filed it. Only "answer" rows are
    #: listed as answers, counted and exported; the engine's filing stands until an officer's.
    filed_as: str = Field(default="answer", max_length=16, index=True)
    #: Theme ids an officer said this answer is not about ("3 7"): never suggested for it again.
    declined_themes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Question(SQLModel, table=True):
    """A resident's question for an officer, answered later through the outbox."""

    __tablename__ = "questions"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    flow_id: str = Field(max_length=64)
    step_id: str = Field(max_length=64)
    text_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    #: See Answer.words.
    words: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: open, answered or dismissed (an officer set it aside: not a question, a duplicate...)
    status: str = Field(default="open", max_length=16, index=True)
    created_at: datetime = Field(default_factory=utc_now, index=True)
    answered_at: datetime | None = None
    answer_encrypted: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: The answer it was raised from: own words that were also a question, or an answer an
    #: officer re-filed as one. Erasure deletes questions before answers for this link.
    answer_id: int | None = Field(default=None, foreign_key="answers.id", index=True)
    #: As Answer.contact_details: the question held a phone number, email or address.
    contact_details: bool = False
    #: Why an officer dismissed it (bot.core.question_triage.DISMISS_REASONS), and when;
    #: cleared when it is restored to the inbox.
    dismissed_reason: str | None = Field(default=None, max_length=24)
    dismissed_at: datetime | None = None
    #: The officer or admin who has taken it on, if anyone has.
    assigned_to: int | None = Field(default=None, foreign_key="users.id", index=True)


class OutboxMessage(SQLModel, table=True):
    """A text to send later than the immediate reply; written with the change that caused it.

    This table, not Redis, is the truth about what still has to go: a lost job only delays a row.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_due", "status", "not_before"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    #: answer, reminder or broadcast: why the text is being sent
    purpose: str = Field(max_length=16)
    #: urgent (one-to-one) or bulk (broadcasts, reminders): bulk waits for quiet hours to end
    priority: str = Field(default="urgent", max_length=8)
    body_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    #: pending, sending, sent, held (WhatsApp window closed), failed or cancelled
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    not_before: datetime = Field(default_factory=utc_now)
    #: When a worker took the row; a row left in `sending` long after this was lost in a crash.
    claimed_at: datetime | None = None
    #: Makes writing the same send twice harmless (e.g. answer:42, broadcast:7:1234).
    dedupe_key: str | None = Field(default=None, max_length=128)
    broadcast_id: int | None = Field(default=None, foreign_key="broadcasts.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    #: Twilio error code, or 0 for a send stopped by Sgwrs itself (loop guard, opted out).
    error_code: int | None = None
    created_at: datetime = Field(default_factory=utc_now)
    sent_at: datetime | None = None


class Timer(SQLModel, table=True):
    """A reminder or expiry due for a resident; a row, so it survives restarts and flushes."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    #: reminder or expiry
    kind: str = Field(max_length=16)
    #: The step the resident was on: if they have moved on, the timer does nothing.
    step_id: str = Field(max_length=64)
    due_at: datetime
    #: pending, fired or cancelled
    status: str = Field(default="pending", max_length=16)


class Broadcast(SQLModel, table=True):
    """A "you said, we did" message to a flow's participants (those who asked to hear back,
    unless its targeting says otherwise)."""

    __tablename__ = "broadcasts"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    flow_id: str = Field(max_length=64, index=True)
    body_cy: str = Field(sa_column=Column(Text, nullable=False))
    body_en: str = Field(sa_column=Column(Text, nullable=False))
    #: draft, sending, paused or done
    status: str = Field(default="draft", max_length=16)
    #: Who of the flow's residents it is for (bot.store.recipients.Targeting): hear_back or
    #: took_part, and only one partner's or one language's residents when these are set.
    audience: str = Field(default="hear_back", max_length=16)
    partner_code: str | None = Field(default=None, max_length=12)
    language: str | None = Field(default=None, max_length=2)
    created_by: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utc_now)
    started_at: datetime | None = None


class Receipt(SQLModel, table=True):
    """One inbound MessageSid, known by its SHA-256 for ever, so a replay of any age is a no-op.

    It is committed before the text is handled, holding the sealed text (`pending`), so nothing
    that fails afterwards (Redis, a lock timeout, a bug) can lose it: the sweep runs it again.
    Once `handled` it keeps only the reply given, for a week, so Twilio's retries get the same
    answer; `failed` after MAX_ATTEMPTS tries. It survives erasure but then holds no text.
    """

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_pending", "status", "created_at"),)

    sid_hash: str = Field(primary_key=True, max_length=64)
    #: pending, handled or failed
    status: str = Field(default="pending", max_length=8)
    #: Whose text it is while pending, so their later texts wait for it and erasure finds it.
    number_hash: str | None = Field(default=None, max_length=64, index=True)
    #: The text as Twilio gave it (sender, body, media count, opt-out type), while pending.
    inbound_encrypted: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attempts: int = 0
    reply: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utc_now, index=True)
    handled_at: datetime | None = None


class EarlyStatus(SQLModel, table=True):
    """A delivery report for a SID we have not saved yet: Twilio can call back before the
    sender has stored the SID it was given. Applied, in rank order, the moment the SID lands;
    a week-old one belongs to no send of ours and is tidied away."""

    __tablename__ = "early_statuses"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    twilio_sid: str = Field(max_length=64, index=True)
    status: str = Field(max_length=24)
    error_code: int | None = None
    received_at: datetime = Field(default_factory=utc_now, index=True)


class User(SQLModel, table=True):
    """An admin account: admin (users, settings), officer (conversations) or partner (reach)."""

    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=128)
    #: admin, officer or partner
    role: str = Field(max_length=16)
    #: For partners: the only partner code whose figures they may see.
    partner_code: str | None = Field(default=None, max_length=12)
    password_hash: str = Field(max_length=256)
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now)
    last_login_at: datetime | None = None
    #: Set when an admin resets the password: the temporary one works once, to choose a new one.
    must_change_password: bool = False


class AuditEvent(SQLModel, table=True):
    """Who saw or did what, when: revealing a number, exporting, answering, sending."""

    __tablename__ = "audit_log"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    #: snake_case event name, e.g. number_revealed, export_downloaded, question_answered
    action: str = Field(max_length=64, index=True)
    #: What it was about, e.g. participant:12 (never a number or a message body).
    target: str = Field(default="", max_length=128)
    #: Context the service itself writes (counts, ids, what changed): never typed by a person.
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: The officer's own words (why they revealed a number, erased a resident...): free text
    #: can name a resident, so it is sealed, and dropped when the resident is erased.
    reason_encrypted: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


@dataclass(frozen=True)
class ThemeNames:
    """A theme's English name and its Welsh one, if given: the English stands in until then."""

    name: str
    name_cy: str | None = None

    def in_(self, language: str) -> str:
        return (self.name_cy or self.name) if language == "cy" else self.name


class Theme(SQLModel, table=True):
    """A code in the officers' codebook, used to tag what residents said."""

    __tablename__ = "themes"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    #: The name in English, and in Welsh once an officer gives it (the admin shows `name` until
    #: then): officers read the codebook in their own language.
    name: str = Field(max_length=80, unique=True)
    name_cy: str | None = Field(default=None, max_length=80, unique=True)
    created_at: datetime = Field(default_factory=utc_now)

    @property
    def names(self) -> ThemeNames:
        return ThemeNames(self.name, self.name_cy)


class AnswerTheme(SQLModel, table=True):
    """An answer tagged with a theme (many to many)."""

    __tablename__ = "answer_themes"

    answer_id: int = Field(foreign_key="answers.id", primary_key=True)
    theme_id: int = Field(foreign_key="themes.id", primary_key=True, index=True)


class ConversationNote(SQLModel, table=True):
    """An officer's short note on a resident's conversation ("rang back, wants a paper copy").

    Only officers and admins read notes, on the transcript. A note can name the resident or say
    something about them, so it is sealed, it is in their subject access export, and it goes
    when they are erased; the audit log records that a note was added, never its words.
    """

    __tablename__ = "conversation_notes"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    #: Who wrote it: shown beside it, so a colleague knows whom to ask.
    user_id: int = Field(foreign_key="users.id")
    text_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)


class CallBack(SQLModel, table=True):
    """A resident asked to be phoned back: the row stands until an officer clears it (done).

    One per resident at a time; the audit log keeps who asked for and cleared each one.
    """

    __tablename__ = "call_backs"

    participant_id: int = Field(foreign_key="participants.id", primary_key=True)
    #: When suits them, in the officer's words ("weekday mornings"): sealed, as a note is.
    when_encrypted: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    #: The officer who marked it.
    user_id: int = Field(foreign_key="users.id")
    requested_at: datetime = Field(default_factory=utc_now)


class Call(SQLModel, table=True):
    """One phone call through a voice flow: what the call figures (calls, minutes, cost) count.

    The conversation itself is the voice participant's, as a text conversation is the SMS
    participant's; this row adds what only a call has: its CallSid, how long it lasted (from
    Twilio's status callback) and how many turns it has taken, which keys each gather's answer
    so a retried callback is handled once.
    """

    __tablename__ = "calls"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    call_sid: str = Field(max_length=64, unique=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    #: The flow the caller was in when the call ended (or is in now).
    flow_id: str | None = Field(default=None, max_length=64, index=True)
    #: in-progress, then Twilio's final CallStatus: completed, busy, no-answer, failed, canceled
    status: str = Field(default="in-progress", max_length=16)
    #: Twilio's CallDuration once the call is over: what the call is billed on, by the minute.
    duration_seconds: int | None = None
    started_at: datetime = Field(default_factory=utc_now, index=True)
    ended_at: datetime | None = None


class Recording(SQLModel, table=True):
    """A caller's own-words answer, in their voice: personal data, kept as sealed text is.

    Twilio holds the audio only until Sgwrs has fetched it, sealed it and checked the sealed copy
    opens to the same bytes; then it is deleted at Twilio. An officer's summary or transcript
    becomes the answer's text (searched, themed and exported like a typed answer).
    """

    __tablename__ = "recordings"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    recording_sid: str = Field(max_length=64, unique=True)
    call_id: int | None = Field(default=None, foreign_key="calls.id", index=True)
    participant_id: int = Field(foreign_key="participants.id", index=True)
    #: The own-words answer it is (None until the answer is saved, or if consent was refused).
    answer_id: int | None = Field(default=None, foreign_key="answers.id", index=True)
    #: waiting (Twilio still has it), stored (sealed here, deleted at Twilio), failed,
    #: skipped (the caller pressed 1: never fetched, deleted at Twilio), or simulated (typed
    #: in a simulator in place of speaking: no audio, the words are the answer's text)
    status: str = Field(default="waiting", max_length=16, index=True)
    duration_seconds: int = 0
    #: The audio as Twilio gave it (audio/mpeg), sealed; None until fetched.
    audio_encrypted: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    content_type: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utc_now)
    fetched_at: datetime | None = None
    #: When Twilio confirmed its copy deleted.
    deleted_at_twilio: datetime | None = None
    #: The officer who typed the summary that is now the answer's text, and when.
    summary_by: int | None = Field(default=None, foreign_key="users.id")
    summarised_at: datetime | None = None
    #: Fetches tried and the last one's time: a waiting recording is tried again a few minutes
    #: after a failed try (bot/core/recordings.py), never in a tight loop.
    fetch_attempts: int = 0
    last_tried_at: datetime | None = None


class RecordingDeletion(SQLModel, table=True):
    """A recording Twilio still holds that must be deleted there: one whose sealed copy is
    stored here, or whose caller was erased before it was (their rows are gone, so this row
    keeps the RecordingSid alone, until Twilio confirms the delete, and then goes too)."""

    __tablename__ = "recording_deletions"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    recording_sid: str = Field(max_length=64, unique=True)
    requested_at: datetime = Field(default_factory=utc_now)
    attempts: int = 0
    last_tried_at: datetime | None = Field(default=None, index=True)


class HousekeepingRun(SQLModel, table=True):
    """When a once-a-day job (the retention purge) last ran: a row, so every worker, the
    embedded run and a restart agree it has been done today."""

    __tablename__ = "housekeeping_runs"

    name: str = Field(primary_key=True, max_length=32)
    last_run_at: datetime


class RetainedTotal(SQLModel, table=True):
    """What residents erased at the end of the retention period added to one overview figure.

    Counts only, never a person: residents are summed by the calendar month of their first
    contact ("YYYY-MM"), partner and the breakdown the overview splits the figure by, and the
    overview adds these to its live counts, so its totals stay the same after the purge.
    Erasure a resident asks for (DELETE) adds nothing here: they asked for everything to go.
    """

    __tablename__ = "retained_totals"

    #: "" for figures counted across flows (texts, residents).
    flow_id: str = Field(primary_key=True, max_length=64)
    period: str = Field(primary_key=True, max_length=7)
    #: "" for residents who came through no partner.
    partner_code: str = Field(primary_key=True, max_length=12)
    #: residents, conversations, answers, answered_conversations, texts or segments
    figure: str = Field(primary_key=True, max_length=32)
    #: What the figure is split by (channel, language, outcome, step...), as sorted JSON.
    breakdown: str = Field(primary_key=True, max_length=512)
    count: int


class AdminSession(SQLModel, table=True):
    """A signed-in browser, held here so that signing out or deactivating ends it at once.

    The cookie carries a random id; only its SHA-256 is stored, so a copy of this table opens
    nothing. `stage` is `password` while the second factor is still to come (that half-signed-in
    session opens only the two-factor pages) and `full` after it.
    """

    __tablename__ = "admin_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    stage: str = Field(max_length=16)
    created_at: datetime
    last_seen_at: datetime


class SignInFailure(SQLModel, table=True):
    """One failed password or code, counted against the account and the address it came from.

    `key_hash` is the SHA-256 of `account:<email>` or `ip:<address>` (never the typed text), so
    throttling holds across every web worker; rows older than the window are deleted as new
    ones come.
    """

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key_hash", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64)
    at: datetime = Field(index=True)


class TwoFactor(SQLModel, table=True):
    """An account's TOTP secret (sealed with the Vault); `confirmed_at` once a code proved it.

    `last_step` is the time step of the last code accepted: a code for that step or an earlier
    one is refused, so a code seen over someone's shoulder cannot be used again.
    """

    __tablename__ = "two_factor"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    secret_encrypted: str = Field(sa_column=Column(Text, nullable=False))
    confirmed_at: datetime | None = None
    last_step: int | None = None


class RecoveryCode(SQLModel, table=True):
    """A one-time code for signing in without the authenticator app, stored as its SHA-256."""

    __tablename__ = "recovery_codes"
    __table_args__ = NEVER_REUSE_IDS

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = None


class FormToken(SQLModel, table=True):
    """An admin form's one-time token, spent: the key that makes a form sent twice act once.

    Written in the same unit of work as what the form did, so the primary key turns a replay,
    a double-click or two concurrent posts into "already done". It holds a hash of the token,
    never the token, and a keyed hash of what was sent, never the words; rows go after the
    token's lifetime, when the token itself is refused.
    """

    __tablename__ = "form_tokens"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    #: The endpoint the form was sent to, e.g. admin.broadcasts.send.
    action: str = Field(max_length=64)
    #: HMAC of the submitted fields under the token: tells a replay from a changed form.
    fingerprint: str = Field(max_length=64)
    #: What the first submission made, e.g. broadcast:7, so a replay can point at it.
    result: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utc_now, index=True)


class PublicResponse(SQLModel, table=True):
    """A flow's public response ("what we heard, what we decided, and why"): its overall summary.

    Each flow has up to two: the officers' `draft`, which every save changes, and the
    `published` one, a copy of the draft made when an officer publishes it, which is all the
    public page ever shows. Editing after publishing changes the draft only, until it is
    published again. `figures` is written at publishing (counts only, never a person): how many
    residents took part by language, and each theme's answers, hopes and fears, with its names
    as they were, so the page stays as published whatever the codebook does later.
    """

    __tablename__ = "public_responses"

    flow_id: str = Field(primary_key=True, max_length=64)
    #: draft or published
    stage: str = Field(primary_key=True, max_length=16)
    summary_cy: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    summary_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    figures: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now)
    updated_by: int | None = Field(default=None, foreign_key="users.id")


class PublicResponseTheme(SQLModel, table=True):
    """What the council heard about one theme of the codebook, what it decided, and why, in
    Welsh and English, for one stage of a flow's response. The theme is named by id only: a
    theme merged away since leaves its words out of the officers' page and of the next
    publishing, but not out of what was published (its names are in the figures)."""

    __tablename__ = "public_response_themes"

    flow_id: str = Field(primary_key=True, max_length=64)
    stage: str = Field(primary_key=True, max_length=16)
    theme_id: int = Field(primary_key=True)
    heard_cy: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    heard_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision_cy: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reasoning_cy: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reasoning_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class PublicResponseQuote(SQLModel, table=True):
    """A resident's answer an officer picked to quote under a theme: the answer's id only, never
    its words, which are opened and redacted each time the page is drawn. Erasing the resident
    deletes the pick with the answer."""

    __tablename__ = "public_response_quotes"

    flow_id: str = Field(primary_key=True, max_length=64)
    stage: str = Field(primary_key=True, max_length=16)
    theme_id: int = Field(primary_key=True)
    answer_id: int = Field(primary_key=True, foreign_key="answers.id", index=True)
    #: The order the officer's page listed it in (significant first, then newest).
    position: int = 0
