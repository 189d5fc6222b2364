"""EventBus: typed publish/subscribe with async iteration, no Textual.

``publish`` never blocks and never awaits: the stream must not wait for a slow
subscriber. Each subscription has its own queue. Consecutive text, reasoning
and tool-argument deltas a subscriber has not taken yet are coalesced into one
event, so a backlog stays small however slowly the subscriber reads. Other
events are never dropped, so a backlog is bounded by the number of non-delta
events (a handful per step), not by the number of tokens.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from llmx_tui.core.events import ReasoningDelta, TextDelta, ToolCallArgumentsDelta

# Exact classes (none is subclassed): a set lookup per token instead of isinstance.
_COALESCABLE = frozenset({TextDelta, ReasoningDelta, ToolCallArgumentsDelta})


class _DeltaRun:
    """Pieces of consecutive deltas of one kind, joined only when delivered."""

    __slots__ = ("index", "kind", "pieces")

    def __init__(self, event: Any) -> None:
        self.kind = type(event)
        # Only argument deltas carry an index; asking an event for a field it
        # lacks costs a raised AttributeError per token.
        self.index = event.index if self.kind is ToolCallArgumentsDelta else None
        self.pieces = [_delta_text(event)]

    def materialise(self) -> Any:
        joined = "".join(self.pieces)
        if self.kind is ToolCallArgumentsDelta:
            return ToolCallArgumentsDelta(index=self.index or 0, fragment=joined)
        return self.kind(text=joined)


def _delta_text(event: Any) -> str:
    return event.fragment if type(event) is ToolCallArgumentsDelta else event.text


class Subscription:
    """An async iterator over the events published after it was created."""

    def __init__(self, bus: EventBus, types: tuple[type, ...]) -> None:
        self._bus = bus
        self.types = types
        self._queue: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._news: asyncio.Future[None] | None = None  # see wait_for_news
        self._closed = False

    def push(self, event: Any) -> None:
        if self._closed:
            return
        kind = type(event)
        if kind in _COALESCABLE:
            # Called once per token per subscriber, hence written out. A non-empty
            # queue has no reader asleep on it, so there is nobody to wake.
            queue = self._queue
            tail = queue[-1] if queue else None
            if type(tail) is _DeltaRun and tail.kind is kind:
                if kind is not ToolCallArgumentsDelta:
                    tail.pieces.append(event.text)
                    return
                if event.index == tail.index:
                    tail.pieces.append(event.fragment)
                    return
            queue.append(_DeltaRun(event))
        else:
            self._queue.append(event)
            if self._news is not None and not self._news.done():
                self._news.set_result(None)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def pending(self) -> int:
        return len(self._queue)

    async def wait_for_news(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds, less if an event that is not a delta comes.

        A reader that takes deltas once per frame sleeps between frames with this:
        deltas can wait for the next frame, the end of a turn or a tool call cannot.
        """
        if any(not isinstance(entry, _DeltaRun) for entry in self._queue) or self._closed:
            return
        self._news = asyncio.get_running_loop().create_future()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._news
        finally:
            self._news = None

    def get_nowait(self) -> Any | None:
        """The next event, or None when nothing is waiting."""
        if not self._queue:
            return None
        head = self._queue.popleft()
        return head.materialise() if isinstance(head, _DeltaRun) else head

    def drain(self) -> list[Any]:
        """Everything waiting, in order (deltas already coalesced)."""
        out = []
        while self._queue:
            out.append(self.get_nowait())
        return out

    async def get(self) -> Any:
        while not self._queue:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self.get_nowait()

    def close(self) -> None:
        self._closed = True
        self._bus._remove(self)
        self._wake()
        if self._news is not None and not self._news.done():
            self._news.set_result(None)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self

    async def __anext__(self) -> Any:
        return await self.get()


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: list[Subscription] = []

    def subscribe(self, *types: type) -> Subscription:
        """Events of these types (all when none are named), from now on."""
        sub = Subscription(self, types)
        self._subscriptions.append(sub)
        return sub

    def publish(self, event: Any) -> None:
        for sub in self._subscriptions:
            if not sub.types or isinstance(event, sub.types):
                sub.push(event)

    def close(self) -> None:
        """Ends every subscription's iteration once its queue is drained."""
        for sub in list(self._subscriptions):
            sub.close()

    def _remove(self, sub: Subscription) -> None:
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)
