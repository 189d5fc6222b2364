"""SessionRecorder: persists what the turn engine publishes on the EventBus.

Contract with the engine: ``TurnStarted(session_id, turn)`` opens a turn; each
finished history item arrives as ``ItemDone``; a step ends with
``ResponseCompleted`` (carrying its usage) and a turn with TurnCompleted /
TurnFailed / TurnCancelled.

Streaming text and reasoning are checkpointed to the session's draft at most
every CHECKPOINT_INTERVAL seconds. An item that supersedes draft text is
written in the same transaction that removes that text from the draft, so a
crash at any moment neither loses nor duplicates a word.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any, Literal

from llmx_tui.core.bus import EventBus, Subscription
from llmx_tui.core.events import (
    ItemDone,
    ReasoningDelta,
    RefusalDelta,
    ResponseCompleted,
    StepStarted,
    TextDelta,
    TurnCancelled,
    TurnFailed,
    TurnStarted,
    Usage,
)
from llmx_tui.core.items import AssistantMessage, Item, Reasoning
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.sqlite import KEEP, DraftCheckpoint

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL = 0.25


class _FlushRequest:
    """Travels through the subscription queue behind everything published before it."""

    def __init__(self) -> None:
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()


_END = object()


async def _next_event(subscription: Subscription) -> Any:
    try:
        return await subscription.get()
    except StopAsyncIteration:
        return _END


class SessionRecorder:
    def __init__(
        self,
        store: AsyncSessionStore,
        bus: EventBus,
        *,
        checkpoint_interval: float = CHECKPOINT_INTERVAL,
    ) -> None:
        self._store = store
        self._bus = bus
        self._interval = checkpoint_interval
        self._subscription: Subscription | None = None
        self._task: asyncio.Task[None] | None = None
        self._session_id: str | None = None
        self._turn = 0
        self._provider: str | None = None
        self._model: str | None = None
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._dirty = False
        self._last_checkpoint = float("-inf")
        self.failures: list[BaseException] = []  # store errors, oldest first; never raised

    def start(self) -> None:
        self._subscription = self._bus.subscribe()
        self._task = asyncio.get_running_loop().create_task(self._consume(self._subscription))

    async def flush(self) -> None:
        """Wait until everything published so far (and the draft) is persisted."""
        if self._subscription is None or self._task is None or self._task.done():
            return
        request = _FlushRequest()
        self._subscription.push(request)
        # A closed subscription drops the request; the consumer then ends once it
        # has persisted everything queued, which is just as good.
        await asyncio.wait({request.done, self._task}, return_when=asyncio.FIRST_COMPLETED)

    async def close(self) -> None:
        await self.flush()
        if self._subscription is not None:
            self._subscription.close()
        if self._task is not None:
            # A closed subscription ends the consumer once its queue is drained.
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # -- the consumer ---------------------------------------------------------

    async def _consume(self, subscription: Subscription) -> None:
        # One pending get at a time, never cancelled by the checkpoint timer,
        # so no event can be lost between a timeout and a delivery.
        pending: asyncio.Task[Any] | None = None
        try:
            while True:
                if pending is None:
                    pending = asyncio.ensure_future(_next_event(subscription))
                done, _ = await asyncio.wait({pending}, timeout=self._until_checkpoint())
                if not done:
                    await self._checkpoint()
                    continue
                event, pending = pending.result(), None
                if event is _END:
                    await self._checkpoint()
                    return
                if isinstance(event, _FlushRequest):
                    await self._checkpoint()
                    if not event.done.done():
                        event.done.set_result(None)
                    continue
                await self._handle(event)
        finally:
            if pending is not None:
                pending.cancel()

    def _until_checkpoint(self) -> float | None:
        if not self._dirty:
            return None
        return max(0.0, self._last_checkpoint + self._interval - time.monotonic())

    async def _handle(self, event: Any) -> None:
        if isinstance(event, TurnStarted):
            self._session_id = event.session_id
            self._turn = event.turn
            self._reset_step()
        elif self._session_id is None:
            return
        elif isinstance(event, StepStarted):
            self._provider, self._model = event.provider, event.model
        elif isinstance(event, TextDelta | RefusalDelta | ReasoningDelta):
            # A refusal becomes the step's AssistantMessage text when there is no other text.
            target = self._reasoning if isinstance(event, ReasoningDelta) else self._text
            target.append(event.text)
            self._dirty = True
            if time.monotonic() - self._last_checkpoint >= self._interval:
                await self._checkpoint()
        elif isinstance(event, ItemDone):
            await self._item_done(event)
        elif isinstance(event, ResponseCompleted):
            self._reset_step()
            await self._write(draft=None, usage=event.usage)
        elif isinstance(event, TurnFailed | TurnCancelled):
            # The engine published the partial text as items before this event.
            self._reset_step()
            await self._write(draft=None)

    async def _item_done(self, event: ItemDone) -> None:
        item = event.item
        if isinstance(item, AssistantMessage):
            self._text.clear()
        elif isinstance(item, Reasoning):
            self._reasoning.clear()
        else:
            await self._write([item])
            return
        # The item replaces its part of the draft in the same transaction.
        self._dirty = False
        self._last_checkpoint = time.monotonic()
        await self._write([item], draft=self._current_draft())

    def _current_draft(self) -> DraftCheckpoint:
        return DraftCheckpoint(
            turn=self._turn,
            text="".join(self._text),
            reasoning="".join(self._reasoning),
            provider=self._provider,
            model=self._model,
        )

    def _reset_step(self) -> None:
        self._text.clear()
        self._reasoning.clear()
        self._dirty = False

    async def _checkpoint(self) -> None:
        if not self._dirty or self._session_id is None:
            return
        self._dirty = False
        self._last_checkpoint = time.monotonic()
        await self._write(draft=self._current_draft())

    async def _write(
        self,
        items: Sequence[Item] = (),
        *,
        draft: DraftCheckpoint | Literal["keep"] | None = KEEP,
        usage: Usage | None = None,
    ) -> None:
        if self._session_id is None:
            return
        try:
            await self._store.record(self._session_id, items, draft=draft, usage=usage)
        except Exception as exc:  # keep recording the rest; the UI can report failures
            log.exception("could not save to the session store")
            self.failures.append(exc)
