"""The prompt editor: Enter sends, ctrl+j / alt+enter insert a newline,
up/down on the first/last line recall earlier prompts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from llmx_tui.ui.widgets.bound_keys import run_bound_key


class Composer(TextArea):
    DEFAULT_CSS = """
    Composer { height: auto; min-height: 3; max-height: 12; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "send", "Send", id="llmx.send", priority=True),
        Binding("ctrl+j,alt+enter", "newline", "Newline", id="llmx.newline", priority=True),
    ]

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on non-empty text."""

        composer: Composer
        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "", id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True
        )
        self.prompt_history: list[str] = []
        self._recall_index: int | None = None  # position in prompt_history while recalling
        self._draft = ""  # what was typed before recall started

    def action_send(self) -> None:
        # Enter is a priority binding: it runs as the key reaches the app, while keys typed
        # just before it may still wait in this widget's queue (typing ahead of a busy app).
        # Sending from that queue sends the text with them in it.
        self.call_later(self._send)

    def _send(self) -> None:
        text = self.text
        if not text.strip():
            return
        self.post_message(self.Submitted(self, text))

    def accept_sent(self, text: str) -> None:
        """The app took ``text``: remember it and clear the editor."""
        if not self.prompt_history or self.prompt_history[-1] != text:
            self.prompt_history.append(text)
        self._recall_index = None
        self.load_text("")

    def recall_also(self, earlier: list[str]) -> None:
        """Prompts of a session opened here, recalled before those typed in this run."""
        known = set(earlier)
        typed = [text for text in self.prompt_history if text not in known]
        self.prompt_history = [*earlier, *typed]
        self._recall_index = None

    def action_newline(self) -> None:
        self.insert("\n")

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "up" and self.cursor_location[0] == 0 and self._recall(-1):
            event.prevent_default()
            event.stop()
            return
        last_row = self.document.line_count - 1
        if event.key == "down" and self.cursor_location[0] == last_row and self._recall(+1):
            event.prevent_default()
            event.stop()
            return
        if await run_bound_key(self, event):  # ctrl+u, ctrl+w...: before the keys behind
            return
        await super()._on_key(event)

    def _recall(self, step: int) -> bool:
        if not self.prompt_history:
            return False
        if self._recall_index is None:
            if step > 0:
                return False
            self._draft = self.text
            index = len(self.prompt_history) - 1
        else:
            index = self._recall_index + step
        if index < 0:
            return True  # stay on the oldest prompt
        if index >= len(self.prompt_history):
            self._recall_index = None
            self.load_text(self._draft)
        else:
            self._recall_index = index
            self.load_text(self.prompt_history[index])
        self.move_cursor(self.document.end)
        return True
