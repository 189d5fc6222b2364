"""AsyncSessionStore: SessionStore operations as coroutines on one worker thread.

The worker thread opens and owns the SQLite connection; every call is queued
to it in order, so database work never blocks the event loop and calls from
one task run in the order they were made.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, TypeVar

from llmx_tui.core.events import Usage
from llmx_tui.core.items import Item
from llmx_tui.store.models import Draft, SearchHit, SessionInfo
from llmx_tui.store.session_format import ParsedSession
from llmx_tui.store.sqlite import KEEP, UNSET, DraftCheckpoint, SessionStore

T = TypeVar("T")


class AsyncSessionStore:
    def __init__(self, executor: ThreadPoolExecutor, store: SessionStore) -> None:
        self._executor = executor
        self._store = store
        self._closed = False
        self.path = store.path

    @classmethod
    async def open(cls, path: Path) -> AsyncSessionStore:
        """Open on a new worker thread; raises StoreOpenError."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llmx-store")
        try:
            store = await asyncio.get_running_loop().run_in_executor(
                executor, SessionStore.open, Path(path)
            )
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, store)

    async def _run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        call = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def close(self) -> None:
        """Close the connection and stop the worker; a second call does nothing."""
        if self._closed:
            return
        self._closed = True
        await self._run(self._store.close)
        self._executor.shutdown(wait=True)

    async def create_session(
        self,
        *,
        title: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        system_prompt: str | None = None,
        demo: bool = False,
    ) -> str:
        return await self._run(
            self._store.create_session,
            title=title,
            provider=provider,
            model=model,
            system_prompt=system_prompt,
            demo=demo,
        )

    async def get_session(self, session_id: str) -> SessionInfo:
        return await self._run(self._store.get_session, session_id)

    async def update_session(
        self,
        session_id: str,
        *,
        title: str | None = UNSET,
        provider: str | None = UNSET,
        model: str | None = UNSET,
        system_prompt: str | None = UNSET,
    ) -> None:
        await self._run(
            self._store.update_session,
            session_id,
            title=title,
            provider=provider,
            model=model,
            system_prompt=system_prompt,
        )

    async def rename(self, session_id: str, title: str) -> None:
        await self._run(self._store.rename, session_id, title)

    async def delete(self, session_id: str) -> None:
        await self._run(self._store.delete, session_id)

    async def list_sessions(
        self, *, limit: int | None = None, include_demo: bool = True
    ) -> list[SessionInfo]:
        return await self._run(self._store.list_sessions, limit=limit, include_demo=include_demo)

    async def latest_session_id(self, *, demo: bool | None = None) -> str | None:
        return await self._run(self._store.latest_session_id, demo=demo)

    async def resolve_session_id(self, prefix: str) -> str:
        return await self._run(self._store.resolve_session_id, prefix)

    async def append_items(self, session_id: str, items: Sequence[Item]) -> None:
        await self._run(self._store.append_items, session_id, list(items))

    async def save_draft(
        self,
        session_id: str,
        *,
        turn: int,
        text: str,
        reasoning: str,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        await self._run(
            self._store.save_draft,
            session_id,
            turn=turn,
            text=text,
            reasoning=reasoning,
            provider=provider,
            model=model,
        )

    async def clear_draft(self, session_id: str) -> None:
        await self._run(self._store.clear_draft, session_id)

    async def add_usage(self, session_id: str, usage: Usage) -> None:
        await self._run(self._store.add_usage, session_id, usage)

    async def record(
        self,
        session_id: str,
        items: Sequence[Item] = (),
        *,
        draft: DraftCheckpoint | Literal["keep"] | None = KEEP,
        usage: Usage | None = None,
    ) -> None:
        await self._run(self._store.record, session_id, list(items), draft=draft, usage=usage)

    async def get_draft(self, session_id: str) -> Draft | None:
        return await self._run(self._store.get_draft, session_id)

    async def load_items(self, session_id: str, *, last: int | None = None) -> list[Item]:
        return await self._run(self._store.load_items, session_id, last=last)

    async def recover_draft(self, session_id: str, *, force: bool = False) -> list[Item]:
        return await self._run(self._store.recover_draft, session_id, force=force)

    async def load_history(self, session_id: str) -> list[Item]:
        """A saved session's items; a reply cut off by a crash is kept and marked interrupted."""
        await self.recover_draft(session_id)
        return await self.load_items(session_id)

    async def search(
        self, query: str, *, limit: int = 50, mark: tuple[str, str] = ("«", "»")
    ) -> list[SearchHit]:
        return await self._run(self._store.search, query, limit=limit, mark=mark)

    async def fork(self, session_id: str, at: int) -> str:
        return await self._run(self._store.fork, session_id, at)

    async def import_session(self, data: ParsedSession | dict[str, Any]) -> str:
        return await self._run(self._store.import_session, data)

    async def export_items(self, session_id: str, *, include_draft: bool = True) -> list[Item]:
        return await self._run(self._store.export_items, session_id, include_draft=include_draft)

    async def export_json(self, session_id: str, *, include_draft: bool = True) -> dict[str, Any]:
        return await self._run(self._store.export_json, session_id, include_draft=include_draft)
