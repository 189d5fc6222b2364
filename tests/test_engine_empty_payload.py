"""A history with no sendable message is never sent: the engine ends the turn with an
error of its own instead of a request every provider rejects (``messages: []``,
``contents: []``, or only the system prompt), and the history keeps every item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import StepStarted, TurnFailed, TurnStarted
from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    Reasoning,
    TurnError,
    UserMessage,
)
from llmx_tui.engine.conversation import Conversation
from llmx_tui.engine.sendable import EMPTY_REQUEST, has_conversation
from llmx_tui.engine.turn import TurnEngine, TurnOptions
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.recorder import SessionRecorder
from tests.loopback import Reply, openai_text_stream

# One preset per dialect: openai-chat, anthropic, gemini.
PRESETS = ["openai-compatible", "anthropic", "gemini"]


def engine_for(server: Any, bus: EventBus, preset: str = "openai-compatible") -> TurnEngine:
    provider = ResolvedProvider(
        name=preset,
        preset=get_preset(preset),
        base_url=server.base_url,
        model="m",
        api_key="k",
    )
    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(idle=5, finish_grace=0.2),
    )
    options = TurnOptions(system_prompt="Be brief.", max_tokens=2048)
    return TurnEngine(bus=bus, provider=provider, transport=transport, options=options)


def unsendable_history() -> list[Item]:
    """What a session can hold with nothing a model could read: an empty prompt, a failed
    turn, a cancelled one, a reply of blanks and an empty reasoning."""
    return [
        UserMessage(text="", turn=0),
        TurnError(kind="http", message="502 from the proxy", turn=0),
        UserMessage(text="  \n", turn=1),
        Reasoning(text="", turn=1, provider="openai-compatible", model="m"),
        AssistantMessage(text="   ", turn=1, provider="openai-compatible", model="m"),
        Cancelled(turn=1),
    ]


@pytest.mark.parametrize("preset", PRESETS)
async def test_a_blank_prompt_is_not_sent_and_the_turn_fails_saying_why(
    loopback: Any, preset: str
) -> None:
    loopback.add_stream(openai_text_stream("should never be asked for"))
    bus = EventBus()
    events = bus.subscribe()
    engine = engine_for(loopback, bus, preset)
    history: list[Item] = []

    ending = await engine.run_turn(history, "   ")

    assert ending == "failed"
    assert loopback.requests == []
    assert engine.last_request is None  # the inspector shows no request that never went
    assert [item.type for item in history] == ["user_message", "error"]
    assert isinstance(history[1], TurnError) and history[1].kind == EMPTY_REQUEST
    published = [events.get_nowait() for _ in range(events.pending())]
    assert not any(isinstance(event, StepStarted) for event in published)
    assert isinstance(published[0], TurnStarted)
    failed = published[-1]
    assert isinstance(failed, TurnFailed)
    assert failed.error.kind == EMPTY_REQUEST
    assert failed.error.message.startswith("Not sent: the request would hold no message,")
    assert "Type a prompt" in failed.error.message


async def test_earlier_items_are_all_kept_when_the_request_is_refused(loopback: Any) -> None:
    bus = EventBus()
    engine = engine_for(loopback, bus)
    history = unsendable_history()
    before = [item.model_copy() for item in history]

    ending = await engine.run_turn(history, "\t", turn=2)

    assert ending == "failed"
    assert loopback.requests == []
    assert history[: len(before)] == before
    assert [item.type for item in history[len(before) :]] == ["user_message", "error"]
    error = history[-1]
    assert isinstance(error, TurnError)
    assert "Nothing in this conversation has text a model could read" in error.message


async def test_a_real_prompt_after_those_items_is_sent_as_before(loopback: Any) -> None:
    """The check refuses only a request with nothing in it."""
    loopback.add_stream(openai_text_stream("Hello."))
    engine = engine_for(loopback, EventBus())
    history = unsendable_history()

    ending = await engine.run_turn(history, "hello", turn=2)

    assert ending == "completed"
    assert len(loopback.requests) == 1
    messages = loopback.requests[0].json()["messages"]
    assert messages == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hello"},
    ]


async def test_the_saved_session_keeps_the_refused_turn_and_the_next_one_goes_out(
    loopback: Any, tmp_path: Path
) -> None:
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    bus = EventBus()
    recorder = SessionRecorder(store, bus)
    recorder.start()
    conversation = Conversation(engine=engine_for(loopback, bus), store=store, recorder=recorder)
    try:
        assert await conversation.submit("  ") == "failed"
        assert loopback.requests == []
        loopback.add_stream(openai_text_stream("Hi there."))
        assert await conversation.submit("hi") == "completed"
        await recorder.flush()
        assert conversation.session_id is not None
        saved = await store.export_items(conversation.session_id)
    finally:
        await recorder.close()
        await store.close()
    assert len(loopback.requests) == 1
    assert loopback.requests[0].json()["messages"][-1] == {"role": "user", "content": "hi"}
    assert [item.type for item in saved] == [
        "user_message",
        "error",
        "user_message",
        "assistant_message",
    ]
    assert [item.type for item in conversation.history] == [item.type for item in saved]


async def test_the_chat_shows_the_error_when_a_blank_prompt_is_retried(
    loopback: Any, tmp_path: Path
) -> None:
    """A resumed session whose only prompt is blank: ctrl+r sends it again."""
    from llmx_tui.ui.app import LlmxApp
    from tests.ui_helpers import make_loopback_conversation, screen_text, wait_for

    loopback.default = Reply(body=openai_text_stream("should never be asked for"))
    conversation = make_loopback_conversation(loopback, tmp_path)
    conversation.history = [UserMessage(text="  ", turn=0)]
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Not sent" in screen_text(app))
        await wait_for(pilot, lambda: not conversation.busy)
        assert EMPTY_REQUEST in screen_text(app)
        assert app.is_running
    assert loopback.requests == []


def test_only_a_system_prompt_or_nothing_is_no_conversation() -> None:
    system = {"role": "system", "content": "Be brief."}
    developer = {"role": "developer", "content": "Be brief."}
    user = {"role": "user", "content": "hi"}
    assert not has_conversation("openai-chat", {"messages": [system]})
    assert not has_conversation("openai-chat", {"messages": [developer]})
    assert not has_conversation("anthropic", {"system": "Be brief.", "messages": []})
    assert not has_conversation("gemini", {"contents": []})
    assert has_conversation("openai-chat", {"messages": [system, user]})
    assert has_conversation("anthropic", {"messages": [user]})
    assert has_conversation("gemini", {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]})
