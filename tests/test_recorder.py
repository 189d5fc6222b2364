"""SessionRecorder: every finished item persisted, streaming text checkpointed and
cleared in the same transaction as the items that replace it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import (
    ItemDone,
    ReasoningDelta,
    ResponseCompleted,
    StepStarted,
    TextDelta,
    TurnCancelled,
    TurnCompleted,
    TurnStarted,
    Usage,
)
from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Reasoning,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.recorder import SessionRecorder
from llmx_tui.store.sqlite import SessionStore

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[AsyncSessionStore]:
    opened = await AsyncSessionStore.open(tmp_path / "history.db")
    yield opened
    await opened.close()


def _recorder(store: AsyncSessionStore, bus: EventBus, interval: float) -> SessionRecorder:
    recorder = SessionRecorder(store, bus, checkpoint_interval=interval)
    recorder.start()
    return recorder


async def _eventually(check: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition never became true"
        await asyncio.sleep(0.01)


async def _draft_text(store: AsyncSessionStore, session_id: str) -> str | None:
    draft = await store.get_draft(session_id)
    return None if draft is None else draft.text


async def test_a_whole_tool_loop_turn_is_persisted_in_order(store: AsyncSessionStore) -> None:
    bus = EventBus()
    recorder = _recorder(store, bus, 0.25)
    session_id = await store.create_session(provider="openai", model="m")
    items = [
        UserMessage(text="read a", turn=1),
        Reasoning(text="need the file", turn=1),
        ToolCall(call_id="c1", name="read_file", arguments="{}", turn=1),
        ToolOutput(call_id="c1", output="A!", turn=1),
        AssistantMessage(text="It says A!", turn=1),
    ]
    bus.publish(TurnStarted(session_id=session_id, turn=1))
    bus.publish(ItemDone(item=items[0]))
    bus.publish(StepStarted(step=1, provider="openai", model="m"))
    bus.publish(ReasoningDelta(text="need the file"))
    bus.publish(ItemDone(item=items[1]))
    bus.publish(ItemDone(item=items[2]))
    bus.publish(
        ResponseCompleted(
            text="", reasoning="need the file", usage=Usage(input_tokens=10, output_tokens=4)
        )
    )
    bus.publish(ItemDone(item=items[3]))
    bus.publish(StepStarted(step=2, provider="openai", model="m"))
    bus.publish(TextDelta(text="It says "))
    bus.publish(TextDelta(text="A!"))
    bus.publish(ItemDone(item=items[4]))
    bus.publish(
        ResponseCompleted(
            text="It says A!",
            reasoning="",
            usage=Usage(input_tokens=20, cached_input_tokens=8, output_tokens=3),
        )
    )
    bus.publish(TurnCompleted())
    await recorder.flush()
    assert await store.load_items(session_id) == items
    assert await store.get_draft(session_id) is None
    info = await store.get_session(session_id)
    assert (info.input_tokens, info.cached_input_tokens, info.output_tokens) == (30, 8, 7)
    assert info.title == "read a"
    await recorder.close()
    assert recorder.failures == []


async def test_drafts_are_throttled_and_flush_writes_the_latest(store: AsyncSessionStore) -> None:
    bus = EventBus()
    recorder = _recorder(store, bus, 30.0)  # no timed checkpoint during this test
    session_id = await store.create_session()
    writes: list[Any] = []
    original = store.record

    async def counting(*args: Any, **kwargs: Any) -> None:
        writes.append(kwargs.get("draft"))
        await original(*args, **kwargs)

    store.record = counting  # type: ignore[method-assign]
    bus.publish(TurnStarted(session_id=session_id, turn=0))
    bus.publish(TextDelta(text="a"))
    await _eventually(lambda: _is(store, session_id, "a"))
    for piece in "bcdefghij" * 20:
        bus.publish(TextDelta(text=piece))
        await asyncio.sleep(0)
    await asyncio.sleep(0.05)
    assert await _draft_text(store, session_id) == "a"  # throttled: no write per delta
    await recorder.flush()
    assert await _draft_text(store, session_id) == "a" + "bcdefghij" * 20
    assert len(writes) == 2
    await recorder.close()


async def _is(store: AsyncSessionStore, session_id: str, text: str) -> bool:
    return await _draft_text(store, session_id) == text


async def test_a_pause_in_the_stream_still_gets_checkpointed(store: AsyncSessionStore) -> None:
    bus = EventBus()
    recorder = _recorder(store, bus, 0.05)
    session_id = await store.create_session()
    bus.publish(TurnStarted(session_id=session_id, turn=0))
    bus.publish(TextDelta(text="Hello"))
    bus.publish(TextDelta(text=", world"))
    bus.publish(ReasoningDelta(text="greet"))
    # No more events and no flush: the timer alone must save the rest.
    await _eventually(lambda: _is(store, session_id, "Hello, world"))
    await _eventually(lambda: _reasoning_is(store, session_id, "greet"))
    await recorder.close()


async def _reasoning_is(store: AsyncSessionStore, session_id: str, text: str) -> bool:
    draft = await store.get_draft(session_id)
    return draft is not None and draft.reasoning == text


async def test_each_finished_part_leaves_the_draft_with_the_transaction(
    store: AsyncSessionStore,
) -> None:
    bus = EventBus()
    recorder = _recorder(store, bus, 30.0)
    session_id = await store.create_session()
    bus.publish(TurnStarted(session_id=session_id, turn=2))
    bus.publish(StepStarted(step=1, provider="anthropic", model="c"))
    bus.publish(ReasoningDelta(text="think"))
    bus.publish(TextDelta(text="answer so far"))
    await recorder.flush()
    draft = await store.get_draft(session_id)
    assert draft is not None
    assert (draft.text, draft.reasoning, draft.turn, draft.provider, draft.model) == (
        "answer so far",
        "think",
        2,
        "anthropic",
        "c",
    )
    bus.publish(ItemDone(item=Reasoning(text="think", turn=2)))
    await recorder.flush()
    draft = await store.get_draft(session_id)
    assert draft is not None and (draft.text, draft.reasoning) == ("answer so far", "")
    bus.publish(ItemDone(item=AssistantMessage(text="answer so far", turn=2)))
    await recorder.flush()
    assert await store.get_draft(session_id) is None
    assert [item.type for item in await store.load_items(session_id)] == [
        "reasoning",
        "assistant_message",
    ]
    await recorder.close()


async def test_a_cancelled_turn_keeps_its_partial_text_once(store: AsyncSessionStore) -> None:
    bus = EventBus()
    recorder = _recorder(store, bus, 0.25)
    session_id = await store.create_session()
    bus.publish(TurnStarted(session_id=session_id, turn=0))
    bus.publish(ItemDone(item=UserMessage(text="go")))
    bus.publish(TextDelta(text="partial"))
    await recorder.flush()
    bus.publish(ItemDone(item=AssistantMessage(text="partial")))
    bus.publish(ItemDone(item=Cancelled()))
    bus.publish(TurnCancelled(partial_text="partial"))
    await recorder.flush()
    assert [item.type for item in await store.load_items(session_id)] == [
        "user_message",
        "assistant_message",
        "cancelled",
    ]
    assert await store.get_draft(session_id) is None
    await recorder.close()


async def test_a_crash_mid_stream_is_recovered_as_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    store = await AsyncSessionStore.open(path)
    bus = EventBus()
    recorder = _recorder(store, bus, 0.25)
    session_id = await store.create_session()
    bus.publish(TurnStarted(session_id=session_id, turn=0))
    bus.publish(ItemDone(item=UserMessage(text="tell me")))
    bus.publish(StepStarted(step=1, provider="openai", model="m"))
    bus.publish(ReasoningDelta(text="hmm"))
    bus.publish(TextDelta(text="Once upon a ti"))
    await recorder.flush()
    # The process "dies" here: nothing else is published or cleared.
    await recorder.close()
    await store.close()

    with SessionStore.open(path) as reopened:
        assert [item.type for item in reopened.load_items(session_id)] == ["user_message"]
        recovered = reopened.recover_draft(session_id)
        items = reopened.load_items(session_id)
    assert [type(item) for item in items] == [UserMessage, Reasoning, AssistantMessage, TurnError]
    assert items[1:] == recovered
    assert (items[1].text, items[2].text, items[3].kind) == ("hmm", "Once upon a ti", "interrupted")
    assert items[2].model == "m"


async def test_events_outside_a_turn_and_store_errors_do_not_stop_it(
    store: AsyncSessionStore,
) -> None:
    bus = EventBus()
    recorder = _recorder(store, bus, 0.25)
    bus.publish(ItemDone(item=UserMessage(text="no session yet")))
    gone = await store.create_session()
    await store.delete(gone)
    bus.publish(TurnStarted(session_id=gone, turn=0))
    bus.publish(ItemDone(item=UserMessage(text="lost")))
    real = await store.create_session()
    bus.publish(TurnStarted(session_id=real, turn=1))
    bus.publish(ItemDone(item=UserMessage(text="kept")))
    await recorder.flush()
    assert [item.text for item in await store.load_items(real)] == ["kept"]
    assert len(recorder.failures) == 1
    assert await store.list_sessions() != []
    await recorder.close()


async def test_flush_and_close_are_safe_before_start_and_after_bus_close(
    store: AsyncSessionStore,
) -> None:
    bus = EventBus()
    idle = SessionRecorder(store, bus)
    await idle.flush()
    await idle.close()
    recorder = _recorder(store, bus, 0.25)
    session_id = await store.create_session()
    bus.publish(TurnStarted(session_id=session_id, turn=0))
    for n in range(50):
        bus.publish(ItemDone(item=UserMessage(text=f"m{n}")))
    bus.close()  # the queue is drained before the recorder stops
    await recorder.close()
    assert len(await store.load_items(session_id)) == 50
