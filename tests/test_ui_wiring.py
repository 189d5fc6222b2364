"""The app's hooks into the screens around it, with the real store and conversation."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from llmx_tui.config import Settings
from llmx_tui.core.events import Usage
from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.dialogs.model_picker import ModelPicker
from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector
from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from llmx_tui.ui.wiring import open_sessions_hook, pick_model_hook
from tests.loopback import openai_text_stream
from tests.test_ui_loopback import make_conversation, wait_idle
from tests.ui_helpers import screen_text, wait_for


async def test_sessions_hook_resumes_the_chosen_session(loopback: Any, tmp_path: Path) -> None:
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    old = await store.create_session(
        title="Old talk", provider="deepseek", model="m", system_prompt=None
    )
    await store.append_items(
        old, [UserMessage(text="what is a pelican?"), AssistantMessage(text="A large water bird.")]
    )
    await store.add_usage(old, Usage(input_tokens=1500, output_tokens=250))
    conversation = make_conversation(loopback)
    conversation.store = store
    app = LlmxApp(
        conversation,
        cursor_blink=False,
        on_open_sessions=open_sessions_hook(store),
        notices=["MCP server 'files' failed to start: boom [b]"],
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "failed to start: boom [b]" in "".join(str(n.message) for n in app._notifications)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SessionBrowser)
        app.screen.dismiss(old)
        for _ in range(50):
            await pilot.pause(0.05)
            if app.conversation.session_id == old:
                break
        assert app.conversation.session_id == old
        assert [i.type for i in app.conversation.history] == ["user_message", "assistant_message"]
        await pilot.pause(0.2)
        assert "A large water bird." in screen_text(app)
        # Its token totals go on from what it had used.
        assert "session in 1500 (cached –) out 250" in app.screen.status.status_text()
        # The next prompt continues that session with its history.
        loopback.add_stream(openai_text_stream("Yes, pelicans."))
        await pilot.press(*"and?", "enter")
        await wait_idle(pilot, app.conversation)
        sent = loopback.requests[-1].json()["messages"]
        assert [m["content"] for m in sent if m["role"] == "user"] == ["what is a pelican?", "and?"]
    await store.close()


async def test_model_hook_switches_provider_and_model(loopback: Any) -> None:
    conversation = make_conversation(loopback)
    conversation.resolve = lambda provider, model: dataclasses.replace(
        conversation.engine.provider, model=model
    )
    app = LlmxApp(conversation, cursor_blink=False, on_pick_model=pick_model_hook(Settings()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ModelPicker)
        app.screen.dismiss(("deepseek", "deepseek-reasoner"))
        for _ in range(50):
            await pilot.pause(0.05)
            if conversation.model == "deepseek-reasoner":
                break
        assert conversation.model == "deepseek-reasoner"
        await pilot.pause(0.1)
        assert "deepseek-reasoner" in screen_text(app)


async def test_payload_inspector_shows_the_last_request(loopback: Any) -> None:
    conversation = make_conversation(loopback)
    app = LlmxApp(conversation, cursor_blink=False)
    loopback.add_stream(openai_text_stream("hello back"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"hi", "enter")
        await wait_idle(pilot, conversation)
        await pilot.press("f8")
        await pilot.pause(0.3)
        assert isinstance(app.screen, PayloadInspector)
        text = screen_text(app)
        assert "loop-model" in text and "chat/completions" in text


async def test_edit_an_earlier_prompt_forks_and_prefills_the_composer(
    loopback: Any, tmp_path: Path
) -> None:
    from llmx_tui.ui.dialogs.prompt_picker import PromptPicker

    store = await AsyncSessionStore.open(tmp_path / "history.db")
    conversation = make_conversation(loopback)
    conversation.store = store
    for text in ("red", "green", "blue"):
        loopback.add_stream(openai_text_stream(text))
    app = LlmxApp(conversation, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for prompt in ("colour one [b]", "colour two"):
            await pilot.press(*prompt, "enter")
            await wait_idle(pilot, conversation)
        old_session = conversation.session_id
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, PromptPicker)
        assert "colour one [b]" in screen_text(app)  # shown literally
        assert "Enter edit and resend · Esc cancel" in screen_text(app)  # its own keys
        await pilot.press("down", "enter")  # newest first: the second entry is the first prompt
        for _ in range(50):
            await pilot.pause(0.05)
            if app.conversation is not conversation:
                break
        branch = app.conversation
        assert branch is not conversation and branch.history == []
        chat = app.screen
        assert chat.composer.text == "colour one [b]"
        await pilot.press(*" again", "enter")  # the cursor is at the end of the prompt
        await wait_idle(pilot, branch)
        sent = loopback.requests[-1].json()["messages"]
        assert [m["content"] for m in sent if m["role"] == "user"] == ["colour one [b] again"]
        assert conversation.session_id == old_session
        assert len(conversation.history) == 4  # the old branch is untouched
    await store.close()


async def test_a_long_reply_that_ends_at_once_is_drawn_to_the_end(loopback: Any) -> None:
    from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown

    paragraphs = [f"Paragraph {n} " + "word " * 60 for n in range(80)]
    reply = "\n\n".join(paragraphs) + "\n\nTHE LAST LINE"
    conversation = make_conversation(loopback)
    loopback.add_stream(openai_text_stream(reply))  # one delta, then the turn ends
    app = LlmxApp(conversation, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"go", "enter")
        await wait_idle(pilot, conversation)
        # No further bus event comes: the screen must show the end by itself.
        await wait_for(pilot, lambda: "THE LAST LINE" in screen_text(app))
        [widget] = list(app.screen.query(StreamingMarkdown))
        assert widget.finished and widget.source == reply
