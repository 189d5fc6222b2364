"""Contracts shared by every dialect: request settings, tool specs, parser results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from llmx_tui.core.events import Usage

ReasoningPolicy = Literal["never", "anchored", "every_message", "anthropic", "gemini"]
Dialect = Literal["openai-chat", "anthropic", "gemini"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool offered to the model: JSON-schema parameters."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class RequestSettings:
    """Everything a payload builder needs beside the history."""

    provider: str  # preset name, e.g. "openai", "deepseek"
    model: str
    reasoning_policy: ReasoningPolicy = "never"
    # The field name reasoning is sent back in (OpenAI-style dialect only),
    # e.g. "reasoning_content", "reasoning", "reasoning_details".
    reasoning_field: str | None = None
    system_prompt: str | None = None
    tools: tuple[ToolSpec, ...] = ()
    max_tokens: int | None = None
    reasoning_effort: str | None = None
    temperature: float | None = None
    include_usage: bool = True  # stream_options.include_usage where supported
    extra_body: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)  # not frozen: its __init__ would cost 4x, and builds make thousands
class ReportEntry:
    """One thing the builder did to the history, for the payload inspector (never changed
    after it is made)."""

    item_id: str | None
    rule: str  # e.g. "malformed-arguments", "orphaned-call", "empty-message"
    action: Literal["skipped", "synthesised", "joined", "dropped", "changed", "dropped_reasoning"]
    detail: str = ""


@dataclass
class OutcomeToolCall:
    id: str | None
    name: str
    arguments: str
    thought_signature: str | None = None


@dataclass
class StepOutcome:
    """What one streamed model response amounted to."""

    text: str = ""
    reasoning: str = ""
    refusal: str = ""
    tool_calls: list[OutcomeToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    # Provider-owned replay data for the Reasoning item.
    reasoning_signature: str | None = None
    reasoning_details: list[dict[str, Any]] | None = None
    text_signature: str | None = None
    # Per-choice text when a stream carries several choices.
    choices_text: dict[int, str] = field(default_factory=dict)


class StreamParser(Protocol):
    """Turns one SSE event at a time into events; pure, no I/O."""

    @property
    def finished(self) -> bool:
        """The response has said all it will (finish reason and usage, or an end marker)."""

    @property
    def ended(self) -> bool:
        """An explicit end marker arrived ([DONE], message_stop): stop reading now."""

    def feed(self, event: str, data: str) -> list[Any]:
        """One SSE event (type and data) in, zero or more stream events out."""

    def outcome(self) -> StepOutcome: ...
