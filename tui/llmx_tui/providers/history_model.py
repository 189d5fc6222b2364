"""The normalised conversation every dialect builds its payload from.

``providers.history.normalise_history`` turns saved items into a list of steps:
a ``UserStep`` (one user message, possibly several joined) or an
``AssistantStep`` (optional reasoning + text + tool calls, each call already
paired with exactly one result). Dialects only translate steps to wire shapes;
every rule of PAYLOAD-RULES section 1 has been applied before they see them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from llmx_tui.core.items import AssistantMessage, Reasoning, ToolCall, ToolOutput
from llmx_tui.providers.base import ReportEntry, RequestSettings

CANCELLED_OUTPUT = "Tool call did not complete: cancelled by the user."
INTERRUPTED_OUTPUT = "Tool call did not complete: interrupted."


@dataclass(slots=True)
class TurnState:
    """Shared by every call of one user turn: did the user cancel it?"""

    cancelled: bool = False


@dataclass(slots=True)
class PairedCall:
    """A tool call with the one result that answers it.

    Once the rules have run, every call left in a step has a JSON-object
    ``parsed`` and either an ``output`` or a ``synthetic_output``.
    """

    item: ToolCall
    arguments: str  # rule 1 applied
    parsed: dict[str, Any] | None  # None: malformed (rule 2)
    turn: TurnState
    step_number: int = 0  # which assistant step it came in
    earlier_same_id: PairedCall | None = None  # an id used twice in one step
    output: ToolOutput | None = None
    synthetic_output: str | None = None  # rule 3: set when output is None
    wire_id: str = ""  # unique within the payload (see history_ids)
    # The output's text with surrogates mended (``history_collect.answer_call``).
    mended_output: str | None = None

    @property
    def result_text(self) -> str:
        if self.mended_output is not None:
            return self.mended_output
        if self.output is not None:
            return self.output.output
        return self.synthetic_output or INTERRUPTED_OUTPUT

    @property
    def is_error(self) -> bool:
        return self.output.is_error if self.output is not None else True


@dataclass(slots=True)
class UserStep:
    """One user message of the payload: one saved message, or several joined."""

    item_id: str  # the first user message it holds
    text: str
    images: Sequence[str] = ()  # read-only: may be the item's own list
    # Texts of the messages joined into this one; ``text`` is set from them
    # once, at the end (joining as they come would copy a long run over and over).
    joined: list[str] | None = None


@dataclass(slots=True)
class AssistantStep:
    """One assistant message of the payload; its results follow it directly.

    ``segments`` are the assistant messages whose text it carries, kept apart
    so Gemini can sign each part.
    """

    segments: list[AssistantMessage] = field(default_factory=list)
    calls: list[PairedCall] = field(default_factory=list)
    # Reasoning anchored here. After rules 6-7 only the replayable items remain.
    reasoning: list[Reasoning] = field(default_factory=list)
    # After the last user message (the current tool loop).
    current_loop: bool = False
    # Some reasoning of this message in the replay window could not be kept
    # (foreign provider/model): dialects that need all-or-none drop the rest.
    reasoning_incomplete: bool = False

    @property
    def text(self) -> str:
        segments = self.segments
        if len(segments) == 1:  # the usual case, on every request: keep it cheap
            return segments[0].text
        return "\n\n".join([segment.text for segment in segments])

    def first_item_id(self) -> str | None:
        if self.segments:
            return self.segments[0].id
        if self.calls:
            return self.calls[0].item.id
        return None


Step = UserStep | AssistantStep


@dataclass(slots=True)
class NormalisedHistory:
    steps: list[Step]
    report: list[ReportEntry]


# The compact form the dialect writers read ----------------------------------------
#
# Built in one pass by ``history_fast.clean_history`` for the usual history, or
# converted from ``NormalisedHistory`` (``history.compact_history``) for any
# other. Plain tuples and lists rather than dataclasses: a 10,000-item build
# makes thousands of them, and a slots dataclass costs about five tuples.
#
#   user step:      (item_id, text, images)                                   tuple
#   assistant step: [segments, calls, reasoning, reasoning_incomplete, text]  list
#   call:           [item, name, arguments, parsed, wire_id, result_text,
#                    is_error, thought_signature]                             list
#
# ``segments``, ``reasoning`` and the call fields mean what they mean on
# ``AssistantStep`` and ``PairedCall``; ``text`` is the segments' text joined
# (None: join it from the segments), ``result_text`` the output or the
# synthetic one (rule 3), ``wire_id`` already in the server's shape. Item fields
# are copied in because reading a field of a pydantic model goes through its
# ``__getattr__`` hook (a few times the cost of a list index).

CompactUser = tuple[str, str, Sequence[str]]
CompactAssistant = list[Any]
CompactCall = list[Any]
# An empty part of a step, shared: most steps have text or calls, not both.
EMPTY_PART: tuple[()] = ()
# Indexes written after a record is made (readers unpack the whole record).
STEP_REASONING, STEP_INCOMPLETE, STEP_TEXT = 2, 3, 4
CALL_RESULT, CALL_IS_ERROR = 5, 6


@dataclass(slots=True)
class CompactHistory:
    steps: list[CompactUser | CompactAssistant]
    loop_start: int  # steps from this index on are the current tool loop
    report: list[ReportEntry]


def compact_first_item_id(step: CompactAssistant) -> str | None:
    segments, calls = step[0], step[1]
    first: str | None = None
    if segments:
        first = segments[0].id
    elif calls:
        first = calls[0][0].id
    return first


def compact_text(step: CompactAssistant) -> str:
    text: str | None = step[STEP_TEXT]
    if text is None:
        return "\n\n".join([segment.text for segment in step[0]])
    return text


def is_same_owner(item: Any, settings: RequestSettings) -> bool:
    """Rule 6: provider-owned data is replayed only to the provider and model that made it."""
    same: bool = item.provider == settings.provider and item.model == settings.model
    return same


def joined_reasoning_text(reasoning: list[Reasoning]) -> str:
    """Two reasoning items on one anchor are concatenated in order (rule 7)."""
    return "".join(r.text for r in reasoning)


# Placeholder first user message for dialects whose history must start with one.
LEADING_USER_TEXT = "(The conversation continues.)"


def split_data_url(url: str) -> tuple[str, str] | None:
    """``data:<mime>;base64,<data>`` -> (mime, data); None for any other URL."""
    if not url.startswith("data:"):
        return None
    header, sep, data = url[5:].partition(",")
    if not sep or not header.endswith(";base64"):
        return None
    return header.removesuffix(";base64") or "application/octet-stream", data


def replay_details(item: Reasoning) -> list[dict[str, Any]] | None:
    """Provider-native blocks; an imported item may carry them as ``reasoning_details``."""
    if item.details:
        return item.details
    extra = item.model_extra or {}
    details = extra.get("reasoning_details")
    return details if isinstance(details, list) and details else None


def reasoning_signature(item: Reasoning) -> str | None:
    """The signature; an imported Gemini item may carry it as ``thoughtSignature``."""
    if item.signature:
        return item.signature
    extra = item.model_extra or {}
    signature = extra.get("thoughtSignature")
    return signature if isinstance(signature, str) and signature else None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a payload is built.

    A build allocates tens of thousands of small objects and keeps them, which
    triggers full collections that scan everything alive (the whole session,
    the UI) and made a 10,000-item build 1.5-2.5x slower. Nothing built here
    forms a reference cycle, so reference counting frees it all; the collector
    is switched back on (if it was on) however the build ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
