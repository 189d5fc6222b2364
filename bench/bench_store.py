"""Benchmark: open a 10,000-item session and load its last 200 items.

Prints the time and its ratio to loading a 200-item session: loading the tail
should not depend on how long the session is. Not a test; run it with
`.venv/bin/python bench/bench_store.py`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tui"))

from llmx_tui.core.items import AssistantMessage, Item, ToolCall, ToolOutput, UserMessage
from llmx_tui.store.sqlite import SessionStore

BIG, SMALL, TAIL, REPEATS = 10_000, 200, 200, 15


def _items(count: int) -> list[Item]:
    """A plausible mix: prompts, replies of a few paragraphs, tool calls and outputs."""
    kinds: list[Callable[[int], Item]] = [
        lambda n: UserMessage(text=f"Question {n}: " + "how does this work? " * 10, turn=n),
        lambda n: ToolCall(
            call_id=f"c{n}", name="read_file", arguments=f'{{"path": "src/file_{n}.py"}}', turn=n
        ),
        lambda n: ToolOutput(call_id=f"c{n}", output="line of code\n" * 60, turn=n),
        lambda n: AssistantMessage(text="A paragraph of explanation. " * 40, turn=n),
    ]
    return [kinds[n % 4](n // 4) for n in range(count)]


def _fill(store: SessionStore, count: int) -> str:
    session_id = store.create_session(title=f"{count} items")
    items = _items(count)
    for start in range(0, count, 500):
        store.append_items(session_id, items[start : start + 500])
    return session_id


def _best_of(action: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.db"
        with SessionStore.open(path) as store:
            big, small = _fill(store, BIG), _fill(store, SMALL)
        size_mb = path.stat().st_size / 1e6

        def open_and_load(session_id: str) -> None:
            with SessionStore.open(path) as store:
                assert len(store.load_items(session_id, last=TAIL)) == TAIL

        big_best, big_median = _best_of(lambda: open_and_load(big))
        small_best, small_median = _best_of(lambda: open_and_load(small))
        with SessionStore.open(path) as store:
            full_best, _ = _best_of(lambda: store.load_items(big))

    print(f"database: {size_mb:.1f} MB, sessions of {BIG:,} and {SMALL} items")
    print(
        f"open + last {TAIL} of {BIG:,} items: best {big_best * 1e3:.1f} ms, "
        f"median {big_median * 1e3:.1f} ms"
    )
    print(
        f"open + all {SMALL} of {SMALL} items:     best {small_best * 1e3:.1f} ms, "
        f"median {small_median * 1e3:.1f} ms"
    )
    print(f"ratio (10,000-item tail / 200-item session): {big_best / small_best:.2f}x")
    print(f"for scale, loading all {BIG:,} items: best {full_best * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
