"""A conversation: one session's history, the engine that extends it, its persistence.

This is what the UI and the headless printer drive. It creates the session in
the store on the first prompt, recovers an interrupted reply on resume, and
runs each turn as a task that ``cancel()`` can stop at any moment.
"""

from __future__ import annotations

import asyncio
from typing import Any

from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import Item, UserMessage
from llmx_tui.engine.turn import TurnEngine
from llmx_tui.providers.resolve import ResolvedProvider


class Conversation:
    def __init__(
        self,
        *,
        engine: TurnEngine,
        store: Any | None = None,
        session_id: str | None = None,
        history: list[Item] | None = None,
        demo: bool = False,
        title: str | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.session_id = session_id
        self.history: list[Item] = list(history or [])
        self.demo = demo
        self.title = title
        self._task: asyncio.Task[str] | None = None

    # -- what the UI reads -------------------------------------------------
    @property
    def bus(self) -> EventBus:
        return self.engine.bus

    @property
    def provider(self) -> str:
        return self.engine.provider.name

    @property
    def model(self) -> str:
        return self.engine.provider.model

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def system_prompt(self) -> str | None:
        return self.engine.options.system_prompt

    # -- actions -----------------------------------------------------------
    async def submit(self, text: str) -> str:
        """Runs one turn; returns "completed", "failed" or "cancelled". Never raises for
        provider or tool failures (they are published as TurnFailed)."""
        if self.busy:
            raise RuntimeError("a turn is already running")
        await self._ensure_session()
        turn = sum(1 for item in self.history if isinstance(item, UserMessage))
        self._task = asyncio.create_task(
            self.engine.run_turn(self.history, text, session_id=self.session_id, turn=turn)
        )
        try:
            return await self._task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we were cancelled ourselves, not just the turn
            return "cancelled"
        finally:
            self._task = None

    def cancel(self) -> bool:
        """Cancels the running turn; the partial reply stays, marked cancelled."""
        if self._task is None or self._task.done():
            return False
        self._task.cancel()
        return True

    def last_user_text(self) -> str | None:
        for item in reversed(self.history):
            if isinstance(item, UserMessage):
                return item.text
        return None

    async def retry(self) -> str:
        """Sends the last prompt again as a new turn (the failed attempt stays in history)."""
        text = self.last_user_text()
        if text is None:
            return "failed"
        return await self.submit(text)

    async def switch_provider(self, provider: ResolvedProvider) -> None:
        """Later turns go to another provider or model. Reasoning and signatures from the old
        one stay in history but are not replayed to the new one (the builder checks origin)."""
        if self.busy:
            raise RuntimeError("cannot switch models while a turn is running")
        self.engine.provider = provider
        if self.store is not None and self.session_id is not None:
            await self.store.update_session(
                self.session_id, provider=provider.name, model=provider.model
            )

    async def set_system_prompt(self, text: str | None) -> None:
        self.engine.options.system_prompt = text or None
        if self.store is not None and self.session_id is not None:
            await self.store.update_session(self.session_id, system_prompt=text or None)

    async def _ensure_session(self) -> None:
        if self.store is None or self.session_id is not None:
            return
        provider = self.engine.provider
        self.session_id = await self.store.create_session(
            title=self.title,
            provider=provider.name,
            model=provider.model,
            system_prompt=self.engine.options.system_prompt,
            demo=self.demo,
        )


async def load_history(store: Any, session_id: str) -> list[Item]:
    """A saved session's items; a reply cut off by a crash is kept and marked interrupted."""
    await store.recover_draft(session_id)
    items: list[Item] = await store.load_items(session_id)
    return items
