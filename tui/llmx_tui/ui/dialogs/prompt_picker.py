"""Pick an earlier prompt to edit and resend: dismisses with its history index, or None.

Keys typed in a burst act in the order typed: the list runs its keys (arrows, enter,
esc) as each reaches it, and keeps the keys typed after the one that closed the
dialog in ``typed_after`` for the composer, instead of dropping them with the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from llmx_tui.core.safe_text import neutralise
from llmx_tui.ui.widgets.bound_keys import run_bound_key

_PREVIEW = 100
KEYS_HINT = "↑↓ choose · Enter edit and resend · Esc cancel"


class _PromptList(OptionList):
    def __init__(self, picker: PromptPicker, *options: Option) -> None:
        super().__init__(*options, id="prompt-list", markup=False)
        self._picker = picker

    async def _on_key(self, event: events.Key) -> None:
        picker = self._picker
        if picker.closed or event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            if picker.closed:
                picker.typed_after.append(event)
            elif event.key == "enter":
                picker.action_pick()
            else:
                picker.action_cancel()
            return
        if not await run_bound_key(self, event):  # arrows: now, before the keys behind
            await super()._on_key(event)


class PromptPicker(ModalScreen[int | None]):
    """``PromptPicker([(index, text), ...])``, newest first; Enter picks, Esc cancels.
    ``on_close`` runs as the choice is made, before the dialog is gone."""

    DEFAULT_CSS = """
    PromptPicker { align: center middle; }
    #prompt-box { width: 90; max-width: 100%; height: auto; max-height: 80%;
                  border: round $accent; background: $surface; padding: 0 1; }
    #prompt-title { color: $text-muted; padding-bottom: 1; }
    #prompt-list { height: auto; max-height: 24; }
    #prompt-keys { color: $text-muted; padding-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt_picker.cancel"),
    ]

    def __init__(
        self, prompts: list[tuple[int, str]], *, on_close: Callable[[], None] | None = None
    ) -> None:
        super().__init__()
        self._prompts = prompts
        self._on_close = on_close
        self.closed = False
        self.typed_after: list[events.Key] = []  # keys that reached the list once closed

    def compose(self) -> ComposeResult:
        options = [
            Option(Content(_preview(text)), id=str(index))
            for index, text in reversed(self._prompts)
        ]
        with Vertical(id="prompt-box"):
            yield Static(
                Content(
                    "Edit and resend: the conversation continues from the chosen prompt "
                    "in a new session; this one stays as it is."
                ),
                id="prompt-title",
            )
            yield _PromptList(self, *options)
            # The chat's key bar is hidden under a dialog: this one names its own keys.
            yield Static(Content(KEYS_HINT), id="prompt-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # a click
        self._close(int(event.option.id or 0))

    def action_pick(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None:
            self._close(int(option.id or 0))

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, index: int | None) -> None:
        if self.closed or not self.is_active:
            return  # once: a second enter goes on to the composer; never a screen over us
        self.closed = True
        if self._on_close is not None:
            self._on_close()
        # At once: deferred, it popped whatever screen was on top by then (a palette
        # opened by a key typed after enter). Not awaited: from the list's key handler,
        # the await waits for the list's own removal, which waits for that handler.
        self.dismiss(index)


def _preview(text: str) -> str:
    line = " ".join(neutralise(text).split())
    return line if len(line) <= _PREVIEW else line[: _PREVIEW - 1] + "…"
