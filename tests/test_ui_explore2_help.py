"""Help is reachable from the command palette (README: every action is there), and it
names the keys README lists that it left out: alt+enter, copying a selection with ctrl+c,
the approval dialog's keys."""

from __future__ import annotations

from textual.command import CommandPalette

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.dialogs.help import HelpDialog
from llmx_tui.ui.slash_commands import HELP
from tests.ui_helpers import ScriptedConversation, screen_text, wait_for

SIZE = (100, 30)


async def test_help_is_in_the_command_palette_and_opens_the_help() -> None:
    app = LlmxApp(ScriptedConversation(), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"help")
        await wait_for(pilot, lambda: "The commands and keys" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpDialog))
        assert "ctrl+c copies" in screen_text(app)


def test_help_names_what_readme_documents() -> None:
    for needle in ("alt+enter", "ctrl+c", "a allow once", "s allow for this session", "d or Esc"):
        assert needle in HELP, needle
