"""First pass: saved items -> raw steps, in one linear walk.

Groups items into user steps and assistant steps, applies rule 1 to every
argument string, pairs each output with its call (rule 4: by call_id through
a dict, the most recent call first) and anchors reasoning (rule 7). Nothing is
dropped here except what can never be sent: outputs with no call to answer and
reasoning with nothing to attach to.

One plain loop with local variables: this runs on every request over the
whole history, so it stays cheap per item.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llmx_tui.core.items import Item, Reasoning
from llmx_tui.providers.base import ReportEntry
from llmx_tui.providers.history_model import AssistantStep, PairedCall, TurnState, UserStep

RawStep = UserStep | AssistantStep


def normalise_arguments(arguments: str) -> str:
    """Rule 1: empty or whitespace-only arguments mean "no arguments"."""
    return arguments if arguments.strip() else "{}"


def parse_arguments(arguments: str) -> dict[str, Any] | None:
    """Rule 2: the arguments must parse as a JSON object, else the call is malformed."""
    if arguments == "{}":  # the most common case, on every request: skip the parser
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def unanchored(reasoning: list[Reasoning], report: list[ReportEntry]) -> None:
    for item in reasoning:
        report.append(
            ReportEntry(
                item.id,
                "unanchored-reasoning",
                "dropped_reasoning",
                "no assistant message or tool call to attach it to",
            )
        )


def collect_steps(history: Sequence[Item], report: list[ReportEntry]) -> list[RawStep]:
    steps: list[RawStep] = []
    open_step: AssistantStep | None = None  # the assistant step being filled
    pending: list[Reasoning] = []  # reasoning waiting for the next call or message
    previous_type = ""  # type of the last non-reasoning item
    turn = TurnState()
    # call_id -> (step, its calls with that id): an output answers the most
    # recent step that used the id, so a retried call reusing it is kept.
    calls_by_id: dict[str, tuple[AssistantStep, list[PairedCall]]] = {}

    for item in history:
        kind = item.type
        if kind == "reasoning":
            # Rule 7 anchor: the assistant message just before it, else the
            # next tool call or assistant message.
            if previous_type == "assistant_message" and open_step is not None:
                open_step.reasoning.append(item)
            else:
                pending.append(item)
            continue
        if kind == "assistant_message" or kind == "tool_call":
            # Text after tool calls starts a new message; calls join the open one.
            if open_step is None or (kind == "assistant_message" and open_step.calls):
                open_step = AssistantStep([], [], [])
                steps.append(open_step)
            if pending:
                open_step.reasoning.extend(pending)
                pending = []
            if kind == "assistant_message":
                open_step.segments.append(item)
            else:
                add_call(open_step, item, turn, calls_by_id, report)
        else:
            # A boundary: user message, output, error or cancel ends the step.
            open_step = None
            if pending:
                unanchored(pending, report)
                pending = []
            if kind == "tool_output":
                answer_call(item, calls_by_id, report)
            elif kind == "user_message":
                turn = TurnState()
                steps.append(UserStep(item.id, [item.text], item.images))
            elif kind == "cancelled":
                turn.cancelled = True
        previous_type = kind
    unanchored(pending, report)
    return steps


def add_call(
    step: AssistantStep,
    item: Any,
    turn: TurnState,
    calls_by_id: dict[str, tuple[AssistantStep, list[PairedCall]]],
    report: list[ReportEntry],
) -> None:
    arguments = normalise_arguments(item.arguments)
    if arguments is not item.arguments:
        report.append(
            ReportEntry(item.id, "empty-arguments", "changed", 'empty arguments sent as "{}"')
        )
    call = PairedCall(item, arguments, parse_arguments(arguments), turn)
    step.calls.append(call)
    known = calls_by_id.get(item.call_id)
    if known is not None and known[0] is step:
        known[1].append(call)
    else:
        calls_by_id[item.call_id] = (step, [call])


def answer_call(
    item: Any,
    calls_by_id: dict[str, tuple[AssistantStep, list[PairedCall]]],
    report: list[ReportEntry],
) -> None:
    known = calls_by_id.get(item.call_id)
    if known is not None:
        for call in reversed(known[1]):
            if call.output is None:
                call.output = item
                return
    report.append(
        ReportEntry(
            item.id,
            "unmatched-output",
            "dropped",
            f"no unanswered call with id {item.call_id!r} before it",
        )
    )
