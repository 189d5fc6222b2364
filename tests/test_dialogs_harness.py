"""A tiny host App for dialog tests: pushes one screen and records what it dismisses with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea
from textual.worker import WorkerCancelled

SIZE = (120, 40)


class DialogHost(App[None]):
    """Shows a plain background, then pushes ``make_screen()``; results land in ``results``."""

    CSS = "Screen { background: $background; }"

    def __init__(self, make_screen: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self._make_screen = make_screen
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("host app behind the dialog", id="host-background")

    async def on_mount(self) -> None:
        self.theme = "textual-dark"
        await self.push_screen(self._make_screen(), self.results.append)


async def workers_done(pilot: Pilot[Any]) -> None:
    """Wait for the screen's workers; one replaced by a newer one reports itself cancelled."""
    for _ in range(10):
        try:
            await pilot.app.workers.wait_for_complete()
            break
        except WorkerCancelled:
            continue
    await pilot.pause()


async def steady(pilot: Pilot[Any]) -> None:
    """Snapshot determinism: no blinking cursors."""
    await pilot.pause()
    for widget in pilot.app.screen.query("Input, TextArea"):
        assert isinstance(widget, Input | TextArea)
        widget.cursor_blink = False
    await pilot.pause()


async def test_host_records_the_dismiss_value() -> None:
    from llmx_tui.ui.dialogs.confirm import ConfirmDialog

    app = DialogHost(lambda: ConfirmDialog("Really?"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert app.results == [True]
        assert app.screen is app.screen_stack[0]
