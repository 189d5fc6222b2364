"""What one model response adds to the history, and the error that ends a turn whose
calls keep coming malformed. Pure: no I/O, nothing published."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmx_tui.core.events import ErrorInfo
from llmx_tui.core.items import AssistantMessage, Item, Reasoning, ToolCall, new_id
from llmx_tui.providers.base import StepOutcome

# Finish reasons meaning the response was cut at the token limit (OpenAI, Anthropic, Gemini).
_CUT_AT_LIMIT = frozenset({"length", "max_tokens", "MAX_TOKENS"})


def step_items(outcome: StepOutcome, turn: int, origin: dict[str, Any]) -> list[Item]:
    """The reasoning, answer and tool calls of one response, in history order; ``origin``
    (provider, model) marks what may be replayed only to the model that made it."""
    items: list[Item] = []
    if outcome.reasoning or outcome.reasoning_details or outcome.reasoning_signature:
        items.append(
            Reasoning(
                text=outcome.reasoning,
                signature=outcome.reasoning_signature,
                details=outcome.reasoning_details,
                turn=turn,
                **origin,
            )
        )
    text = outcome.text or outcome.refusal
    if text or outcome.text_signature:
        items.append(
            AssistantMessage(
                text=text, thought_signature=outcome.text_signature, turn=turn, **origin
            )
        )
    for call in outcome.tool_calls:
        items.append(
            ToolCall(
                # Gemini calls may come without an id; pairing needs one.
                call_id=call.id or f"call_{new_id()[:24]}",
                name=call.name,
                arguments=call.arguments,
                thought_signature=call.thought_signature,
                turn=turn,
                **origin,
            )
        )
    return items


def malformed_calls_error(calls: Sequence[ToolCall], times: int, finish: str | None) -> ErrorInfo:
    """Why the turn stops after ``times`` steps in a row of calls that are not JSON."""
    names = ", ".join(sorted({call.name for call in calls}))
    why = (
        "they were cut off at the token limit (raise max_tokens)"
        if finish in _CUT_AT_LIMIT
        else "the model is not told: such calls are left out of the request"
    )
    return ErrorInfo(
        kind="malformed_calls",
        message=f"stopped: {times} times in a row the model called {names} with arguments "
        f"that are not valid JSON; {why}",
    )
