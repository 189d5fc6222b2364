"""``EventReader``: httpx-sse's decoders driven once per read, with the transport's rules.

What the corpus tests cannot show: when reading stops (end marker, finish grace
per trailing event), that event names and comments reach the parser exactly as
``aiter_sse()`` hands them over, and that a 200 which is not an event stream is
still the retryable error it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource

from llmx_tui.core.events import ReasoningDelta, RefusalDelta, Retrying, TextDelta
from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.errors import ProviderError
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import EventReader, HttpRequest, RetryPolicy, Transport

SSE = {"content-type": "text/event-stream"}


class ScriptParser:
    """Records every event; data ``FIN`` finishes the response, ``END`` ends it."""

    def __init__(self) -> None:
        self.fed: list[tuple[str, str]] = []
        self.finished = False
        self.ended = False

    def feed(self, event: str, data: str) -> list[Any]:
        self.fed.append((event, data))
        self.finished = self.finished or data in ("FIN", "END")
        self.ended = self.ended or data == "END"
        return [TextDelta(text=data)]

    def outcome(self) -> StepOutcome:
        return StepOutcome(text="".join(data for _, data in self.fed))


class PausedStream(httpx.AsyncByteStream):
    """Pieces with a pause before some of them; counts the pieces taken."""

    def __init__(self, pieces: list[tuple[float, bytes]]) -> None:
        self._pieces = pieces
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for pause, piece in self._pieces:
            if pause:
                await asyncio.sleep(pause)
            self.taken += 1
            yield piece


async def read(pieces: list[tuple[float, bytes]], grace: float = 5.0) -> tuple[ScriptParser, int]:
    stream = PausedStream(pieces)
    parser = ScriptParser()
    response = httpx.Response(200, headers=SSE, stream=stream)
    await EventReader(finish_grace=grace).read(response, parser, lambda event: None)
    return parser, stream.taken


async def test_names_comments_and_line_ends_reach_the_parser_as_aiter_sse_gives_them() -> None:
    body = (
        b": ping\r\n\r\nevent: message_start\r\ndata: {}\r\n\r\n:keep-alive\n\n"
        b"data: a\ndata: b\n\nevent:delta\rdata:  c\r\rid: 3\ndata: d\n\n: bye\n"
    )
    response = httpx.Response(200, headers=SSE, stream=PausedStream([(0, body)]))
    public = [(sse.event, sse.data) async for sse in EventSource(response).aiter_sse()]
    assert ("delta", " c") in public and ("message", "a\nb") in public
    for size in (1, 3, len(body)):
        pieces = [(0.0, body[i : i + size]) for i in range(0, len(body), size)]
        parser, _ = await read(pieces)
        assert parser.fed == public, size


async def test_parsing_stops_at_the_end_marker_and_the_rest_is_read_and_dropped() -> None:
    parser, taken = await read(
        [(0, b"data: one\n\ndata: END\n\ndata: late\n\n"), (0, b"data: later\n\n")]
    )
    assert parser.fed == [("message", "one"), ("message", "END")]
    assert taken == 2  # read to its end, so httpx can put the connection back in its pool


async def test_after_the_end_marker_a_body_that_does_not_end_is_left_after_a_short_while() -> None:
    started = asyncio.get_running_loop().time()
    parser, taken = await read([(0, b"data: END\n\n"), (30, b"data: never\n\n")], grace=60)
    assert parser.fed == [("message", "END")] and taken == 1
    assert asyncio.get_running_loop().time() - started < 5  # DRAIN_AFTER_END, not the grace


async def test_an_end_marker_after_the_finish_also_has_the_rest_read_and_dropped() -> None:
    parser, taken = await read(
        [(0, b"data: FIN\n\n"), (0.01, b"data: END\n\n"), (0.01, b"data: late\n\n")]
    )
    assert [data for _, data in parser.fed] == ["FIN", "END"]
    assert taken == 3


async def test_a_failure_after_the_end_marker_loses_nothing() -> None:
    class CutAfterEnd(httpx.AsyncByteStream):
        def __init__(self, before_end: bytes) -> None:
            self.before_end = before_end

        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield self.before_end
            yield b"data: END\n\n"
            raise httpx.RemoteProtocolError("peer closed connection")

    for before_end in (b"data: one\n\n", b"data: FIN\n\n"):  # ended, or finished then ended
        parser = ScriptParser()
        response = httpx.Response(200, headers=SSE, stream=CutAfterEnd(before_end))
        await EventReader(finish_grace=5.0).read(response, parser, lambda event: None)
        assert [data for _, data in parser.fed] == [before_end[6:-2].decode(), "END"]


async def test_the_grace_is_per_trailing_event_not_for_all_of_them() -> None:
    # Each trailing event comes 0.9 s after the one before; together 1.8 s > the 1.5 s grace.
    parser, _ = await read(
        [(0, b"data: FIN\n\n"), (0.9, b"data: usage\n\n"), (0.9, b"data: more\n\n")], grace=1.5
    )
    assert [data for _, data in parser.fed] == ["FIN", "usage", "more"]


async def test_a_finished_response_that_goes_quiet_is_left_after_the_grace() -> None:
    parser, taken = await read(
        [(0, b"data: text\n\ndata: FIN\n\n"), (30, b"data: never\n\n")], grace=0.1
    )
    assert [data for _, data in parser.fed] == ["text", "FIN"]
    assert taken == 1


async def test_no_grace_before_the_response_is_finished() -> None:
    parser, _ = await read([(0, b"data: a\n\n"), (0.3, b"data: b\n\n")], grace=0.05)
    assert [data for _, data in parser.fed] == ["a", "b"]


async def test_a_last_event_ended_by_a_lone_cr_is_read_when_the_body_ends() -> None:
    # The line decoder holds a final CR (it may be half of a CRLF) until it is flushed.
    parser, _ = await read([(0, b"data: a\r\rdata: last\r\r")])
    assert [data for _, data in parser.fed] == ["a", "last"]
    parser, _ = await read([(0, b"data: a\r\rdata: cut off\r")])  # no blank line: no event
    assert [data for _, data in parser.fed] == ["a"]


@pytest.mark.parametrize(
    ("content_type", "body", "detail"),
    [
        (
            "text/html; charset=utf-8",
            b"<html><head><title>Sign in to the portal</title></head><body>...</body></html>",
            "Sign in to the portal",
        ),
        (
            "application/json",
            b'{"error": {"message": "streaming is off here"}}',
            "streaming is off",
        ),
        ("", b"", ""),
    ],
)
async def test_a_200_that_is_not_an_event_stream_fails_at_once_and_names_the_base_url(
    content_type: str, body: bytes, detail: str
) -> None:
    """A web page (a base URL that misses the API, a login portal) or a whole JSON answer:
    asking again gets the same, so no retry, and the message says where to look."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        headers = {"content-type": content_type} if content_type else {}
        return httpx.Response(200, headers=headers, content=body)

    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    url = "http://127.0.0.1:9/chat/completions?key=sk-in-the-query-0123456789"
    request = HttpRequest(url=url, headers={}, body={}, secrets=("sk-in-the-query-0123456789",))
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        transport = Transport(client, retry=RetryPolicy(max_attempts=4), sleep=sleep)
        with pytest.raises(ProviderError) as caught:
            await transport.stream(request, OpenAIChatParser(), lambda event: None)
    assert len(requests) == 1 and sleeps == []
    assert caught.value.kind == "response"
    message = caught.value.message
    assert "not an event stream" in message and detail in message
    assert "base URL" in message and "127.0.0.1:9/chat/completions" in message
    assert "sk-in-the-query" not in message


async def test_cancelling_a_read_cancels_it() -> None:
    stream = PausedStream([(0, b"data: a\n\n"), (30, b"data: b\n\n")])
    parser = ScriptParser()
    response = httpx.Response(200, headers=SSE, stream=stream)
    task = asyncio.create_task(
        EventReader(finish_grace=5.0).read(response, parser, lambda event: None)
    )
    while not parser.fed:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert parser.fed == [("message", "a")]


class KindParser:
    """Data ``t:x`` is a text piece, ``r:x`` reasoning, ``f:x`` refusal, ``boom`` raises;
    anything else is a ``Retrying`` event (a stand-in for any event that is not a piece)."""

    finished = ended = False

    def feed(self, event: str, data: str) -> list[Any]:
        if data == "boom":
            raise RuntimeError("parser broke")
        kind, _, text = data.partition(":")
        piece = {"t": TextDelta, "r": ReasoningDelta, "f": RefusalDelta}.get(kind)
        return [piece(text)] if piece else [Retrying(attempt=1, delay=0.0, reason=data)]

    def outcome(self) -> StepOutcome:
        return StepOutcome()


def sse_body(*data: str) -> bytes:
    return b"".join(f"data: {line}\n\n".encode() for line in data)


async def published(pieces: list[bytes]) -> list[Any]:
    events: list[Any] = []
    response = httpx.Response(200, headers=SSE, stream=PausedStream([(0, p) for p in pieces]))
    await EventReader(finish_grace=5.0).read(response, KindParser(), events.append)
    return events


async def test_text_pieces_of_one_read_are_published_joined_in_order() -> None:
    body = sse_body("t:a", "t:b", "r:c", "r:d", "t:e", "other", "t:f", "f:g", "f:h")
    assert await published([body]) == [
        TextDelta("ab"),
        ReasoningDelta("cd"),
        TextDelta("e"),
        Retrying(attempt=1, delay=0.0, reason="other"),
        TextDelta("f"),
        RefusalDelta("gh"),
    ]


async def test_pieces_of_different_reads_are_not_joined() -> None:
    """Joining never holds a piece back for a later read."""
    assert await published([sse_body("t:a"), sse_body("t:b", "t:c")]) == [
        TextDelta("a"),
        TextDelta("bc"),
    ]


async def test_pieces_before_a_failure_in_the_same_read_are_still_published() -> None:
    events: list[Any] = []
    response = httpx.Response(
        200, headers=SSE, stream=PausedStream([(0, sse_body("t:a", "t:b", "boom", "t:c"))])
    )
    with pytest.raises(RuntimeError):
        await EventReader(finish_grace=5.0).read(response, KindParser(), events.append)
    assert events == [TextDelta("ab")]
