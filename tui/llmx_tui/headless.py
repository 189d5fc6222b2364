"""Headless mode: ``llmx-tui --print PROMPT [--json]`` runs one turn and prints it.

Text goes to stdout as it streams; reasoning to stderr (dim on a terminal).
With --json, one JSON object per line on stdout. Exit 0 on success, 1 on
failure (one clear line on stderr), 130 on Ctrl-C.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

from llmx_tui.cli_encoding import json_escape_hidden, writes_any_text
from llmx_tui.core.bus import Subscription
from llmx_tui.core.events import (
    ItemDone,
    ReasoningDelta,
    ResponseCompleted,
    Retrying,
    TextDelta,
    ToolFinished,
    TurnCancelled,
    TurnCompleted,
    TurnFailed,
    Usage,
    event_to_json_dict,
)
from llmx_tui.core.items import ToolCall
from llmx_tui.core.safe_text import show_hidden

_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI sequences (colours, cursor moves)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC (titles, hyperlinks, clipboard)
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # other controls, C1 too; keeps \t and \n
)
_END_EVENTS = (TurnCompleted, TurnFailed, TurnCancelled)


def neutralise(text: str, previous: str = "") -> str:
    """Model output shown on a terminal may not drive it: control sequences are removed,
    and characters that would reorder or hide text are shown as ``<U+XXXX>``.
    ``previous``: the text already shown before this chunk (see ``show_hidden``)."""
    return show_hidden(_TERMINAL_CONTROL.sub("", text), previous)


class JsonPrinter:
    """One JSON object per line: the headless contract other tools rely on."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        # A stdout that cannot encode every character gets ``\u00e9`` escapes: the same data.
        self._ascii = not writes_any_text(out)
        # On a terminal, what would reorder or hide text is escaped as sessions JSON is.
        self._tty = out.isatty()

    def handle(self, event: Any) -> None:
        line = self._line(event)
        if line is not None:
            text = json.dumps(line, ensure_ascii=self._ascii)
            self.out.write((json_escape_hidden(text) if self._tty else text) + "\n")
            self.out.flush()

    def _line(self, event: Any) -> dict[str, Any] | None:
        if isinstance(event, TextDelta | ReasoningDelta | Retrying | Usage):
            return event_to_json_dict(event)
        if isinstance(event, ItemDone) and isinstance(event.item, ToolCall):
            call = event.item
            return {
                "type": "tool_call",
                "id": call.call_id,
                "name": call.name,
                "arguments": call.arguments,
            }
        if isinstance(event, ToolFinished):
            return {
                "type": "tool_result",
                "id": event.call_id,
                "name": event.name,
                "output": event.output,
                "is_error": event.is_error,
                "status": event.status,
            }
        if isinstance(event, ResponseCompleted):
            line = event.model_dump(mode="json")
            line["usage"] = event.usage.counts()
            return line
        if isinstance(event, TurnFailed):
            return {
                "type": "turn_failed",
                "error": {"kind": event.error.kind, "message": event.error.message},
                "partial_text": event.partial_text,
            }
        if isinstance(event, TurnCancelled):
            return {"type": "turn_cancelled", "partial_text": event.partial_text}
        if isinstance(event, TurnCompleted):
            return {
                "type": "turn_completed",
                "finish_reason": event.finish_reason,
                "usage": event.usage.counts(),
            }
        return None


class TextPrinter:
    """Plain text for people: the reply on stdout, everything else on stderr."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self.tty_out = out.isatty()
        self.tty_err = err.isatty()
        self._ends_with_newline = True
        self._in_reasoning = False
        # The last character of the reply and of the reasoning streamed so far: a run of
        # variation selectors split across chunks is still seen (one character is all
        # show_hidden reads of what came before).
        self._text_tail = ""
        self._reasoning_tail = ""

    def handle(self, event: Any) -> None:
        if isinstance(event, TextDelta):
            self._end_reasoning()
            self._write(self.out, event.text, self.tty_out)
            self._ends_with_newline = event.text.endswith("\n")
            self._text_tail = event.text[-1:] or self._text_tail
        elif isinstance(event, ReasoningDelta):
            self._in_reasoning = True
            text = neutralise(event.text, self._reasoning_tail) if self.tty_err else event.text
            self._reasoning_tail = event.text[-1:] or self._reasoning_tail
            self.err.write(f"\x1b[2m{text}\x1b[0m" if self.tty_err else text)
            self.err.flush()
        elif isinstance(event, Retrying):
            self._end_reasoning()
            self._note(f"retrying in {event.delay:.1f} s (attempt {event.attempt}): {event.reason}")
        elif isinstance(event, ItemDone) and isinstance(event.item, ToolCall):
            self._end_reasoning()
            call = event.item
            self._note(f"tool call {call.name} {neutralise(call.arguments)[:200]}")
        elif isinstance(event, ToolFinished):
            # Headless, a call is denied only because it asks first and nobody can answer.
            why = " (it asks first; --yes lets it run)" if event.status == "denied" else ""
            self._note(f"tool {event.name}: {event.status}{why}")
        elif isinstance(event, _END_EVENTS):
            self._end_reasoning()
            if not self._ends_with_newline:
                self.out.write("\n")
                self.out.flush()

    def _write(self, stream: TextIO, text: str, tty: bool) -> None:
        stream.write(neutralise(text, self._text_tail) if tty else text)
        stream.flush()

    def _end_reasoning(self) -> None:
        if self._in_reasoning:
            self.err.write("\n")
            self.err.flush()
            self._in_reasoning = False

    def _note(self, text: str) -> None:
        """A note on stderr: its text (tool names, server messages) may come from the model
        or the server, so it is neutralised like the reply, and kept to one line."""
        self.err.write(f"[llmx-tui] {' '.join(neutralise(text).split())}\n")
        self.err.flush()


async def print_events(sub: Subscription, printer: JsonPrinter | TextPrinter) -> None:
    """Prints until the turn ends."""
    async for event in sub:
        printer.handle(event)
        if isinstance(event, _END_EVENTS):
            return


def stderr_line(message: str) -> None:
    """The reason a run failed, as one line on stderr. It may quote a server's error body
    or a model's tool name: never a terminal escape."""
    sys.stderr.write(f"llmx-tui: error: {_one_line(message)}\n")
    sys.stderr.flush()


def stderr_warning(message: str) -> None:
    """A problem the run carries on despite (config, MCP server), as one line on stderr."""
    sys.stderr.write(f"llmx-tui: warning: {_one_line(message)}\n")
    sys.stderr.flush()


def _one_line(message: str) -> str:
    """``message`` neutralised; a multi-line one (an MCP server's stderr tail, an error
    body) is joined with " | "."""
    parts = [part.strip() for part in neutralise(message).splitlines()]
    return " | ".join(part for part in parts if part)
