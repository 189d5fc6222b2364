"""The prompt editor: Enter sends, ctrl+j / alt+enter / shift+enter insert a newline,
up/down on the first/last line recall earlier prompts.

Keys typed right after Enter (fast typing, tmux send-keys) are held until the
screen has taken the text, then go on as if typed a moment later: into the
emptied composer, or into the dialog a command opened (``/system``, ``/model``).
Before, they were typed into the text being sent and wiped with it, a second
Enter sent the text again, and a chat key among them (ctrl+s) ran before the
command that came ahead of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from llmx_tui.ui.widgets.bound_keys import run_bound_key

# Shown while the composer is empty: a new user's first question is what to do here.
PLACEHOLDER = "Type a message · Enter sends · ctrl+j new line · /help lists commands"


class Composer(TextArea):
    DEFAULT_CSS = """
    Composer { height: auto; min-height: 3; max-height: 12; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "send", "Send", id="llmx.send", priority=True),
        # shift+enter: where the terminal reports it (kitty protocol), else it arrives as Enter.
        Binding(
            "ctrl+j,alt+enter,shift+enter", "newline", "Newline", id="llmx.newline", priority=True
        ),
    ]

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on non-empty text."""

        composer: Composer
        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=True,
            placeholder=PLACEHOLDER,
        )
        self.prompt_history: list[str] = []
        self._recall_index: int | None = None  # position in prompt_history while recalling
        self._draft = ""  # what was typed before recall started
        # Enter was pressed and the screen has not yet taken the text: the chat keys wait.
        self._sending = False
        self._held: list[events.Key] | None = None  # keys typed after Enter, while sending

    @property
    def sending(self) -> bool:
        """Enter was pressed and the text is not yet taken: keys typed now are held."""
        return self._sending

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._sending and action in ("send", "newline"):
            return False  # typed after Enter: held with the letters around it
        return super().check_action(action, parameters)

    def action_send(self) -> None:
        # Enter is a priority binding: it runs as the key reaches the app, while keys typed
        # just before it may still wait in this widget's queue (typing ahead of a busy app).
        # Sending from that queue sends the text with them in it.
        self._sending = True
        self.call_later(self._send)

    def _send(self) -> None:
        self._held = []  # the keys queued behind Enter
        text = self.text
        if text.strip():
            self.post_message(self.Submitted(self, text))  # its handler calls pass_on_held
        else:
            self.call_later(self.pass_on_held)

    def pass_on_held(self, earlier: list[events.Key] | None = None) -> None:
        """The screen has taken the sent text: the keys typed after Enter go on, in order,
        to wherever the focus now is (after ``earlier``: keys a dialog took first)."""
        held, self._held, self._sending = self._held or [], None, False
        for event in [*(earlier or ()), *held]:
            self.app.post_message(events.Key(event.key, event.character))

    def hold_keys(self) -> None:
        """Text is about to be loaded here (a prompt picked with F9): keys reaching the
        editor from now on wait until ``pass_on_held``, then go on after it."""
        self._sending = True
        if self._held is None:
            self._held = []

    def keep_draft(self) -> str:
        """The text being written, put where Up recalls it first (it is about to be
        replaced); "" when there is none."""
        # While Up recalls earlier prompts the editor shows one of them; the draft is aside.
        draft = self._draft if self._recall_index is not None else self.text
        if not draft.strip():
            return ""
        if draft in self.prompt_history:
            self.prompt_history.remove(draft)
        self.prompt_history.append(draft)
        self._recall_index = None
        return draft

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
        # After the letters typed ahead of it (priority, like Enter).
        self.call_later(self.insert, "\n")

    async def _on_key(self, event: events.Key) -> None:
        if self._held is not None:
            self._held.append(event)
            event.stop()
            event.prevent_default()
            return
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
