"""The accumulator every dialect parser feeds: one place for the merge rules.

Each ``add_*`` method folds a piece of the response in and appends the stream
events to publish to ``out`` (a list owned by the caller, so a chunk costs one
list however many pieces it carries). ``outcome()`` builds the StepOutcome at
any time, mid-stream included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from llmx_tui.core.events import (
    ReasoningDelta,
    RefusalDelta,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStarted,
    Usage,
)
from llmx_tui.core.surrogates import has_surrogates, mend_surrogates
from llmx_tui.providers.base import OutcomeToolCall, StepOutcome
from llmx_tui.providers.usage import NO_USAGE, same_usage

# OpenRouter reasoning_details fields that are opaque and kept byte for byte.
_OPAQUE_DETAIL_FIELDS = ("signature", "data", "encrypted")
_DETAIL_TEXT_FIELDS = ("text", "summary")


# The decoder's scanner (C): ``raw_decode`` is only a Python method around it, a fifth
# of a small event's decoding time. Typeshed does not declare the attribute.
_scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_WHITESPACE = " \t\n\r"  # what json.loads skips around a value (not str.isspace)


def decode_json(data: str) -> Any:
    """``json.loads(data)``, or None when ``data`` is not JSON; shared by every parser.

    The usual chunk (no whitespace before the value) goes straight to the
    decoder's scanner: ``json.loads`` spends about a third of a small chunk's
    decoding time matching whitespace before and after the value. Trailing
    JSON whitespace (Anthropic pads some events) is what ``json.loads`` would
    skip too. Anything else, a scanning error included (the scanner raises
    StopIteration for some), takes ``json.loads`` itself, so the result is
    always the same.
    """
    try:
        value, end = _scan_once(data, 0)
        if end == len(data) or not data[end:].strip(_JSON_WHITESPACE):
            return value
    except (StopIteration, ValueError):
        pass
    try:
        return json.loads(data)
    except ValueError:
        return None


class _ToolCall:
    __slots__ = ("announced", "arguments", "call_id", "name", "thought_signature")

    def __init__(self) -> None:
        self.call_id: str | None = None
        self.name: str = ""
        self.arguments: list[str] = []
        self.announced = False
        self.thought_signature: str | None = None


class StreamState:
    """Text, reasoning, refusal, tool calls, finish reason, error and usage of one response."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._refusal: list[str] = []
        self._tools: dict[int, _ToolCall] = {}
        self._choices: dict[int, list[str]] = {}
        self._details: list[dict[str, Any]] = []
        self._blocks: list[dict[str, Any]] | None = None
        self.finish_reason: str | None = None
        self.error: str | None = None
        self.usage: Usage = NO_USAGE
        self.text_signature: str | None = None
        self.reasoning_signature: str | None = None
        # Held back by a ThinkTagSplitter; counted in outcome() but not yet published.
        self.pending_text = ""
        self.pending_reasoning = ""
        # A high surrogate that ended a piece, by delta kind (``_mend_surrogates``).
        # Keyed by delta kind, or by a tool call's index for its arguments.
        self._held_surrogates: dict[object, str] = {}

    # --- text-like pieces ---------------------------------------------------------------

    def add_text(self, text: str, out: list[Any]) -> None:
        if text and (self._held_surrogates or (not text.isascii() and has_surrogates(text))):
            text = self._mend_surrogates(TextDelta, text)
        if text:
            self._text.append(text)
            out.append(TextDelta(text))

    def add_reasoning(self, text: str, out: list[Any]) -> None:
        if text and (self._held_surrogates or (not text.isascii() and has_surrogates(text))):
            text = self._mend_surrogates(ReasoningDelta, text)
        if text:
            self._reasoning.append(text)
            out.append(ReasoningDelta(text))

    def add_refusal(self, text: str, out: list[Any]) -> None:
        if text and (self._held_surrogates or (not text.isascii() and has_surrogates(text))):
            text = self._mend_surrogates(RefusalDelta, text)
        if text:
            self._refusal.append(text)
            out.append(RefusalDelta(text))

    def _mend_surrogates(self, key: object, text: str) -> str:
        """``text`` with UTF-16 surrogates made into characters.

        A server that escapes non-ASCII as ``\\uXXXX`` may cut an emoji's surrogate
        pair between two events; each half decodes to a lone surrogate, which no
        UTF-8 encoder (SQLite, the next request, the terminal) accepts. A trailing
        high surrogate waits for the next piece of its kind (``key``); a pair becomes its
        character; any other lone surrogate becomes U+FFFD.
        """
        held = self._held_surrogates.pop(key, "")
        text = held + text
        if "\ud800" <= text[-1] <= "\udbff":
            self._held_surrogates[key] = text[-1]
            text = text[:-1]
        return mend_surrogates(text)

    @property
    def has_reasoning(self) -> bool:
        return bool(self._reasoning) or bool(self.pending_reasoning)

    def add_choice_text(self, choice: int, text: str) -> None:
        """Text of a choice other than 0 (``n > 1``): recorded, never published."""
        if text:
            self._choices.setdefault(choice, []).append(text)

    # --- tool calls -----------------------------------------------------------------------

    def add_tool_fragment(
        self,
        index: int,
        call_id: str | None,
        name: str | None,
        arguments: str | None,
        out: list[Any],
    ) -> None:
        """One fragment of the call at ``index``.

        The id and name come from the first non-empty fragment that has them: a
        later ``""`` id never overwrites and repeated names are never joined.
        Argument fragments are joined exactly. The call is announced once its
        name is known; fragments that came before are published with it.
        """
        call = self._tools.get(index)
        if call is None:
            call = self._tools[index] = _ToolCall()
        if call_id and call.call_id is None:
            call.call_id = call_id
        if arguments and (
            self._held_surrogates or (not arguments.isascii() and has_surrogates(arguments))
        ):
            arguments = self._mend_surrogates(index, arguments)
        if name and not call.name:
            call.name = name
        if arguments:
            call.arguments.append(arguments)
        if call.announced:
            if arguments:
                out.append(ToolCallArgumentsDelta(index=index, fragment=arguments))
        elif call.name:
            call.announced = True
            out.append(ToolCallStarted(index=index, call_id=call.call_id, name=call.name))
            if call.arguments:
                joined = "".join(call.arguments)
                out.append(ToolCallArgumentsDelta(index=index, fragment=joined))

    def set_tool_signature(self, index: int, signature: str) -> None:
        call = self._tools.get(index)
        if call is None:
            call = self._tools[index] = _ToolCall()
        call.thought_signature = signature

    def tool_index_for(self, call_id: str | None) -> int:
        """Index for a fragment that names no index: its id's call, a new call, or the last."""
        if call_id:
            for index, call in self._tools.items():
                if call.call_id == call_id:
                    return index
            return max(self._tools, default=-1) + 1
        return max(self._tools, default=0)

    def tool_arguments(self, index: int) -> str:
        call = self._tools.get(index)
        return self._arguments(index, call) if call else ""

    def _arguments(self, index: int, call: _ToolCall) -> str:
        joined = "".join(call.arguments)
        return joined + "\ufffd" if index in self._held_surrogates else joined

    @property
    def tool_count(self) -> int:
        return len(self._tools)

    # --- end of response -------------------------------------------------------------------

    def set_finish_reason(self, reason: Any) -> None:
        if isinstance(reason, str) and reason:
            self.finish_reason = reason

    def set_error(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def set_usage(self, usage: Usage | None, out: list[Any]) -> None:
        """Publish a changed normalised usage (the merge itself lives in usage.py)."""
        if usage is not None and not same_usage(usage, self.usage):
            self.usage = usage
            out.append(usage)

    # --- provider-owned replay data -------------------------------------------------------

    def add_reasoning_detail(self, detail: dict[str, Any]) -> None:
        """Keep an OpenRouter ``reasoning_details`` fragment for replay.

        Consecutive fragments of one detail (same type and index, and same id
        when both have one) become one object: text and summary are joined,
        opaque fields are kept verbatim (the first non-empty value), other
        fields fill in where the merged object lacks them.
        """
        last = self._details[-1] if self._details else None
        if last is None or not _same_detail(last, detail):
            self._details.append(dict(detail))
            return
        for key, value in detail.items():
            if key in _DETAIL_TEXT_FIELDS and isinstance(value, str):
                previous = last.get(key)
                last[key] = (previous if isinstance(previous, str) else "") + value
            elif key in _OPAQUE_DETAIL_FIELDS:
                if value and not last.get(key):
                    last[key] = value
            elif last.get(key) in (None, ""):
                last[key] = value

    def set_reasoning_blocks(self, blocks: list[dict[str, Any]]) -> None:
        """Anthropic thinking blocks, already in replay form and block order."""
        self._blocks = blocks

    # --- result -----------------------------------------------------------------------------

    def outcome(self) -> StepOutcome:
        # A half pair still waiting for its other half is shown as U+FFFD.
        held = dict.fromkeys(self._held_surrogates, "\ufffd")
        text = "".join(self._text) + held.get(TextDelta, "") + self.pending_text
        calls = [
            OutcomeToolCall(
                id=call.call_id,
                name=call.name,
                arguments=self._arguments(index, call),
                thought_signature=call.thought_signature,
            )
            for index, call in sorted(self._tools.items())
            if call.name  # a nameless fragment cannot be run or replayed
        ]
        choices: dict[int, str] = {}
        if self._choices:
            choices[0] = text
            for index, parts in sorted(self._choices.items()):
                choices[index] = "".join(parts)
        details: list[dict[str, Any]] | None = None
        if self._blocks is not None:
            details = [dict(block) for block in self._blocks] or None
        elif self._details:
            details = [dict(detail) for detail in self._details]
        return StepOutcome(
            text=text,
            reasoning="".join(self._reasoning)
            + held.get(ReasoningDelta, "")
            + self.pending_reasoning,
            refusal="".join(self._refusal) + held.get(RefusalDelta, ""),
            tool_calls=calls,
            finish_reason=self.finish_reason,
            usage=self.usage,
            error=self.error,
            reasoning_signature=self.reasoning_signature,
            reasoning_details=details,
            text_signature=self.text_signature,
            choices_text=choices,
        )


def _same_detail(last: dict[str, Any], new: dict[str, Any]) -> bool:
    if last.get("type") != new.get("type") or last.get("index") != new.get("index"):
        return False
    last_id, new_id = last.get("id"), new.get("id")
    return not (last_id and new_id and last_id != new_id)


_OPEN = "<think>"
_CLOSE = "</think>"
_DETECT, _INSIDE, _PLAIN = 0, 1, 2


class ThinkTagSplitter:
    """Splits ``<think>...</think>`` at the start of the content into reasoning.

    Only when the content starts (after optional whitespace) with ``<think>``.
    Tags may be cut anywhere across chunks, so only the shortest tail that could
    still be the start of a tag is held back (``state.pending_*``); everything
    else is published at once. Text outside the tags is kept untrimmed.
    """

    __slots__ = ("_mode", "_state")

    def __init__(self, state: StreamState) -> None:
        self._state = state
        self._mode = _DETECT

    def disable(self, out: list[Any]) -> None:
        """A reasoning field was seen: content is plain text from here on."""
        if self._mode == _DETECT:
            self._mode = _PLAIN
            self._release(out)

    def feed(self, piece: str, out: list[Any]) -> None:
        state = self._state
        if self._mode == _PLAIN:
            # Nearly every piece once the start is settled: straight to the text.
            state.add_text(piece, out)
            return
        if self._mode == _DETECT:
            buffer = state.pending_text + piece
            state.pending_text = ""
            stripped = buffer.lstrip()
            # Leading whitespace is text whether or not a tag follows.
            state.add_text(buffer[: len(buffer) - len(stripped)], out)
            if not stripped:
                return
            if stripped.startswith(_OPEN):
                self._mode = _INSIDE
                piece = stripped[len(_OPEN) :]
            elif _OPEN.startswith(stripped):
                state.pending_text = stripped
                return
            else:
                self._mode = _PLAIN
                state.add_text(stripped, out)
                return
        if not state.pending_reasoning and "<" not in piece:
            # Inside the tags, no tag can start in this piece: all of it is reasoning.
            state.add_reasoning(piece, out)
            return
        buffer = state.pending_reasoning + piece
        state.pending_reasoning = ""
        end = buffer.find(_CLOSE)
        if end >= 0:
            self._mode = _PLAIN
            state.add_reasoning(buffer[:end], out)
            state.add_text(buffer[end + len(_CLOSE) :], out)
            return
        keep = _partial_tag_tail(buffer)
        state.add_reasoning(buffer[: len(buffer) - keep], out)
        state.pending_reasoning = buffer[len(buffer) - keep :]

    def flush(self, out: list[Any]) -> None:
        """The content is complete: publish whatever was held back."""
        self._release(out)

    def _release(self, out: list[Any]) -> None:
        state = self._state
        text, reasoning = state.pending_text, state.pending_reasoning
        state.pending_text = state.pending_reasoning = ""
        state.add_text(text, out)
        # An unclosed <think> (cut by a token limit) is still reasoning.
        state.add_reasoning(reasoning, out)


def _partial_tag_tail(buffer: str) -> int:
    """Length of the longest suffix of ``buffer`` that is a proper prefix of ``</think>``."""
    start = buffer.rfind("<", max(0, len(buffer) - len(_CLOSE) + 1))
    if start < 0:
        return 0
    tail = buffer[start:]
    return len(tail) if _CLOSE.startswith(tail) else 0
