"""Applies batches of bus events to the chat screen's panes.

The screen's pump drains the subscription once per frame and hands the batch
here; deltas are already coalesced by the bus, so each pane changes at most
once per frame whatever the token rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmx_tui.core import events as ev
from llmx_tui.core.items import AssistantMessage, Cancelled, Reasoning, ToolCall, TurnError
from llmx_tui.core.safe_text import neutralise
from llmx_tui.providers.history_collect import parse_arguments
from llmx_tui.ui.entries import (
    assistant_entry,
    cancelled_entry,
    error_entry,
    tool_entry,
    user_entry,
)
from llmx_tui.ui.widgets.conversation import Entry
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown
from llmx_tui.ui.widgets.tool_call_line import CANCELLED, NOT_RUN

if TYPE_CHECKING:
    from llmx_tui.ui.screens.chat import ChatScreen


# Tool call states that a turn's end leaves behind unless the call finished.
_UNDER_WAY = frozenset({"streaming", "pending", "waiting", "running"})
# The status while reasoning arrives and no reply text yet: reasoning pane shown, hidden.
_THINKING = ("thinking…", "thinking… (F2 shows it)")
# The status while a tool call waits for the user, and while one runs: it said "streaming".
WAITING = "waiting for your approval"


def running(tool: str) -> str:
    return f"running {neutralise(tool)}"


def merge_usage(old: ev.Usage, new: ev.Usage) -> ev.Usage:
    """Later reports win per field; fields a report leaves out keep their value."""
    fields = {k: v for k, v in new.counts().items() if v is not None}
    return old.model_copy(update=fields)


class TurnRenderer:
    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.assistant: StreamingMarkdown | None = None
        self._assistant_entry: Entry | None = None
        self._tool_entries: dict[str, Entry] = {}
        self._index_keys: dict[int, str] = {}
        self._step_usage = ev.Usage()
        self._turn_usage = ev.Usage()
        self._turn_noted = False  # an error/cancel notice is already shown
        self._answered = False  # this turn's prompt has had a reply or a tool call
        self._approvals: dict[str, tuple[str, str]] = {}  # request id -> (call id, name)
        self.turn = 0
        self.last_reply = ""

    def apply(self, batch: list[Any]) -> None:
        for event in batch:
            handler = getattr(self, f"_on_{event.type}", None)
            if handler is not None:
                handler(event)

    # turn lifecycle -------------------------------------------------------
    def _on_turn_started(self, event: ev.TurnStarted) -> None:
        self.turn = event.turn + 1  # the engine counts from 0 (earlier prompts); shown from 1
        self._turn_usage = ev.Usage()
        self._step_usage = ev.Usage()
        self._turn_noted = False
        self._answered = False
        self.screen.reasoning.begin_turn(self.turn)
        self.screen.status.set_state("streaming")
        self.screen.refresh_bindings()  # the footer now offers Esc to cancel

    def _on_step_started(self, event: ev.StepStarted) -> None:
        self._close_step_usage()
        self._finish_assistant()
        self.screen.tools.begin_step()
        self._index_keys.clear()
        self.screen.status.set_model(event.provider, event.model)
        self.screen.status.set_state("streaming")

    def _on_turn_completed(self, event: ev.TurnCompleted) -> None:
        reported = any(v is not None for v in event.usage.counts().values())
        self._end_turn(event.usage if reported else None)

    def _on_turn_failed(self, event: ev.TurnFailed) -> None:
        if not self._turn_noted:
            self._add(
                error_entry(event.error.kind, event.error.message, unanswered=not self._answered)
            )
        self._end_turn(None)

    def _on_turn_cancelled(self, event: ev.TurnCancelled) -> None:
        if not self._turn_noted:
            self._add(cancelled_entry())
        self._end_turn(None)

    def _end_turn(self, usage: ev.Usage | None) -> None:
        self._finish_assistant()
        self._settle_calls()
        self._close_step_usage()
        self.screen.reasoning.end_turn()
        self.screen.status.set_state("idle")
        self.screen.status.turn_finished(usage or self._turn_usage)
        self.screen.turn_ended()

    def _close_step_usage(self) -> None:
        self._turn_usage = self._turn_usage.plus(self._step_usage)
        self._step_usage = ev.Usage()

    # streamed content -----------------------------------------------------
    def _on_text_delta(self, event: ev.TextDelta) -> None:
        self._answered = True  # what arrives is kept, even if the turn then fails
        self._stop_thinking()
        if self.assistant is None:
            self.assistant = StreamingMarkdown(classes="assistant")
            self._assistant_entry = assistant_entry(live=self.assistant)
            self._add(self._assistant_entry)
        self.assistant.feed(event.text)

    def _on_refusal_delta(self, event: ev.RefusalDelta) -> None:
        self._on_text_delta(ev.TextDelta(text=event.text))

    def _on_reasoning_delta(self, event: ev.ReasoningDelta) -> None:
        self.screen.reasoning.append(event.text)
        if self.assistant is None and self.screen.status.state == "streaming":
            self.show_thinking()  # no reply text yet: the model is thinking

    def show_thinking(self) -> None:
        """While the model thinks, the status says so, and where to watch it when the
        reasoning pane is out of sight (folded away on a narrow screen, or closed)."""
        status = self.screen.status
        if status.state not in ("streaming", *_THINKING):
            return
        state = _THINKING[0] if self.screen.reasoning_shown() else _THINKING[1]
        if status.state != state:
            status.set_state(state)

    def _stop_thinking(self) -> None:
        """The answer or a tool call began: thinking is over, in the status and the pane."""
        self.screen.reasoning.pause()
        if self.screen.status.state in _THINKING:
            self.screen.status.set_state("streaming")

    def _on_usage(self, event: ev.Usage) -> None:
        self._step_usage = merge_usage(self._step_usage, event)

    def _on_retrying(self, event: ev.Retrying) -> None:
        self.screen.status.retrying(event.attempt, event.delay, event.reason)

    def _on_response_completed(self, event: ev.ResponseCompleted) -> None:
        self.screen.reasoning.pause()  # a tool call's approval and run are not thinking
        self._finish_assistant(event.text if event.text else None)

    def _finish_assistant(self, final_text: str | None = None) -> None:
        if self.assistant is None:
            return
        self.assistant.finish(final_text)
        if self._assistant_entry is not None:
            self._assistant_entry.data["text"] = self.assistant.source
        if self.assistant.source:
            self.last_reply = self.assistant.source
        self.assistant = None
        self._assistant_entry = None

    # tool calls -----------------------------------------------------------
    def _on_tool_call_started(self, event: ev.ToolCallStarted) -> None:
        self._stop_thinking()
        key = event.call_id or f"step-index-{self.turn}-{event.index}"
        self._index_keys[event.index] = key
        self.screen.tools.start_call(event.index, event.call_id, event.name)
        entry = tool_entry(key, event.name)
        self._tool_entries[key] = entry
        self._add(entry)

    def _on_tool_call_arguments_delta(self, event: ev.ToolCallArgumentsDelta) -> None:
        view = self.screen.tools.by_index(event.index)
        if view is not None:
            view.append_arguments(event.fragment)

    def _on_item_done(self, event: ev.ItemDone) -> None:
        item = event.item
        if item.type == "user_message":
            self._add(user_entry(item.text))
        elif isinstance(item, AssistantMessage):
            self._answered = True
            if self.assistant is not None:
                self._finish_assistant(item.text)
            elif item.text and item.text != self.last_reply:
                self._add(assistant_entry(item.text))
                self.last_reply = item.text
        elif isinstance(item, Reasoning):
            self.screen.reasoning.finish_item(item.text)
        elif isinstance(item, ToolCall):
            if not item.arguments.strip() or parse_arguments(item.arguments) is not None:
                self._answered = True  # a malformed call is left out of requests (rule 2)
            self._tool_call_done(item)
        elif isinstance(item, TurnError):
            self._finish_assistant()
            self._add(error_entry(item.kind, item.message, unanswered=not self._answered))
            self._turn_noted = True
        elif isinstance(item, Cancelled):
            self._finish_assistant()
            self._add(cancelled_entry())
            self._turn_noted = True

    def _tool_call_done(self, item: ToolCall) -> None:
        view = self.screen.tools.find(item.call_id, item.name)
        if view is None:
            view = self.screen.tools.start_call(-1, item.call_id, item.name)
        view.set_arguments(item.arguments)
        view.set_state("pending")
        self._set_line(item.call_id, item.name, "pending", item.arguments)

    def _on_approval_requested(self, event: ev.ApprovalRequested) -> None:
        self._approvals[event.request_id] = (event.call_id, event.name)
        self._set_tool_state(event.call_id, event.name, "waiting")
        self._set_status(WAITING)
        self.screen.request_approval(event)

    def _on_approval_decided(self, event: ev.ApprovalDecided) -> None:
        call = self._approvals.pop(event.request_id, None)
        if call is not None and event.decision != "deny":
            self._set_tool_state(*call, "running")  # approved: it runs now
            self._set_status(running(call[1]))

    def _settle_calls(self) -> None:
        """The turn is over: a call still shown as under way ran to no end of its own (a
        cancel killed it) or never ran."""
        self._approvals.clear()
        for key, entry in list(self._tool_entries.items()):
            state = entry.data.get("state")
            if state in _UNDER_WAY:
                ended = CANCELLED if state == "running" else NOT_RUN
                self._set_tool_state(key, entry.data["name"], ended)

    def _on_tool_running(self, event: ev.ToolRunning) -> None:
        self._set_tool_state(event.call_id, event.name, "running")
        self._set_status(running(event.name))

    def _set_status(self, state: str) -> None:
        """The turn's progress in the status line; a cancel asked for stays shown."""
        if self.screen.status.state != "cancelling":
            self.screen.status.set_state(state)

    def _on_tool_finished(self, event: ev.ToolFinished) -> None:
        state = "failed" if event.is_error and event.status == "done" else event.status
        if state == "not_run":
            state = NOT_RUN
        view = self.screen.tools.find(event.call_id, event.name)
        if view is not None:
            view.finish(state, event.output, event.duration)
        self._set_line(event.call_id, event.name, state)

    def _set_tool_state(self, call_id: str, name: str, state: str) -> None:
        view = self.screen.tools.find(call_id, name)
        if view is not None:
            view.set_state(state)
        self._set_line(call_id, name, state)

    def _set_line(self, call_id: str, name: str, state: str, arguments: str | None = None) -> None:
        entry = self._tool_entries.get(call_id)
        if entry is None:  # the stream gave no id; match the id-less line by name
            for key in list(self._index_keys.values()):
                candidate = self._tool_entries.get(key)
                if (
                    candidate is not None
                    and key.startswith("step-index-")
                    and (candidate.data["name"] == name)
                ):
                    entry = self._tool_entries.pop(key)
                    self._tool_entries[call_id] = entry
                    break
        if entry is None:
            return
        entry.data["state"] = state
        if arguments is not None:
            entry.data["arguments"] = arguments
        if entry.widget is not None:
            entry.widget.set_state(state, arguments)  # type: ignore[attr-defined]

    def _add(self, entry: Entry) -> None:
        self.screen.conversation.add(entry)
