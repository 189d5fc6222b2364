"""History items: what a session remembers, one immutable record per finished piece.

Items are a pydantic discriminated union on ``type``; the JSON form is the
``llmx-tui.session/1`` item format used by import and export.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


def new_id() -> str:
    return uuid.uuid4().hex


class _ItemBase(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=new_id)
    turn: int = 0
    created: float = Field(default_factory=time.time)


class UserMessage(_ItemBase):
    type: Literal["user_message"] = "user_message"
    text: str
    images: list[str] = Field(default_factory=list)


class AssistantMessage(_ItemBase):
    type: Literal["assistant_message"] = "assistant_message"
    text: str
    provider: str | None = None
    model: str | None = None
    # Gemini may sign a text part; replayed only to the same provider and model.
    thought_signature: str | None = None


class Reasoning(_ItemBase):
    """Provider-owned reasoning. Opaque fields are kept byte for byte.

    ``details`` holds the provider-native blocks needed to replay it: Anthropic
    thinking / redacted_thinking blocks, OpenRouter ``reasoning_details``.
    Unknown fields from imports are kept too (``extra="allow"``).
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    type: Literal["reasoning"] = "reasoning"
    text: str = ""
    provider: str | None = None
    model: str | None = None
    signature: str | None = None
    encrypted: str | None = None
    details: list[dict[str, Any]] | None = None


class ToolCall(_ItemBase):
    type: Literal["tool_call"] = "tool_call"
    call_id: str
    name: str
    # The exact string received; may be invalid JSON (a cut stream).
    arguments: str
    provider: str | None = None
    model: str | None = None
    thought_signature: str | None = None


# What running a tool call came to: its ToolFinished event and its ToolOutput say it.
ToolStatus = Literal["done", "failed", "denied", "skipped"]


class ToolOutput(_ItemBase):
    type: Literal["tool_output"] = "tool_output"
    call_id: str
    output: str
    is_error: bool = False
    # What became of the call; None in sessions saved before it was recorded.
    # cancelled: the user cancelled the turn while the tool ran (it may be half done).
    status: ToolStatus | Literal["cancelled"] | None = None


class TurnError(_ItemBase):
    """Shown in the UI, never sent to a model."""

    type: Literal["error"] = "error"
    kind: str = "error"
    message: str


class Cancelled(_ItemBase):
    """Marks a turn the user cancelled; never sent to a model."""

    type: Literal["cancelled"] = "cancelled"
    partial: bool = True


Item = Annotated[
    UserMessage | AssistantMessage | Reasoning | ToolCall | ToolOutput | TurnError | Cancelled,
    Field(discriminator="type"),
]

ITEM_ADAPTER: TypeAdapter[Item] = TypeAdapter(Item)
ITEMS_ADAPTER: TypeAdapter[list[Item]] = TypeAdapter(list[Item])

ITEM_TYPES: frozenset[str] = frozenset(
    {
        "user_message",
        "assistant_message",
        "reasoning",
        "tool_call",
        "tool_output",
        "error",
        "cancelled",
    }
)


def item_from_dict(data: dict[str, Any]) -> Item:
    return ITEM_ADAPTER.validate_python(data)
