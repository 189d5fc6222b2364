"""The chat screen: conversation, reasoning and tool panes, composer, status bar.

A pump task drains the bus subscription once per frame and hands each batch
to the TurnRenderer. Turns run in Textual workers; the engine never raises
for provider errors, and anything else is caught and shown, so a turn can
never take the app down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer

from llmx_tui.collector_pause import RESUME_DELAY, CollectorPause
from llmx_tui.core.events import (
    ApprovalDecided,
    ApprovalRequested,
    ReasoningDelta,
    RefusalDelta,
    TextDelta,
    ToolCallArgumentsDelta,
)
from llmx_tui.core.items import Reasoning, UserMessage
from llmx_tui.ui.entries import entries_from_history, tool_calls_from_history
from llmx_tui.ui.markdown_split import last_code_block
from llmx_tui.ui.screens.approval import STOP, ApprovalScreen
from llmx_tui.ui.slash_commands import read_composed, run_slash_command, unknown_command
from llmx_tui.ui.turn_renderer import TurnRenderer
from llmx_tui.ui.typed_ahead import TypedAhead, TypedAheadKeys
from llmx_tui.ui.widgets.composer import Composer
from llmx_tui.ui.widgets.conversation import ConversationView
from llmx_tui.ui.widgets.key_bar import KeyBar
from llmx_tui.ui.widgets.reasoning_pane import KEEP as KEPT_REASONING
from llmx_tui.ui.widgets.reasoning_pane import ReasoningPane
from llmx_tui.ui.widgets.status_bar import StatusBar
from llmx_tui.ui.widgets.tool_pane import ToolPane

if TYPE_CHECKING:
    from llmx_tui.ui.app import LlmxApp

FRAME = 1 / 30
# While text arrives faster than it can be drawn, frames are spaced so that
# drawing them (layout, Markdown, paint) takes at most this share of the time
# and reading the stream the rest.
DRAW_SHARE = 0.2
# But never fewer than four frames a second: one slow frame (a busy machine)
# must not hold back the next ones for long. The end of a reply never waits.
LONGEST_FRAME = 0.25
_STREAMED = frozenset({TextDelta, ReasoningDelta})
_DELTAS = frozenset({TextDelta, ReasoningDelta, RefusalDelta, ToolCallArgumentsDelta})


# The key bar's keys left out first when the window is too narrow for them all (80
# columns holds seven or eight), least missed first: Enter sending is what anyone tries,
# and the command palette (always shown) and /help reach the rest.
KEYS_DROPPED_FIRST = (
    "llmx.send",
    "llmx.theme",
    "llmx.copy_code",
    "llmx.copy_reply",
    "llmx.new_chat",
    "llmx.quit",
    "llmx.model",
    "llmx.toggle_tools",
    "llmx.newline",
)
# Tool calls of a resumed session shown in the tool pane (the newest).
PAST_TOOL_CALLS = 10
# A resumed session's prompts that up/down recall in the composer (the newest).
PROMPTS_RECALLED = 200
# Below this many columns the side panes start folded away: beside them the
# conversation would get under 60 columns (47 at 80). F2 and F3 still show them.
NARROW_WIDTH = 100


def frame_gap(work: float, drawing: float) -> float:
    """Seconds to wait before the next frame, given this frame's own work and
    what Textual spent drawing the screen since the previous one."""
    period = min(max(FRAME, drawing / DRAW_SHARE), LONGEST_FRAME)
    return max(0.0, period - work)


def streamed_characters(batch: list[Any]) -> int:
    """How much text (answer or reasoning) a batch of events brings."""
    return sum(len(event.text) for event in batch if type(event) in _STREAMED)


def is_flood(batch: list[Any], screen_cells: int) -> bool:
    """Only deltas, and more text than the screen has cells: nobody reads that as it comes."""
    return all(type(event) in _DELTAS for event in batch) and (
        streamed_characters(batch) > screen_cells
    )


class ChatScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("chat.tcss")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_turn", "Cancel", id="llmx.cancel", priority=True),
        Binding("ctrl+r", "retry", "Retry", id="llmx.retry", priority=True),
        Binding("f2", "toggle_reasoning", "Think", id="llmx.toggle_reasoning", priority=True),
        Binding("f3", "toggle_tools", "Tools", id="llmx.toggle_tools", priority=True),
        Binding("f6", "copy_reply", "Copy", id="llmx.copy_reply", priority=True),
        Binding("f7", "copy_code", "Code", id="llmx.copy_code", priority=True),
        Binding("ctrl+n", "new_chat", "New", id="llmx.new_chat", priority=True),
        Binding("ctrl+s", "sessions", "Sessions", id="llmx.sessions", priority=True),
        Binding("f4", "model", "Model", id="llmx.model", priority=True),
        Binding("f5", "app.change_theme", "Theme", id="llmx.theme", priority=True),
        Binding("f8", "inspect_payload", "Payload", id="llmx.payload", show=False),
        Binding("f9", "edit_prompt", "Edit", id="llmx.edit_prompt", show=False, priority=True),
        # The conversation scrolls while the composer keeps the focus (and the draft).
        Binding(
            "pageup",
            "scroll_conversation(-1)",
            "Page up",
            id="llmx.page_up",
            show=False,
            priority=True,
        ),
        Binding(
            "pagedown",
            "scroll_conversation(1)",
            "Page down",
            id="llmx.page_down",
            show=False,
            priority=True,
        ),
    ]

    app: LlmxApp  # type: ignore[assignment]
    _collector_timer: Timer | None = None
    # The side panes are folded away because the screen is narrow.
    _side_folded = False
    # Which panes the user had on the wide screen (reasoning, tools), put back when the
    # screen is wide again; None while it is wide.
    _wide_panes: tuple[bool, bool] | None = None
    _save_failures_seen = 0  # the recorder's failures already reported
    _narrow: bool | None = None
    _drawing = 0.0  # seconds Textual spent updating this screen since the pump's last frame
    drawn_at = 0.0  # time.perf_counter() when the last screen update (layout and paint) ended

    def compose(self) -> ComposeResult:
        app = self.app
        with Horizontal(id="main"):
            yield ConversationView(id="conversation")
            with Vertical(id="side"):
                yield ReasoningPane(clock=app.clock, id="reasoning")
                yield ToolPane(id="tools")
        yield Composer(id="composer")
        yield StatusBar(clock=app.clock, context_window=app.context_window, id="status")
        yield KeyBar(drop_first=KEYS_DROPPED_FIRST, id="keys")

    @property
    def conversation(self) -> ConversationView:
        return self.query_one(ConversationView)

    @property
    def reasoning(self) -> ReasoningPane:
        return self.query_one(ReasoningPane)

    @property
    def tools(self) -> ToolPane:
        return self.query_one(ToolPane)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    def on_mount(self) -> None:
        self._collector = CollectorPause()
        self._approvals: list[ApprovalRequested] = []
        self._approval_open = False
        self._typed_ahead = TypedAheadKeys(self, lambda: self.composer)
        self.composer.cursor_blink = self.app.cursor_blink
        self.attach()
        self.composer.focus()

    def attach(self) -> None:
        """Show ``app.conversation`` (again): its history, model, and its bus from now on."""
        old = getattr(self, "_subscription", None)
        if old is not None:
            old.close()  # ends the old pump
        conv = self.app.conversation
        self.renderer = TurnRenderer(self)
        self.status.set_model(conv.provider, conv.model)
        self.status.reset_session(conv.saved_usage)
        self.status.set_state("idle")
        self.show_history()
        self._subscription = conv.bus.subscribe()
        self.run_worker(self._pump(), group="pump", exit_on_error=False)
        if old is not None:
            self.refresh_bindings()  # another conversation: Retry depends on its history

    def show_history(self) -> None:
        history = list(self.app.conversation.history)
        self.conversation.load(entries_from_history(history))
        prompts = [item.text for item in history if isinstance(item, UserMessage) and item.text]
        self.composer.recall_also(prompts[-PROMPTS_RECALLED:])
        self.reasoning.clear()
        self.tools.clear()
        # As the live pane shows them: one entry per turn (its steps' reasoning one after
        # another), numbered by the prompt it follows.
        by_turn: dict[int, list[str]] = {}
        turn = 0
        for item in history:
            if isinstance(item, UserMessage):
                turn += 1
            elif isinstance(item, Reasoning) and item.text:
                by_turn.setdefault(max(turn, 1), []).append(item.text)
        for turn, texts in list(by_turn.items())[-KEPT_REASONING:]:
            self.reasoning.add_past(turn, "\n\n".join(texts))
        # The last few calls with their arguments and output, mounted once the
        # conversation is on screen: each view is a few widgets for Textual to lay out.
        calls = tool_calls_from_history(history, PAST_TOOL_CALLS)
        if calls:
            conversation = self.app.conversation

            def show_past_calls() -> None:
                if self.app.conversation is conversation:  # not replaced meanwhile
                    self.tools.add_past(calls)

            self.call_after_refresh(show_past_calls)
        replies = [i.text for i in history if i.type == "assistant_message" and i.text]
        self.renderer.last_reply = replies[-1] if replies else ""

    async def _pump(self) -> None:
        sub = self._subscription
        loop = asyncio.get_running_loop()
        while sub is self._subscription:  # a newer attach() replaces this pump
            try:
                batch = [await sub.get(), *sub.drain()]
            except StopAsyncIteration:
                return
            if is_flood(batch, self.size.width * self.size.height):
                # Drawn now, it would be scrolled away before anyone read it: draw it
                # with what follows, a quarter second later at most (sooner at the
                # end of the turn or anything else that is not a delta).
                await sub.wait_for_news(LONGEST_FRAME)
                batch += sub.drain()
            frame_started = loop.time()
            try:
                self.renderer.apply(batch)
            except Exception as exc:  # a display bug must not stop the stream
                self.app.notify(f"display error: {exc!r}", severity="error", markup=False)
            # Deltas wait for the next frame; anything else (a turn's end, a tool
            # call, an error) is drawn at once.
            drawing, self._drawing = self._drawing, 0.0
            await sub.wait_for_news(frame_gap(loop.time() - frame_started, drawing))

    def _on_timer_update(self) -> None:
        # Textual's screen update is a frame's whole cost: layout (which renders
        # the bottom screenful of Markdown), then paint. The pump paces by it.
        started = time.perf_counter()
        try:
            super()._on_timer_update()
        finally:
            self.drawn_at = time.perf_counter()
            self._drawing += self.drawn_at - started

    # composer -------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """A letter typed while a pane, a tool call or a reasoning entry has the focus
        (after a click on one, or Tab) goes into the composer instead of nowhere, and so
        do the keys typed right after it (``llmx_tui.ui.typed_ahead``)."""
        self._typed_ahead.on_key(event)

    def on_typed_ahead(self, message: TypedAhead) -> None:
        message.stop()
        self._typed_ahead.all_in()

    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        try:
            self._take_composed(event)
        finally:
            event.composer.pass_on_held()  # keys typed after Enter: now, in order

    def _take_composed(self, event: Composer.Submitted) -> None:
        kind, text = read_composed(event.text)
        if kind == "unknown":
            # Kept in the composer to correct (or to send with // in front).
            self.notify(unknown_command(text), markup=False, severity="error")
            return
        if kind == "command":
            event.composer.accept_sent(event.text)
            run_slash_command(self, text)
            return
        if self.app.conversation.busy:
            self.notify("A turn is running: Esc cancels it. Your text is kept.", markup=False)
            return
        event.composer.accept_sent(event.text)
        self.start_turn(self.app.conversation.submit(text), typed=event.text)

    def start_turn(self, turn: Awaitable[None], *, typed: str | None = None) -> None:
        """Runs a turn; ``typed`` is the composer's text it was sent from, put back if
        the turn could not start (the session could not be saved, say)."""
        self.status.set_state("sending")
        # Scrolled back through older turns, the new prompt and its reply would stream
        # out of sight: a turn (sent, retried or edited) returns to the bottom.
        self.conversation.follow = True
        self._hold_collector()
        self.run_worker(self._run_turn(turn, typed), group="turn", exit_on_error=False)

    async def _run_turn(self, turn: Awaitable[None], typed: str | None = None) -> None:
        try:
            await turn
        except Exception as exc:  # the engine publishes TurnFailed; this is before or around it
            self.status.set_state("idle")
            message = str(exc) or type(exc).__name__
            if typed is not None and not self.composer.text:
                self.composer.load_text(typed)
                self.composer.move_cursor(self.composer.document.end)  # typing goes on after it
                message += ". Your prompt is back in the composer."
            self.notify(f"Could not send: {message}", severity="error", markup=False)
        finally:
            await self._report_save_failures()
            if self.is_mounted:
                self._collector_timer = self.set_timer(RESUME_DELAY, self._release_collector)
            else:
                self._release_collector()

    async def _report_save_failures(self) -> None:
        """The store could not save part of this turn: say so once per new failure."""
        check = getattr(self.app.conversation, "save_failures", None)
        if check is None:
            return
        try:
            failures = await check()
        except Exception:
            return
        new = failures[self._save_failures_seen :]
        self._save_failures_seen = len(failures)
        if new:
            self.notify(
                f"Could not save this session: {new[-1]}. What is on screen may not all be "
                "in the history.",
                severity="error",
                markup=False,
                timeout=20,
            )

    def _hold_collector(self) -> None:
        """No cyclic collection while a turn runs (``llmx_tui.collector_pause``)."""
        self._cancel_resume()  # the previous turn's, not due yet
        self._collector.pause()

    def _release_collector(self) -> None:
        self._cancel_resume()
        self._collector.resume()

    def _cancel_resume(self) -> None:
        if self._collector_timer is not None:
            self._collector_timer.stop()
            self._collector_timer = None

    def on_unmount(self) -> None:
        self._release_collector()  # never left paused, however the app ends

    # A dialog over the chat (approval, a picker, the palette) shows through to the key
    # bar, whose keys are not live under it: "esc Cancel" under the approval dialog,
    # where Esc denies. The bar is hidden (its row kept) while the chat is covered;
    # the dialogs write their own keys.
    def on_screen_suspend(self, event: events.ScreenSuspend) -> None:
        self.query_one(KeyBar).visible = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.query_one(KeyBar).visible = True

    def turn_ended(self) -> None:
        self.refresh_bindings()

    # approvals ------------------------------------------------------------
    def request_approval(self, request: ApprovalRequested) -> None:
        self._approvals.append(request)
        self._next_approval()

    def _next_approval(self) -> None:
        if self._approval_open or not self._approvals:
            return
        request = self._approvals.pop(0)
        self._approval_open = True
        dialog = ApprovalScreen(request)

        def decided(decision: Any) -> None:
            self._approval_open = False
            if dialog.typed:  # a prompt typed on as the dialog opened: nothing is lost
                self.composer.insert(dialog.typed)
            choice = decision if decision in ("allow_once", "allow_session") else "deny"
            stop = decision == STOP  # denied, and the engine ends the turn after it
            self.app.conversation.bus.publish(
                ApprovalDecided(request_id=request.request_id, decision=choice, stop=stop)
            )
            if stop:
                self._approvals.clear()
                return
            self._next_approval()

        self.app.push_screen(dialog, decided)

    # actions --------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that cannot apply now leave the footer, so the rest fits (Esc while a turn runs)."""
        if self.composer.sending:
            return False  # typed after Enter: held by the composer until the text is taken
        conversation = self.app.conversation
        if action == "cancel_turn":
            return conversation.busy
        if action == "retry":
            return not conversation.busy and _has_prompt(conversation.history)
        return True

    def action_scroll_conversation(self, pages: int) -> None:
        """A page up or down; back at the bottom, the view follows new text again."""
        view = self.conversation
        # At once, not after the next refresh (Textual's scroll_page_up): presses faster
        # than frames (a held key) would each compute the same target from the old position.
        page = view.scrollable_content_region.height
        view.scroll_to(y=view.scroll_y + pages * page, animate=False, immediate=True)

    def action_cancel_turn(self) -> None:
        if self.app.conversation.busy:
            self.app.conversation.cancel()
            self.status.set_state("cancelling")

    def action_retry(self) -> None:
        # ctrl+r is off when it cannot apply; /retry and the palette still reach here.
        conversation = self.app.conversation
        if conversation.busy:
            self.notify("A turn is running: Esc cancels it.", markup=False)
            return
        if not _has_prompt(conversation.history):
            # The engine would end at once and the status would stay at "sending".
            self.notify("Nothing to retry yet: send a prompt first.", markup=False)
            return
        self.start_turn(conversation.retry())

    def action_toggle_reasoning(self) -> None:
        self._toggle_pane(self.reasoning)

    def action_toggle_tools(self) -> None:
        self._toggle_pane(self.tools)

    def _toggle_pane(self, pane: ReasoningPane | ToolPane) -> None:
        if self._side_folded:
            # Asked for on a narrow screen: that pane alone, with the room there is.
            self._side_folded = False
            self.reasoning.display = pane is self.reasoning
            self.tools.display = pane is self.tools
        else:
            pane.display = not pane.display
        self._sync_side()

    def reasoning_shown(self) -> bool:
        """The reasoning pane is on screen (not closed, not folded away)."""
        return bool(self.reasoning.display) and not self._side_folded

    def _sync_side(self) -> None:
        shown = (self.reasoning.display or self.tools.display) and not self._side_folded
        self.query_one("#side").display = shown
        if self.status.state.startswith("thinking"):
            self.renderer.show_thinking()  # the F2 hint only while the pane is out of sight

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH
        if narrow != self._narrow:
            # Only when the width crosses the line: a pane shown with F2 or F3 on a
            # narrow screen stays while the user resizes within it.
            if narrow:
                self._wide_panes = (bool(self.reasoning.display), bool(self.tools.display))
            elif self._wide_panes is not None:
                self.reasoning.display, self.tools.display = self._wide_panes
                self._wide_panes = None
            self._narrow = self._side_folded = narrow
            self._sync_side()

    def action_copy_reply(self) -> None:
        reply = self.renderer.last_reply
        if not reply:
            self.notify("No reply to copy yet.", markup=False)
            return
        self.app.copy_to_clipboard(reply)
        self.notify(f"Copied the last reply ({len(reply)} characters).", markup=False)

    def action_copy_code(self) -> None:
        code = last_code_block(self.renderer.last_reply)
        if code is None:
            self.notify("The last reply has no code block.", markup=False)
            return
        self.app.copy_to_clipboard(code)
        self.notify(f"Copied the last code block ({len(code)} characters).", markup=False)

    def action_help(self) -> None:
        run_slash_command(self, "/help")

    def action_new_chat(self) -> None:
        run_slash_command(self, "/new")

    def action_sessions(self) -> None:
        self.app.open_sessions()

    def action_model(self) -> None:
        run_slash_command(self, "/model")

    def action_edit_prompt(self) -> None:
        self.app.edit_earlier_prompt()

    def action_inspect_payload(self) -> None:
        self.app.inspect_payload()

    def action_system_prompt(self) -> None:
        run_slash_command(self, "/system")

    def action_export(self) -> None:
        run_slash_command(self, "/export")


def _has_prompt(history: list[Any]) -> bool:
    """Something to retry: the history holds a prompt (read without building the engine)."""
    return any(item.type == "user_message" for item in history)
