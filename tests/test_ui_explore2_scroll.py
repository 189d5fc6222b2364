"""Sending a prompt while scrolled back through a long conversation brings the view
back to the bottom: the new prompt and its reply are what the user wants to see."""

from __future__ import annotations

from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import ScriptedConversation, screen_text, text_turn, ui_settled, wait_for

SIZE = (80, 24)  # the side panes folded away
LONG_REPLY = "\n\n".join(f"Paragraph {n} of a long answer." for n in range(30))


async def test_sending_while_scrolled_back_shows_the_new_prompt_and_reply() -> None:
    conv = ScriptedConversation(
        [text_turn(LONG_REPLY), text_turn(LONG_REPLY), text_turn("The fresh answer.")]
    )
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        for prompt in ("one", "two"):
            await pilot.press(*prompt, "enter")
            await wait_for(pilot, lambda: ui_settled(app, conv))
        for _ in range(6):
            await pilot.press("pageup")
        await pilot.pause()
        view = app.screen.conversation
        assert not view.follow  # the user is reading back
        await pilot.press(*"third question", "enter")
        await wait_for(pilot, lambda: ui_settled(app, conv))
        await wait_for(pilot, lambda: "The fresh answer." in screen_text(app))
        text = screen_text(app)
        assert "third question" in text
        assert "The fresh answer." in text
        assert view.follow
