"""One turn being built: the changing state, the outputs, the SMS pieces; and moving
through a flow (branches, ends, hand-ons to the next flow) to the next prompt."""

from __future__ import annotations

from bot.engine import texts as say
from bot.engine.events import (
    FlowEnded,
    FlowStarted,
    Output,
    SendText,
    Turn,
)
from bot.engine.render import compose, step_prompt
from bot.engine.state import SessionState
from bot.flowspec.model import (
    BranchStep,
    EndStep,
    Flow,
    FlowLibrary,
    Step,
    Text,
)

#: Steps a single turn may pass through (branches, ends, hand-ons) before the flow is called broken.
MAX_HOPS = 100


class Reply:
    """Collects one turn: the state as it changes, the outputs, and the pieces of the SMS."""

    def __init__(self, library: FlowLibrary, state: SessionState) -> None:
        self.library = library
        self.state = state
        self.outputs: list[Output] = []
        self.parts: list[Text] = []

    @property
    def flow(self) -> Flow:
        return self.library.flow(self.state.flow_id)

    @property
    def current(self) -> Step:
        return self.flow.step(self.state.step_id)

    def say(self, *texts: Text) -> None:
        self.parts.extend(texts)

    def do(self, *outputs: Output) -> None:
        self.outputs.extend(outputs)

    def prompt_again(self) -> None:
        if self.state.status in {"completed", "expired"}:
            self.say(say.ENDED)
        else:
            self.say(step_prompt(self.flow, self.current))

    def finish(self) -> Turn:
        outputs = list(self.outputs)
        if self.parts:
            outputs.append(SendText(compose(self.parts, self.state.language)))
        return Turn(self.state, tuple(outputs))


def advance(reply: Reply, next_id: str | None = None) -> None:
    flow = reply.flow
    following = flow.step(next_id) if next_id else flow.following(reply.current)
    if following is None:
        raise ValueError(f"flow {flow.id!r}: nothing follows step {reply.current.id!r}")
    enter(reply, following)


def enter(reply: Reply, arriving: Step) -> None:
    """Arrive at a step: decide branches, say ends and hand on, and stop at the next prompt."""
    target = arriving
    for _ in range(MAX_HOPS):
        flow = reply.flow
        if isinstance(target, BranchStep):
            chosen = reply.state.choices.get(target.on)
            target = flow.step(target.cases.get(chosen or "", target.default))
            continue
        if isinstance(target, EndStep):
            reply.say(target.text)
            reply.do(FlowEnded(flow.id, "completed"))
            next_flow = target.next_flow or (
                reply.state.target_flow if flow.id == reply.library.welcome_flow else None
            )
            if next_flow is None:
                reply.state = reply.state.but(step_id=target.id, status="completed", retries=0)
                return
            following = reply.library.flow(next_flow)
            reply.do(FlowStarted(following.id))
            reply.state = reply.state.but(flow_id=following.id, choices={})
            target = following.first_step()
            continue
        reply.state = reply.state.but(step_id=target.id, status="active", retries=0)
        reply.say(step_prompt(flow, target))
        return
    raise ValueError(f"flow {reply.state.flow_id!r} loops without asking anything")
