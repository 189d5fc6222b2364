"""A dialog closed by a key never takes down the screen a priority key typed right after
it opened (ctrl+p, the command palette): keys act in the order typed and the app lives."""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.chat import ChatScreen
from tests.test_dialogs_harness import SIZE
from tests.test_ui_bursts import ForkingConversation, settle
from tests.ui_helpers import burst, wait_for


def palette_open(app: LlmxApp) -> bool:
    return isinstance(app.screen, CommandPalette)


async def test_f9_enter_ctrl_p_picks_the_prompt_then_opens_the_palette() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, "f9", "enter", "ctrl+p")
        await wait_for(pilot, lambda: bool(conversation.branches))
        await wait_for(pilot, lambda: palette_open(app))
        await settle(pilot)
        assert app.is_running
        assert palette_open(app)
        assert app.conversation is conversation.branches[0]
        chat = app.screen_stack[-2]
        assert isinstance(chat, ChatScreen)
        assert chat.composer.text == "second prompt"
