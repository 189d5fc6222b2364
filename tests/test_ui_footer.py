"""The chat footer at 120 columns (issue 5): every key fits, idle and while a turn runs.

Keys that cannot apply leave the footer (Esc only while a turn runs, Retry only
when there is a prompt and no turn), which is what makes room for the rest.
"""

from __future__ import annotations

from typing import Any

from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import Pause, ScriptedConversation, screen_text, text_turn, wait_for

SIZE = (120, 40)
ALWAYS = (
    "f6 Copy",
    "f7 Code",
    "⏎ Send",
    "^j Newline",
    "f2 Think",
    "f3 Tools",
    "^n New",
    "^s Sessions",
    "f4 Model",
    "f5 Theme",
    "^q Quit",
    "^p palette",
)


def footer_line(app: Any) -> str:
    return screen_text(app).split("\n")[SIZE[1] - 1]


async def footer_settled(pilot: Any, wanted: str, unwanted: str) -> str:
    await wait_for(
        pilot, lambda: wanted in footer_line(pilot.app) and unwanted not in footer_line(pilot.app)
    )
    return footer_line(pilot.app)


async def test_every_key_fits_at_120_columns_idle_busy_and_after_a_turn() -> None:
    gate = Pause()
    conversation = ScriptedConversation([[gate, *text_turn("Done.")]])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        # A new session: nothing to retry, nothing to cancel.
        line = await footer_settled(pilot, "^q Quit", "Retry")
        assert all(key in line for key in ALWAYS), line
        assert "Cancel" not in line

        await pilot.press(*"hello", "enter")
        line = await footer_settled(pilot, "esc Cancel", "Retry")
        assert all(key in line for key in ALWAYS), line
        assert app.screen.check_action("retry", ()) is False

        gate.gate.set()
        line = await footer_settled(pilot, "^r Retry", "Cancel")
        assert all(key in line for key in ALWAYS), line


async def test_retry_shows_for_a_resumed_history_and_leaves_after_a_new_chat() -> None:
    earlier = [UserMessage(text="earlier", turn=1), AssistantMessage(text="reply", turn=1)]
    conversation = ScriptedConversation([], history=earlier)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await footer_settled(pilot, "^r Retry", "Cancel")
        conversation.history = []
        app.screen.attach()  # what /new does once the conversation starts afresh
        await footer_settled(pilot, "^q Quit", "Retry")
