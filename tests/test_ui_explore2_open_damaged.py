"""Opening a session with a damaged item row from the sessions dialog: the chat on screen
stays and the error says what is wrong (the app quit with a StoreError traceback)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from llmx_tui.ui.wiring import open_sessions_hook
from tests.test_ui_loopback import make_conversation
from tests.ui_helpers import wait_for


async def test_a_damaged_session_is_reported_and_the_chat_stays(
    loopback: Any, tmp_path: Path
) -> None:
    database = tmp_path / "history.db"
    store = await AsyncSessionStore.open(database)
    damaged = await store.create_session(
        title="Damaged", provider="openai", model="m", system_prompt=None
    )
    await store.append_items(
        damaged, [UserMessage(text="hello"), AssistantMessage(text="Hi there.")]
    )
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE items SET json = '{\"type\": ' WHERE session_id = ?", (damaged,))
    conversation = make_conversation(loopback)
    conversation.store = store
    before = conversation.session_id
    app = LlmxApp(conversation, cursor_blink=False, on_open_sessions=open_sessions_hook(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionBrowser))
        app.screen.dismiss(damaged)
        messages = lambda: " ".join(str(n.message) for n in app._notifications)  # noqa: E731
        await wait_for(pilot, lambda: "Could not open that session" in messages())
        assert "damaged" in messages()
        assert app.is_running
        assert app.conversation.session_id == before
    await store.close()
