"""What every benchmark shares: interleaved timing, medians, paired ratios, results.

The machine is shared and noisy, so a candidate is never timed alone: each
round runs every candidate once, in an order that rotates from round to round,
and a ratio is the median of the per-round ratios (candidate / baseline in the
same round), which cancels most of the drift a busy neighbour causes.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "wire-corpus"

Action = Callable[[], Any]
AsyncAction = Callable[[], Awaitable[Any]]


@dataclass
class Timings:
    """Seconds per round for each candidate, rounds aligned across candidates."""

    runs: dict[str, list[float]] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.runs[name])

    def ratio(self, name: str, baseline: str) -> float:
        """Median of the per-round ratios ``name / baseline`` (over the rounds both ran)."""
        pairs = zip(self.runs[name], self.runs[baseline], strict=False)
        return statistics.median(a / b for a, b in pairs if b > 0)


def interleave(
    candidates: dict[str, Action], rounds: int, *, warmup: int = 1, self_timed: bool = False
) -> Timings:
    """Runs every candidate once per round, rotating the order each round.

    ``self_timed``: each candidate returns its own duration in seconds (a launch
    timed from outside, whose clean-up must not count).
    """
    names = list(candidates)
    for _ in range(warmup):
        for name in names:
            candidates[name]()
    timings = Timings({name: [] for name in names})
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            # The previous candidate's result is freed here, outside every timing: freeing
            # a 10,000-item payload or baseline list took 2-4 ms, charged to whichever
            # candidate ran next.
            reported = None
            gc.collect()
            started = time.perf_counter()
            reported = candidates[name]()
            elapsed = time.perf_counter() - started
            timings.runs[name].append(float(reported) if self_timed else elapsed)
    return timings


async def interleave_async(
    candidates: dict[str, AsyncAction],
    rounds: int,
    *,
    warmup: int = 1,
    self_timed: bool = False,
    capped: dict[str, int] | None = None,
) -> Timings:
    """``interleave`` for coroutines, all awaited on the running loop.

    ``capped``: candidates too slow for every round run only this many rounds
    (the first ones) and no warm-up; 0 leaves them out.
    """
    capped = capped or {}
    names = [name for name in candidates if capped.get(name, 1) > 0]
    for _ in range(warmup):
        for name in names:
            if name not in capped:
                await candidates[name]()
    timings = Timings({name: [] for name in names})
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            if round_index >= capped.get(name, rounds):
                continue
            # Each app run leaves objects alive in this process (about 11,000 per
            # run of the real app). Frozen, they are not scanned by the collections
            # of later runs: each run starts with the heap a launched app has after
            # its first frame (launch.end_startup_gc_pause).
            reported = None  # freed outside the timing (as in ``interleave``)
            gc.collect()
            gc.freeze()
            started = time.perf_counter()
            reported = await candidates[name]()
            elapsed = time.perf_counter() - started
            timings.runs[name].append(float(reported) if self_timed else elapsed)
    return timings


def run_async(coroutine: Awaitable[Any]) -> Any:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.4999)))
    return ordered[rank - 1]


@dataclass
class Result:
    """One benchmark's outcome: a table for people and flat figures for machines."""

    name: str
    title: str
    command: str
    target: str
    headers: list[str]
    rows: list[list[str]]
    figures: dict[str, float]
    met: bool | None = None  # None: no target could be judged (e.g. the app is missing)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        verdict = {True: "met", False: "**not met**", None: "not judged"}[self.met]
        lines = [
            f"### {self.title}",
            "",
            f"Command: `{self.command}`",
            "",
            f"Target: {self.target} — {verdict}",
            "",
            "| " + " | ".join(self.headers) + " |",
            "|" + "|".join("---" for _ in self.headers) + "|",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms"


def times(ratio: float) -> str:
    return f"{ratio:.2f}x"
