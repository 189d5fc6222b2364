"""Conversation entries (light records) for live turns and resumed history."""

from __future__ import annotations

from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)
from llmx_tui.ui.widgets.conversation import Entry
from llmx_tui.ui.widgets.notice_line import cancelled_notice, error_notice
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown
from llmx_tui.ui.widgets.tool_call_line import CANCELLED, NOT_RUN, ToolCallLine
from llmx_tui.ui.widgets.user_message import UserMessageView


def user_entry(text: str) -> Entry:
    return Entry("user", lambda: UserMessageView(text), data={"text": text})


def assistant_entry(text: str = "", *, live: StreamingMarkdown | None = None) -> Entry:
    entry = Entry("assistant", lambda: None, widget=live, data={"text": text})  # type: ignore[arg-type,return-value]

    def build() -> StreamingMarkdown:
        widget = StreamingMarkdown(str(entry.data["text"]), classes="assistant")
        widget.finish()
        return widget

    entry.build = build
    return entry


def tool_entry(key: str, name: str, arguments: str = "", state: str = "streaming") -> Entry:
    entry = Entry(
        "tool",
        lambda: None,
        data={
            "name": name,
            "arguments": arguments,  # type: ignore[arg-type,return-value]
            "state": state,
        },
    )

    def build() -> ToolCallLine:
        line = ToolCallLine(key, name)
        line.set_state(str(entry.data["state"]), str(entry.data["arguments"]))
        return line

    entry.build = build
    return entry


def error_entry(kind: str, message: str, *, unanswered: bool = False) -> Entry:
    """``unanswered``: the turn failed before any reply, so the prompt stands alone and
    the next one is sent joined to it (PAYLOAD-RULES rule 5); the notice says so."""
    return Entry(
        "error",
        lambda: error_notice(kind, message, unanswered=unanswered),
        data={"message": message},
    )


def cancelled_entry() -> Entry:
    return Entry("cancelled", cancelled_notice)


# A saved tool call, what its line and view say of it, and its output (None: none came).
PastCall = tuple[ToolCall, str, str | None]


def call_state(output: ToolOutput | None) -> str:
    """What a saved call's line and view say: no output means the turn stopped first."""
    if output is None:
        return NOT_RUN
    if output.status in ("denied", "skipped", CANCELLED):
        return output.status
    return "failed" if output.is_error else "done"


def tool_calls_from_history(items: list[Item], limit: int) -> list[PastCall]:
    """The last ``limit`` tool calls of a resumed session: each with its state and output."""
    outputs = {i.call_id: i for i in items if isinstance(i, ToolOutput)}
    calls = [item for item in items if isinstance(item, ToolCall)][-limit:]
    result: list[PastCall] = []
    for call in calls:
        output = outputs.get(call.call_id)
        result.append((call, call_state(output), None if output is None else output.output))
    return result


def entries_from_history(items: list[Item]) -> list[Entry]:
    """Conversation rows for a resumed session (reasoning goes to its own pane)."""
    outputs = {i.call_id: i for i in items if isinstance(i, ToolOutput)}
    entries: list[Entry] = []
    last = len(items) - 1
    for index, item in enumerate(items):
        if isinstance(item, UserMessage):
            entries.append(user_entry(item.text))
        elif isinstance(item, AssistantMessage):
            entries.append(assistant_entry(item.text))
        elif isinstance(item, ToolCall):
            state = call_state(outputs.get(item.call_id))
            entries.append(tool_entry(item.call_id, item.name, item.arguments, state))
        elif isinstance(item, TurnError):
            # The session's last turn failed with its prompt unanswered: as live, the
            # notice says the next prompt goes out joined to it.
            unanswered = index == last and index > 0 and isinstance(items[index - 1], UserMessage)
            entries.append(error_entry(item.kind, item.message, unanswered=unanswered))
        elif isinstance(item, Cancelled):
            entries.append(cancelled_entry())
    return entries
