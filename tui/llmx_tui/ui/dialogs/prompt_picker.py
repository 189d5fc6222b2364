"""Pick an earlier prompt to edit and resend: dismisses with its history index, or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from llmx_tui.core.safe_text import neutralise

_PREVIEW = 100


class PromptPicker(ModalScreen[int | None]):
    """``PromptPicker([(index, text), ...])``, newest first; Enter picks, Esc cancels."""

    DEFAULT_CSS = """
    PromptPicker { align: center middle; }
    #prompt-box { width: 90; max-width: 100%; height: auto; max-height: 80%;
                  border: round $accent; background: $surface; padding: 0 1; }
    #prompt-title { color: $text-muted; padding-bottom: 1; }
    #prompt-list { height: auto; max-height: 24; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt_picker.cancel"),
    ]

    def __init__(self, prompts: list[tuple[int, str]]) -> None:
        super().__init__()
        self._prompts = prompts

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
            yield OptionList(*options, id="prompt-list", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


def _preview(text: str) -> str:
    line = " ".join(neutralise(text).split())
    return line if len(line) <= _PREVIEW else line[: _PREVIEW - 1] + "…"
