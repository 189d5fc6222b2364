"""The yes/no dialog (deleting a session): its own keys in the key bar, not the sessions
dialog's below it, and the whole box on a terminal narrower than its 64 columns."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from llmx_tui.ui.dialogs.confirm import ConfirmDialog
from tests.test_dialogs_harness import DialogHost
from tests.ui_helpers import screen_text

QUESTION = "Delete the session “notes” (3 items)? This cannot be undone."


class BelowScreen(Screen[None]):
    """Stands for the sessions dialog: a screen with keys of its own in its key bar."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "noop", "Delete"),
        Binding("r", "noop", "Rename"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("below")
        yield Footer()

    def action_noop(self) -> None:
        pass


async def test_the_key_bar_shows_the_questions_keys() -> None:
    app = DialogHost(BelowScreen)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ConfirmDialog(QUESTION, confirm_label="Delete"), app.results.append)
        await pilot.pause()
        await pilot.pause()
        bottom = screen_text(app).splitlines()[-1]
        assert "Yes" in bottom and "No" in bottom
        assert "Rename" not in bottom
        await pilot.press("n")
        await pilot.pause()
    assert app.results == [False]


async def test_the_box_fits_a_narrow_terminal() -> None:
    app = DialogHost(lambda: ConfirmDialog(QUESTION, confirm_label="Delete"))
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#confirm-box")
        assert box.region.right <= 50
        assert "Cancel" in screen_text(app)
        cancel = app.screen.query_one("#confirm-no")
        assert cancel.region.right <= box.region.right
