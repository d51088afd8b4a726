"""The flow format: conversation scripts as bilingual YAML, validated into typed models.

A flow file is data, not code. These models say what a valid flow is; bot.flowspec.loading reads
the files into them, so that either every text exists in Welsh and English and every step
reference resolves, or `FlowError` names the file, the step and the problem, and a flow author
can fix it without reading Python.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LANGUAGES = ("cy", "en")
Language = Literal["cy", "en"]
#: The flow format's version today; bot.flowspec.migrations brings older files up to it.
SPEC_VERSION = 2
STEP_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class FlowError(ValueError):
    """A flow or partner file is unusable; the message names the file, the step and the problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def fingerprint(english: str) -> str:
    """A short mark of the English a Welsh text was checked against: when the English changes,
    the mark no longer matches, and the Welsh awaits review again."""
    return hashlib.sha256(english.encode("utf-8")).hexdigest()[:12]


class Review(_Model):
    """Who checked this Welsh text against its English, and when (the translation round-trip
    writes it; bot.core.translations)."""

    by: str = Field(min_length=1)
    on: date
    #: fingerprint() of the English as it was when reviewed.
    source: str = Field(pattern=r"^[0-9a-f]{12}$")


class Text(_Model):
    """One message in both languages. Both are required: Welsh is never an afterthought."""

    cy: str = Field(min_length=1)
    en: str = Field(min_length=1)
    #: Set once a fluent speaker checked the Welsh; per text, so one edit reopens one text.
    reviewed: Review | None = None

    def in_(self, language: Language) -> str:
        return self.cy if language == "cy" else self.en

    @property
    def awaits_review(self) -> bool:
        """Never reviewed, or the English changed since the Welsh was checked against it."""
        return self.reviewed is None or self.reviewed.source != fingerprint(self.en)


class Option(_Model):
    """One numbered answer to a choice; `aliases` are extra words that pick it, in any language."""

    value: str = Field(pattern=STEP_ID.pattern)
    label: Text
    aliases: tuple[str, ...] = ()
    next: str | None = None


class _Step(_Model):
    id: str = Field(pattern=STEP_ID.pattern)
    next: str | None = None
    #: A short name for officers (the overview's funnel, the flows page), never sent to
    #: residents. Optional, so older files still load; without it, pages show the id.
    title: Text | None = None


class _Spoken(_Step):
    #: What a caller hears instead of `text`, where the written words do not work aloud (a
    #: keyword to send, a list to read). Without it the call says `text` less its reply
    #: instruction; either way the keys to press are added for the step's kind.
    voice: Text | None = None


class SayStep(_Spoken):
    """A short explanation; any reply (or NEXT/NESAF) goes on, SIMPLER/SYMLACH re-words it."""

    kind: Literal["say"]
    text: Text
    simpler: Text | None = None
    #: Part of the privacy notice before the consent question, which the flow check keeps short.
    privacy: bool = False


class ExpectationsStep(_Step):
    """Says what answers can change and when the council reports back (from the flow's fields)."""

    kind: Literal["expectations"]


class ChoiceStep(_Spoken):
    """Numbered options with forgiving matching; `records` stores the answer on the resident too."""

    kind: Literal["choice"]
    text: Text
    options: tuple[Option, ...] = Field(min_length=2)
    records: Literal["language", "hear_back"] | None = None
    show_options: bool = True


class OpenStep(_Spoken):
    """A question answered in the resident's own words; `answer_kind` tags what it gathers.

    `question` steps invite residents' own questions: answered from the FAQ or sent to an
    officer, like ASK/GOFYN; a plain "no" goes on.
    """

    kind: Literal["open"]
    text: Text
    answer_kind: Literal["hope", "fear", "feedback", "experience", "other", "question"]


class ConsentStep(_Spoken):
    """Yes/no to keeping answers, after a short privacy notice; `declined` ends the flow kindly."""

    kind: Literal["consent"]
    text: Text
    read_more: Text
    declined: Text


class BranchStep(_Step):
    """Goes to a step chosen by an earlier choice's answer; sends nothing itself."""

    kind: Literal["branch"]
    on: str
    cases: dict[str, str]
    default: str


class EndStep(_Spoken):
    """The last message; `next_flow` hands the resident straight on to another flow."""

    kind: Literal["end"]
    text: Text
    next_flow: str | None = None


Step = Annotated[
    SayStep | ExpectationsStep | ChoiceStep | OpenStep | ConsentStep | BranchStep | EndStep,
    Field(discriminator="kind"),
]
ASKING_KINDS = ("choice", "open", "consent")


class FaqEntry(_Model):
    """A question residents often ask, answered at once; `also` lists other ways to ask it."""

    id: str = Field(pattern=STEP_ID.pattern)
    question: Text
    answer: Text
    also: tuple[str, ...] = ()


class Expectations(_Model):
    """What the answers can change, and when and how residents will hear back."""

    changes: Text
    report_back: Text


class SystemTexts(_Model):
    """The product's own messages (bot/engine/texts.yaml), named for the code; versioned and
    reviewed per text like a flow's, so the same translation round-trip covers them."""

    id: Literal["system"]
    version: int = Field(ge=1)
    texts: dict[str, Text]


class Flow(_Model):
    """A validated flow. Steps run in file order unless a step names its `next`."""

    #: Always SPEC_VERSION: the loader migrates a file before validating it.
    spec_version: Literal[2]
    id: str = Field(pattern=STEP_ID.pattern)
    version: int = Field(ge=1)
    title: Text
    languages: tuple[Language, ...]
    #: Words the spell check accepts in this flow's texts: names, places, terms its
    #: dictionaries lack. Product keywords and "Sgwrs" are accepted everywhere.
    accepted_words: tuple[str, ...] = ()
    expectations: Expectations | None = None
    steps: tuple[Step, ...] = Field(min_length=1)
    faq: tuple[FaqEntry, ...] = ()
    #: The reply time residents are promised for a question an officer answers ("within 5
    #: working days"): the questions inbox flags a question overdue after it.
    reply_within_working_days: int = Field(default=5, ge=1, le=60)
    #: How many residents the council wants to hear from in this flow (conversations started):
    #: the overview shows progress against it, by language and partner. None: no target.
    target: int | None = Field(default=None, ge=1, le=10_000_000)

    @field_validator("languages")
    @classmethod
    def _both_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if set(value) != set(LANGUAGES):
            raise ValueError("a flow must offer both cy and en")
        return value

    def has_step(self, step_id: str) -> bool:
        return step_id in self._index()

    def step(self, step_id: str) -> Step:
        return self._index()[step_id]

    def first_step(self) -> Step:
        return self.steps[0]

    def following(self, step: Step) -> Step | None:
        """The step after `step`: its `next`, else the next one in the file."""
        if step.next:
            return self.step(step.next)
        position = self._positions()[step.id]
        return self.steps[position + 1] if position + 1 < len(self.steps) else None

    def _index(self) -> dict[str, Step]:
        index = self.__dict__.get("_step_index")
        if index is None:
            index = {step.id: step for step in self.steps}
            self.__dict__["_step_index"] = index
        return index

    def _positions(self) -> dict[str, int]:
        """Each step's place in the file, by id (comparing whole steps to find it is slow)."""
        positions = self.__dict__.get("_step_positions")
        if positions is None:
            positions = {step.id: number for number, step in enumerate(self.steps)}
            self.__dict__["_step_positions"] = positions
        return positions


@dataclass(frozen=True)
class Partner:
    """An outreach partner whose code on a poster attributes residents who text it first."""

    code: str
    #: As residents and officers know the place, in each language ("Llyfrgell Ganolog").
    name: Text
    flow: str | None = None


@dataclass(frozen=True)
class FlowLibrary:
    """Every flow and partner the engine may use; `welcome` runs first for a new resident."""

    flows: dict[str, Flow]
    partners: dict[str, Partner]
    default_flow: str
    welcome_flow: str = "welcome"

    def flow(self, flow_id: str) -> Flow:
        return self.flows[flow_id]

    def partner_for(self, text: str) -> Partner | None:
        return self.partners.get(text.strip().upper())
