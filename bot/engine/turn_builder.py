"""One turn being built: the changing state, the outputs, the SMS pieces; and moving
through a flow (branches, ends, hand-ons to the next flow) to the next prompt."""

from __future__ import annotations

from bot.engine import texts as say
from bot.engine.events import (
    FlowEnded,
    FlowStarted,
    Medium,
    Output,
    SendText,
    Turn,
)
from bot.engine.render import compose, step_prompt
from bot.engine.state import SessionState
from bot.engine.voice import aloud, spoken_end, spoken_prompt
from bot.flowspec.model import (
    BranchStep,
    ConsentStep,
    EndStep,
    ExpectationsStep,
    Flow,
    FlowLibrary,
    SayStep,
    Step,
    Text,
)

#: Steps a single turn may pass through (branches, ends, hand-ons) before the flow is called broken.
MAX_HOPS = 100


class TurnBuilder:
    """Collects one turn: the state as it changes, the outputs, and the pieces of the SMS."""

    def __init__(self, library: FlowLibrary, state: SessionState, medium: Medium = "text") -> None:
        self.library = library
        self.state = state
        #: On a call every text is said: prompts carry keys to press, not words to send.
        self.medium = medium
        self.outputs: list[Output] = []
        self.parts: list[Text] = []

    @property
    def flow(self) -> Flow:
        return self.library.flow(self.state.flow_id)

    @property
    def current(self) -> Step:
        return self.flow.step(self.state.step_id)

    def say(self, *texts: Text) -> None:
        if self.medium == "voice":
            texts = tuple(aloud(text) for text in texts)
        self.parts.extend(texts)

    def prompt(self, step: Step, *, simpler: bool = False) -> None:
        """Ask `step`, as this medium asks it: with options to reply, or keys to press."""
        if self.medium == "voice":
            self.parts.append(spoken_prompt(self.flow, step, simpler=simpler))
        else:
            self.parts.append(step_prompt(self.flow, step, simpler=simpler))

    def say_end(self, step: EndStep) -> None:
        self.parts.append(spoken_end(step) if self.medium == "voice" else step.text)

    def do(self, *outputs: Output) -> None:
        self.outputs.extend(outputs)

    @property
    def ended(self) -> bool:
        return self.state.status in {"completed", "expired"}

    def prompt_again(self) -> None:
        if self.ended:
            self.say(say.ENDED)
        else:
            self.prompt(self.current)

    def offer_again(self) -> None:
        """After a question or an aside: how to carry on from here, in as few words as work.

        An explanation waits for a go-on, a question is asked again (a choice with its
        options, consent in one short line), and after the end only START and ASK are offered.
        """
        current = self.current
        if self.ended:
            self.say(say.AFTER_END_HINT)
        elif isinstance(current, SayStep | ExpectationsStep):
            self.say(say.GO_ON_WHEN_READY)
        elif isinstance(current, ConsentStep):
            self.say(say.CONSENT_AGAIN)
        else:
            self.prompt_again()

    def finish(self) -> Turn:
        outputs = list(self.outputs)
        if self.parts:
            outputs.append(SendText(compose(self.parts, self.state.language)))
        return Turn(self.state, tuple(outputs))


def advance(turn: TurnBuilder, next_id: str | None = None) -> None:
    flow = turn.flow
    following = flow.step(next_id) if next_id else flow.following(turn.current)
    if following is None:
        raise ValueError(f"flow {flow.id!r}: nothing follows step {turn.current.id!r}")
    enter(turn, following)


def enter(turn: TurnBuilder, arriving: Step) -> None:
    """Arrive at a step: decide branches, say ends and hand on, and stop at the next prompt."""
    target = arriving
    for _ in range(MAX_HOPS):
        flow = turn.flow
        if isinstance(target, BranchStep):
            chosen = turn.state.choices.get(target.on)
            target = flow.step(target.cases.get(chosen or "", target.default))
            continue
        if isinstance(target, EndStep):
            turn.say_end(target)
            turn.do(FlowEnded(flow.id, "completed"))
            next_flow = target.next_flow or (
                turn.state.target_flow if flow.id == turn.library.welcome_flow else None
            )
            if next_flow is None:
                turn.state = turn.state.but(step_id=target.id, status="completed", retries=0)
                return
            following = turn.library.flow(next_flow)
            turn.do(FlowStarted(following.id))
            turn.state = turn.state.but(flow_id=following.id, choices={})
            target = following.first_step()
            continue
        turn.state = turn.state.but(step_id=target.id, status="active", retries=0)
        turn.prompt(target)
        return
    raise ValueError(f"flow {turn.state.flow_id!r} loops without asking anything")
