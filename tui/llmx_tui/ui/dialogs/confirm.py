"""A yes/no question as a modal: dismisses True (confirmed) or False."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static


class ConfirmDialog(ModalScreen[bool]):
    """``ConfirmDialog(question, confirm_label="Delete")``: y confirms, n or escape cancels.

    Focus starts on Cancel, so a stray enter never confirms.
    """

    CSS_PATH = "confirm.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", id="confirm.yes"),
        Binding("n,escape", "cancel", "No", key_display="n/esc", id="confirm.no"),
    ]

    def __init__(self, question: str | Content, *, confirm_label: str = "Yes") -> None:
        super().__init__()
        self._question = question if isinstance(question, Content) else Content(question)
        self._confirm_label = confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(Content(self._confirm_label), variant="error", id="confirm-yes")
                yield Button(Content("Cancel"), id="confirm-no")
        # Its own key bar: the one below showed the sessions dialog's keys (d Delete,
        # r Rename...) while only y, n and Esc answer here.
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._answer(event.button.id == "confirm-yes")

    def action_confirm(self) -> None:
        self._answer(True)

    def action_cancel(self) -> None:
        self._answer(False)

    def _answer(self, confirmed: bool) -> None:
        if self.is_active:  # dismiss() closes the top screen: never one opened over this
            self.dismiss(confirmed)
