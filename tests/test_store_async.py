"""AsyncSessionStore: one worker thread owns the connection; the loop never waits on it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from llmx_tui.core.items import UserMessage
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.errors import SessionNotFoundError, StoreOpenError

pytestmark = pytest.mark.timeout(30)


async def test_every_call_runs_on_one_worker_thread(tmp_path: Path) -> None:
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    session_id = await store.create_session(title="t")
    await store.append_items(session_id, [UserMessage(text="hello")])
    threads = {await store._run(threading.get_ident) for _ in range(5)}
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert [item.text for item in await store.load_items(session_id)] == ["hello"]
    with pytest.raises(SessionNotFoundError):
        await store.get_session("missing")
    await store.close()
    await store.close()  # closing twice is harmless


async def test_the_loop_keeps_running_while_another_process_holds_the_lock(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.db"
    store = await AsyncSessionStore.open(path)
    session_id = await store.create_session()
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # like another llmx-tui writing
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    append = asyncio.create_task(store.append_items(session_id, [UserMessage(text="waits")]))
    while ticks < 20:  # the event loop keeps going...
        await asyncio.sleep(0.01)
    assert not append.done()  # ...while the append waits for the lock
    blocker.execute("COMMIT")
    await asyncio.wait_for(append, 10)
    ticking.cancel()
    blocker.close()
    assert [item.text for item in await store.load_items(session_id)] == ["waits"]
    await store.close()


async def test_open_errors_come_through_and_leave_no_thread(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"not a database at all" * 20)
    before = threading.active_count()
    with pytest.raises(StoreOpenError, match="not an SQLite database"):
        await AsyncSessionStore.open(path)
    await asyncio.sleep(0.05)
    assert threading.active_count() <= before
