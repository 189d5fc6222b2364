"""Per-stream shortcuts of the reader: the same reading, less set-up per stream.

Once the parser is finished, ``EventReader`` takes a read the body answers at
once without arming the grace deadline; only a read that has to wait is
awaited under it. These tests pin down that the waiting read still behaves as
``await`` would (cancelled from outside, failing, timed out) and that no timer
is armed when the body's end is already there.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from llmx_tui.core.events import TextDelta
from llmx_tui.providers import transport as transport_module
from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.transport import EventReader

SSE = {"content-type": "text/event-stream"}


class FinParser:
    """Data ``FIN`` finishes the response; every event is recorded."""

    def __init__(self) -> None:
        self.fed: list[str] = []
        self.finished = False
        self.ended = False

    def feed(self, event: str, data: str) -> list[Any]:
        self.fed.append(data)
        self.finished = self.finished or data == "FIN"
        return [TextDelta(data)]

    def outcome(self) -> StepOutcome:
        return StepOutcome(text="".join(self.fed))


class Body(httpx.AsyncByteStream):
    """Pieces, each after an optional pause or failure; records whether it was closed."""

    def __init__(self, pieces: list[tuple[float | Exception, bytes]]) -> None:
        self._pieces = pieces
        self.closed = False
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            for before, piece in self._pieces:
                if isinstance(before, Exception):
                    raise before
                if before:
                    await asyncio.sleep(before)
                self.taken += 1
                yield piece
        finally:
            self.closed = True


async def read(body: Body, grace: float = 5.0) -> tuple[FinParser, list[Any]]:
    parser, events = FinParser(), []
    response = httpx.Response(200, headers=SSE, stream=body)
    await EventReader(finish_grace=grace).read(response, parser, events.append)
    return parser, events


@pytest.fixture
def deadlines(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every grace deadline the reader arms."""
    armed: list[float] = []
    real = asyncio.timeout_at

    def counting(when: float) -> Any:
        armed.append(when)
        return real(when)

    monkeypatch.setattr(transport_module.asyncio, "timeout_at", counting)
    return armed


async def test_a_body_that_ends_with_the_finishing_event_arms_no_deadline(
    deadlines: list[float],
) -> None:
    body = Body([(0, b"data: a\n\n"), (0, b"data: FIN\n\ndata: usage\n\n"), (0, b"data: b\n\n")])
    parser, events = await read(body)
    assert parser.fed == ["a", "FIN", "usage", "b"]
    assert events == [TextDelta("a"), TextDelta("FINusage"), TextDelta("b")]
    assert deadlines == [] and body.closed


async def test_a_trailing_read_that_waits_is_awaited_under_the_deadline(
    deadlines: list[float],
) -> None:
    body = Body([(0, b"data: FIN\n\n"), (0.02, b"data: usage\n\n"), (0.02, b"data: more\n\n")])
    parser, _ = await read(body)
    assert parser.fed == ["FIN", "usage", "more"]
    assert len(deadlines) == 2 and body.closed  # the two pieces waited for; the end came at once


async def test_a_waiting_trailing_read_is_left_after_the_grace() -> None:
    body = Body([(0, b"data: FIN\n\n"), (30, b"data: never\n\n")])
    parser, _ = await asyncio.wait_for(read(body, grace=0.05), timeout=10)
    assert parser.fed == ["FIN"] and body.taken == 1 and body.closed


async def test_a_failure_while_waiting_after_the_finish_reaches_the_caller() -> None:
    body = Body([(0, b"data: FIN\n\n"), (0.01, b""), (httpx.ReadError("cut"), b"")])
    with pytest.raises(httpx.ReadError):
        await read(body)
    assert body.closed


async def test_a_failure_without_waiting_after_the_finish_reaches_the_caller(
    deadlines: list[float],
) -> None:
    body = Body([(0, b"data: FIN\n\n"), (httpx.ReadError("cut"), b"")])
    with pytest.raises(httpx.ReadError):
        await read(body)
    assert deadlines == [] and body.closed


async def test_cancelling_a_read_waiting_after_the_finish_cancels_it() -> None:
    body = Body([(0, b"data: FIN\n\n"), (30, b"data: never\n\n")])
    task = asyncio.create_task(read(body, grace=60))
    while body.taken == 0:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert body.closed and body.taken == 1
