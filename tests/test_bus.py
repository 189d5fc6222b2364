"""EventBus: typed subscriptions, ordering, coalescing, never blocking the publisher."""

from __future__ import annotations

import asyncio

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import (
    ReasoningDelta,
    TextDelta,
    ToolCallArgumentsDelta,
    TurnCompleted,
    TurnStarted,
    Usage,
)


async def test_subscribers_get_events_in_order_filtered_by_type() -> None:
    bus = EventBus()
    everything = bus.subscribe()
    only_turns = bus.subscribe(TurnStarted, TurnCompleted)
    bus.publish(TurnStarted(turn=1))
    bus.publish(Usage(input_tokens=3))
    bus.publish(TurnCompleted())
    assert [e.type for e in everything.drain()] == ["turn_started", "usage", "turn_completed"]
    assert [e.type for e in only_turns.drain()] == ["turn_started", "turn_completed"]


async def test_a_subscriber_only_sees_events_after_it_subscribed() -> None:
    bus = EventBus()
    bus.publish(TextDelta(text="early"))
    late = bus.subscribe()
    bus.publish(TextDelta(text="late"))
    assert [e.text for e in late.drain()] == ["late"]


async def test_unread_deltas_are_coalesced_per_kind_and_index_without_loss() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    for piece in "hello world":
        bus.publish(TextDelta(text=piece))
    bus.publish(ReasoningDelta(text="th"))
    bus.publish(ReasoningDelta(text="ink"))
    bus.publish(ToolCallArgumentsDelta(index=0, fragment='{"a"'))
    bus.publish(ToolCallArgumentsDelta(index=1, fragment="{}"))
    bus.publish(ToolCallArgumentsDelta(index=1, fragment=" "))
    bus.publish(TextDelta(text="!"))
    events = sub.drain()
    assert events == [
        TextDelta(text="hello world"),
        ReasoningDelta(text="think"),
        ToolCallArgumentsDelta(index=0, fragment='{"a"'),
        ToolCallArgumentsDelta(index=1, fragment="{} "),
        TextDelta(text="!"),
    ]


async def test_a_slow_subscriber_never_blocks_the_publisher_and_stays_small() -> None:
    bus = EventBus()
    slow = bus.subscribe()
    for _ in range(100_000):
        bus.publish(TextDelta(text="x"))  # returns at once; nothing awaits
    assert slow.pending() == 1
    [event] = slow.drain()
    assert event.text == "x" * 100_000


async def test_async_iteration_waits_for_events_and_ends_when_closed() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    seen: list[str] = []

    async def consume() -> None:
        async for event in sub:
            seen.append(event.type)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0)
    bus.publish(TurnStarted())
    await asyncio.sleep(0.01)
    assert seen == ["turn_started"]
    bus.publish(TurnCompleted())
    bus.close()
    await asyncio.wait_for(task, 2)
    assert seen == ["turn_started", "turn_completed"]


async def test_wait_for_news_ends_early_for_anything_but_deltas() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    loop = asyncio.get_running_loop()
    loop.call_later(0.01, bus.publish, TextDelta(text="a"))
    started = loop.time()
    await sub.wait_for_news(0.1)  # a delta does not end the wait
    assert loop.time() - started >= 0.1
    loop.call_later(0.01, bus.publish, TurnCompleted(finish_reason="stop"))
    await sub.wait_for_news(60)  # ends at once: the turn is over
    await sub.wait_for_news(60)  # and again while that event is still waiting
    assert [type(e) for e in sub.drain()] == [TextDelta, TurnCompleted]
    loop.call_later(0.01, sub.close)
    await sub.wait_for_news(60)  # a closed subscription has nothing more to wait for


async def test_a_reader_asleep_on_an_empty_queue_wakes_for_the_first_delta() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    reader = asyncio.create_task(sub.get())
    await asyncio.sleep(0)  # the reader is now waiting
    bus.publish(TextDelta(text="a"))
    bus.publish(TextDelta(text="b"))  # joins the run the reader was woken for
    event = await asyncio.wait_for(reader, 2)
    assert event.text == "ab"
