"""Stream and turn events: everything the engine tells the UI, the store and the printer.

Every dialect parser yields only these. Names are past tense for things that
happened (``TurnCompleted``) and plain nouns for deltas.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from llmx_tui.core.items import Item


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- deltas: one per token, so plain frozen slotted classes, not pydantic models -----------
# Building a pydantic model costs ~1 µs, a slotted dataclass ~0.2 µs; at tens of
# thousands of tokens per reply that was the largest cost of our own in the parse
# path (BENCHMARKS.md section 1). They come only from our parsers, so there is
# nothing to validate. ``as_dict`` is what ``model_dump(mode="json")`` gave.


@dataclass(frozen=True, slots=True)
class _TextPiece:
    """A piece of streamed text; each kind of piece is its own class (``type``)."""

    type: ClassVar[str]
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "text": self.text}


@dataclass(frozen=True, slots=True)
class TextDelta(_TextPiece):
    type: ClassVar[Literal["text_delta"]] = "text_delta"


@dataclass(frozen=True, slots=True)
class ReasoningDelta(_TextPiece):
    type: ClassVar[Literal["reasoning_delta"]] = "reasoning_delta"


@dataclass(frozen=True, slots=True)
class RefusalDelta(_TextPiece):
    type: ClassVar[Literal["refusal_delta"]] = "refusal_delta"


@dataclass(frozen=True, slots=True)
class ToolCallArgumentsDelta:
    type: ClassVar[Literal["tool_call_arguments_delta"]] = "tool_call_arguments_delta"
    index: int
    fragment: str

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "index": self.index, "fragment": self.fragment}


DeltaEvent = TextDelta | ReasoningDelta | RefusalDelta | ToolCallArgumentsDelta
DELTA_EVENTS = (TextDelta, ReasoningDelta, RefusalDelta, ToolCallArgumentsDelta)


class Usage(_Event):
    """Normalised token counts. ``input_tokens`` includes cached input;
    ``output_tokens`` includes reasoning. ``None`` means "not reported"."""

    type: Literal["usage"] = "usage"
    input_tokens: int | None = None
    cached_input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None

    def plus(self, other: Usage) -> Usage:
        """Sum of two usages (for session totals); None + None stays None."""

        def add(a: int | None, b: int | None) -> int | None:
            if a is None and b is None:
                return None
            return (a or 0) + (b or 0)

        return Usage(
            input_tokens=add(self.input_tokens, other.input_tokens),
            cached_input_tokens=add(self.cached_input_tokens, other.cached_input_tokens),
            output_tokens=add(self.output_tokens, other.output_tokens),
            reasoning_tokens=add(self.reasoning_tokens, other.reasoning_tokens),
        )

    def counts(self) -> dict[str, int | None]:
        return self.model_dump(exclude={"type"})


class TurnStarted(_Event):
    type: Literal["turn_started"] = "turn_started"
    session_id: str | None = None
    turn: int = 0


class StepStarted(_Event):
    """One model request inside a turn (a turn with tools has several)."""

    type: Literal["step_started"] = "step_started"
    step: int
    provider: str
    model: str


class ToolCallStarted(_Event):
    type: Literal["tool_call_started"] = "tool_call_started"
    index: int
    call_id: str | None
    name: str


class ParsedToolCall(BaseModel):
    id: str | None
    name: str
    arguments: str


class ResponseCompleted(_Event):
    """One model response finished (one step)."""

    type: Literal["response_completed"] = "response_completed"
    text: str
    reasoning: str
    tool_calls: list[ParsedToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)


class ItemDone(_Event):
    type: Literal["item_done"] = "item_done"
    item: Item


class Retrying(_Event):
    type: Literal["retrying"] = "retrying"
    attempt: int
    delay: float
    reason: str


class ToolRunning(_Event):
    type: Literal["tool_running"] = "tool_running"
    call_id: str
    name: str
    arguments: str


class ToolFinished(_Event):
    type: Literal["tool_finished"] = "tool_finished"
    call_id: str
    name: str
    output: str
    is_error: bool = False
    # not_run: the turn ended (the step limit) before the call was run.
    status: Literal["done", "failed", "denied", "skipped", "not_run"] = "done"
    duration: float = 0.0


class ApprovalRequested(_Event):
    type: Literal["approval_requested"] = "approval_requested"
    request_id: str
    call_id: str
    name: str
    arguments: str
    description: str


class ApprovalDecided(_Event):
    type: Literal["approval_decided"] = "approval_decided"
    request_id: str
    decision: Literal["allow_once", "allow_session", "deny"]
    # With "deny": the user also ends the turn (the call is recorded as denied first).
    stop: bool = False


class ErrorInfo(BaseModel):
    kind: str
    message: str
    status: int | None = None


class TurnCompleted(_Event):
    type: Literal["turn_completed"] = "turn_completed"
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)


class TurnFailed(_Event):
    type: Literal["turn_failed"] = "turn_failed"
    error: ErrorInfo
    partial_text: str = ""


class TurnCancelled(_Event):
    type: Literal["turn_cancelled"] = "turn_cancelled"
    partial_text: str = ""


# A plain union: the deltas are not pydantic models, so events are never validated
# as a discriminated union (nothing reads them back from JSON).
Event = (
    Usage
    | TurnStarted
    | StepStarted
    | TextDelta
    | ReasoningDelta
    | RefusalDelta
    | ToolCallStarted
    | ToolCallArgumentsDelta
    | ResponseCompleted
    | ItemDone
    | Retrying
    | ToolRunning
    | ToolFinished
    | ApprovalRequested
    | ApprovalDecided
    | TurnCompleted
    | TurnFailed
    | TurnCancelled
)


def event_to_json_dict(event: Event) -> dict[str, Any]:
    """The event as JSON-ready data, ``type`` first (the headless --json lines)."""
    if isinstance(event, DELTA_EVENTS):
        return event.as_dict()
    return event.model_dump(mode="json")
