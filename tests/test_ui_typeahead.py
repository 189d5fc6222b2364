"""Typing ahead of a busy app: Enter sends everything typed before it.

Right after the first frame the app builds its engine; keys typed meanwhile
queue up. Enter is a priority binding (it runs as the key reaches the app),
so the composer must not send before the keys queued ahead of it are in.
"""

from __future__ import annotations

from textual import events

from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import ScriptedConversation, wait_for


async def test_keys_queued_before_enter_are_all_sent() -> None:
    conversation = ScriptedConversation([])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # All at once, as a terminal delivers them to an app that was busy: nothing is
        # processed between the keys.
        for character in "hi there":
            key = "space" if character == " " else character
            app.post_message(events.Key(key, character))
        app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: conversation.submitted)
        assert conversation.submitted == ["hi there"]
        assert app.screen.composer.text == ""
