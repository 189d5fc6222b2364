"""First pass: saved items -> raw steps, in one linear walk.

Groups items into user steps and assistant steps, applies rules 1 and 2 to
every call (a malformed call is left out of its step, its output skipped when
it arrives), pairs each output with its call (rule 4: by call_id through a
dict, the most recent call first) and anchors reasoning (rule 7). Outputs with
no call to answer and reasoning with nothing to attach to are dropped here.

One plain loop with local variables: this runs on every request over the
whole history, so it stays cheap per item.
"""

from __future__ import annotations

import json
import json.scanner
import re
from collections.abc import Callable, Sequence
from typing import Any

from llmx_tui.core.items import AssistantMessage, Item, Reasoning, ToolCall, ToolOutput
from llmx_tui.core.surrogates import has_surrogates, mend_surrogates
from llmx_tui.providers.base import ReportEntry
from llmx_tui.providers.history_model import AssistantStep, PairedCall, TurnState, UserStep
from llmx_tui.providers.surrogates import mended_text

RawStep = UserStep | AssistantStep


def _reject_constant(name: str) -> Any:
    # NaN and Infinity parse in Python but are not JSON: a server would reject them.
    raise ValueError(f"{name} is not JSON")


_STRICT_JSON = json.JSONDecoder(parse_constant=_reject_constant)
# The decoder's own C scanner: ``decode`` is a Python wrapper around it that
# costs more than the scan itself for the short objects tool calls carry.
# (typeshed types the scanner's argument as a scanner, not the decoder it reads.)
_make_scanner: Any = json.scanner.make_scanner
SCAN_JSON_VALUE: Callable[[str, int], tuple[Any, int]] = _make_scanner(_STRICT_JSON)


def normalise_arguments(arguments: str) -> str:
    """Rule 1: empty or whitespace-only arguments mean "no arguments"."""
    return arguments if arguments.strip() else "{}"


# A ``\uD800``-``\uDFFF`` escape: only arguments holding one can decode to a lone
# surrogate (``\u00e9`` and other escapes cannot), so only those are checked.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def encodable(value: Any) -> bool:
    """No lone surrogate from a ``\\uD800``-style escape: strict parsers reject one, and
    the request could not be encoded as UTF-8."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Arguments nested deeper than this are malformed (rule 2): Python's JSON parser
# and encoder recurse once per level, so thousands of levels crash the build and
# a few hundred the encoding of the request; no tool takes such a structure.
MAX_ARGUMENT_DEPTH = 64
# Nesting deeper than MAX_ARGUMENT_DEPTH needs at least this many characters: only
# arguments longer than it are walked (``too_deep``), so short ones cost nothing.
DEEP_ARGUMENTS_LENGTH = 2 * MAX_ARGUMENT_DEPTH


def too_deep(value: Any) -> bool:
    """Does a parsed JSON value nest deeper than ``MAX_ARGUMENT_DEPTH``? (No recursion.)"""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_ARGUMENT_DEPTH:
            return True
        for child in node.values() if node.__class__ is dict else node:
            if child.__class__ is dict or child.__class__ is list:
                stack.append((child, depth + 1))
    return False


def parse_arguments(arguments: str) -> dict[str, Any] | None:
    """Rule 2: the arguments must parse as a JSON object, else the call is malformed."""
    if arguments == "{}":  # the most common case, on every request: skip the parser
        return {}
    try:
        if arguments[:1] == "{" and arguments[-1:] == "}":
            # The usual shape, scanned directly. Same verdict as ``decode``: nothing
            # to skip before the value, and a trailing "}" is never whitespace.
            try:
                value, end = SCAN_JSON_VALUE(arguments, 0)
            except StopIteration:
                return None
            if end != len(arguments):
                return None
        else:
            value = _STRICT_JSON.decode(arguments)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    if len(arguments) > DEEP_ARGUMENTS_LENGTH and too_deep(value):
        return None
    return value


def unanchored(reasoning: Sequence[Item], report: list[ReportEntry]) -> None:
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
    step_number = 0
    # call_id -> the most recent call with that id: an output answers it, so a
    # retried call that reuses an id is kept (rule 2's "most recent call decides").
    latest_call: dict[str, PairedCall] = {}

    # Dispatch is on ``item.type``, which the type checker does not follow: inside the
    # loop, items are typed Any.
    items: Sequence[Any] = history
    for item in items:
        kind = item.type
        if kind == "reasoning":
            if not item.text.isascii():
                item = with_mended_text(item, report)
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
                # The waiting reasoning becomes the new step's own list.
                open_step = AssistantStep([], [], pending)
                steps.append(open_step)
                step_number += 1
                pending = []
            elif pending:
                open_step.reasoning.extend(pending)
                pending = []
            if kind == "assistant_message":
                if not item.text.isascii():
                    item = with_mended_text(item, report)
                open_step.segments.append(item)
            else:
                call = new_call(item, turn, step_number, latest_call, report)
                if call.parsed is not None:
                    open_step.calls.append(call)
        else:
            # A boundary: user message, output, error or cancel ends the step.
            open_step = None
            if pending:
                unanchored(pending, report)
                pending = []
            if kind == "tool_output":
                answer_call(item, latest_call, report)
            elif kind == "user_message":
                turn = TurnState()
                text = item.text
                if not text.isascii():
                    text = mended_text(text, item.id, "user message", report)
                steps.append(UserStep(item.id, text, item.images))
            elif kind == "cancelled":
                turn.cancelled = True
        previous_type = kind
    unanchored(pending, report)
    return steps


def with_mended_text(
    item: AssistantMessage | Reasoning, report: list[ReportEntry]
) -> AssistantMessage | Reasoning:
    """The item, or (its text holding surrogates: an imported or hand-edited session)
    a copy whose text a request can carry. The saved item is never changed.

    A signature vouches for the text as the provider sent it (rule 6), and the
    provider rejects it over the mended text; so the copy goes without it, as
    unsigned reasoning or plain text, which each dialect treats by its own rules."""
    text = item.text
    what = "reasoning" if item.__class__ is Reasoning else "assistant message"
    mended = mended_text(text, item.id, what, report)
    if mended is text:
        return item
    update: dict[str, Any] = {"text": mended}
    if isinstance(item, Reasoning):
        update.update(signature=None, encrypted=None, details=None)
    else:
        update["thought_signature"] = None
    return item.model_copy(update=update)


def new_call(
    item: ToolCall,
    turn: TurnState,
    step_number: int,
    latest_call: dict[str, PairedCall],
    report: list[ReportEntry],
) -> PairedCall:
    """Rules 1 and 2 for one call; a malformed call is kept out of its step but
    stays findable by id, so its output is skipped with it."""
    original = item.arguments
    arguments = normalise_arguments(original)
    if arguments is not original:
        report.append(
            ReportEntry(item.id, "empty-arguments", "changed", 'empty arguments sent as "{}"')
        )
    elif has_surrogates(arguments):
        arguments = mend_surrogates(arguments)
        report.append(
            ReportEntry(
                item.id,
                "surrogates-in-arguments",
                "changed",
                "a character cut in two by the stream was mended (U+FFFD where it could not be)",
            )
        )
    parsed = parse_arguments(arguments)
    if (
        parsed is not None
        and "\\u" in arguments
        and SURROGATE_ESCAPE.search(arguments)
        and not encodable(parsed)
    ):
        parsed = None  # an escaped lone surrogate: strict parsers reject it
    if parsed is None:
        report.append(
            ReportEntry(
                item.id,
                "malformed-arguments",
                "skipped",
                f"arguments of {item.name!r} are not a JSON object",
            )
        )
    call = PairedCall(item, arguments, parsed, turn, step_number)
    call_id = item.call_id
    earlier = latest_call.get(call_id)
    if earlier is not None and earlier.step_number == step_number:
        call.earlier_same_id = earlier  # the same id twice in one step
    latest_call[call_id] = call
    return call


def answer_call(
    item: ToolOutput, latest_call: dict[str, PairedCall], report: list[ReportEntry]
) -> None:
    """Rule 4: an output answers the most recent unanswered call with its id."""
    call = latest_call.get(item.call_id)
    while call is not None and call.output is not None:
        call = call.earlier_same_id
    if call is None:
        report.append(
            ReportEntry(
                item.id,
                "unmatched-output",
                "dropped",
                f"no unanswered call with id {item.call_id!r} before it",
            )
        )
        return
    call.output = item
    if call.parsed is not None and has_surrogates(item.output):
        # A tool's text cut inside a surrogate pair cannot be encoded as UTF-8.
        call.mended_output = mend_surrogates(item.output)
        report.append(
            ReportEntry(
                item.id,
                "surrogates-in-output",
                "changed",
                "a character cut in two was mended (U+FFFD where it could not be)",
            )
        )
    if call.parsed is None:
        report.append(
            ReportEntry(item.id, "malformed-arguments", "skipped", "output of a skipped call")
        )
