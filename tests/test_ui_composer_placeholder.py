"""An empty composer says what to do there; the hint goes as soon as text is typed."""

from __future__ import annotations

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.widgets.composer import PLACEHOLDER, Composer
from tests.ui_helpers import ScriptedConversation, screen_text, text_turn, wait_for


async def test_the_empty_composer_shows_how_to_send_and_find_commands() -> None:
    conversation = ScriptedConversation([text_turn("Done.")])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: PLACEHOLDER in screen_text(app))
        assert "/help" in PLACEHOLDER and "Enter" in PLACEHOLDER
        await pilot.press(*"hi")
        await wait_for(pilot, lambda: PLACEHOLDER not in screen_text(app))
        assert app.screen.query_one(Composer).text == "hi"
        await pilot.press("enter")
        # Sent: the composer is empty again and says so.
        await wait_for(
            pilot, lambda: PLACEHOLDER in screen_text(app) and "Done." in screen_text(app)
        )
