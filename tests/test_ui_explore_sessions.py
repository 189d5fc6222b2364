"""Sessions opened from the browser (ctrl+s) in the demo: chats started after it are still
labelled demo sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from llmx_tui.ui.wiring import open_sessions_hook
from tests.loopback import openai_text_stream
from tests.test_ui_loopback import make_conversation, wait_idle
from tests.ui_helpers import wait_for


async def test_a_new_chat_after_opening_a_session_in_the_demo_is_a_demo_session(
    loopback: Any, tmp_path: Path
) -> None:
    """It was saved as a real session (demo = 0), unlabelled in the browser."""
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    old = await store.create_session(
        title="Earlier demo", provider="demo", model="demo", system_prompt=None, demo=True
    )
    await store.append_items(old, [UserMessage(text="hi"), AssistantMessage(text="Hello.")])
    conversation = make_conversation(loopback)
    conversation.store = store
    conversation.demo = True
    app = LlmxApp(conversation, cursor_blink=False, on_open_sessions=open_sessions_hook(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionBrowser))
        app.screen.dismiss(old)
        await wait_for(pilot, lambda: app.conversation.session_id == old)
        assert app.conversation.demo
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.conversation.session_id is None)
        loopback.add_stream(openai_text_stream("A new one."))
        await pilot.press(*"new", "enter")
        await wait_idle(pilot, app.conversation)
        new_id = app.conversation.session_id
        assert new_id is not None and new_id != old
        assert (await store.get_session(new_id)).demo
    await store.close()
