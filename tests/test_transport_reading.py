"""How ``EventReader`` reads the body: as ``aiter_text()`` would, closed when it stops.

The reader takes the bytes from ``aiter_raw()`` (``aiter_bytes()`` when the body is
content-encoded or already read) and decodes them itself with the encoding
``aiter_text()`` would pick. Every way a body can arrive must reach the parser
exactly as the public ``EventSource.aiter_sse()`` hands it over, and stopping at
an end marker must close the body iterator instead of leaving async generators
to the event loop's finaliser.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from httpx_sse import EventSource

from llmx_tui.core.events import TextDelta
from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.transport import EventReader

BODY = (
    "event: greeting\ndata: Ελλάδα — 東京 🙂\n\n"
    ": a comment\r\n\r\ndata: caf\u00e9\r\ndata: two lines\r\n\r\n"
    "data: plain\rid: 4\r\r"
).encode()


class ScriptParser:
    """Records every event; data ``END`` ends the response."""

    def __init__(self) -> None:
        self.fed: list[tuple[str, str]] = []
        self.ended = False

    @property
    def finished(self) -> bool:
        return self.ended

    def feed(self, event: str, data: str) -> list[Any]:
        self.fed.append((event, data))
        self.ended = self.ended or data == "END"
        return [TextDelta(data)]

    def outcome(self) -> StepOutcome:
        return StepOutcome()


class Pieces(httpx.AsyncByteStream):
    """Pieces handed out by a plain async iterator (no async generator of its own)."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.taken = 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Next(self, iter(self.pieces))

    async def aclose(self) -> None:
        return None


class _Next:
    def __init__(self, stream: Pieces, pieces: Iterator[bytes]) -> None:
        self._stream = stream
        self._pieces = pieces

    def __aiter__(self) -> _Next:
        return self

    async def __anext__(self) -> bytes:
        for piece in self._pieces:
            self._stream.taken += 1
            return piece
        raise StopAsyncIteration


def cut(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def response(pieces: list[bytes], content_type: str, **options: Any) -> httpx.Response:
    headers = {"content-type": content_type, **options.pop("headers", {})}
    return httpx.Response(200, headers=headers, stream=Pieces(pieces), **options)


async def through_reader(make: Any) -> list[tuple[str, str]]:
    parser = ScriptParser()
    await EventReader(finish_grace=5.0).read(make(), parser, lambda event: None)
    return parser.fed


async def through_aiter_sse(make: Any) -> list[tuple[str, str]]:
    return [(sse.event, sse.data) async for sse in EventSource(make()).aiter_sse()]


@pytest.mark.parametrize(
    ("content_type", "default_encoding"),
    [
        ("text/event-stream", "utf-8"),
        ("text/event-stream; charset=utf-8", "utf-8"),
        ("text/event-stream;charset=UTF-8", "utf-8"),
        ('text/event-stream; charset="utf-8"', "utf-8"),
        ("text/event-stream; charset=latin-1", "utf-8"),
        ("text/event-stream; charset=no-such-codec", "utf-8"),
        ("text/event-stream", "latin-1"),
        ("text/event-stream; charset=utf-8", "latin-1"),
        ("text/event-stream; format=x", "cp1252"),
    ],
)
async def test_the_text_is_decoded_as_aiter_text_decodes_it(
    content_type: str, default_encoding: str
) -> None:
    # Cut anywhere, multi-byte characters included; a broken byte and a character
    # cut off by the end of the body (left to the decoder's flush) too.
    body = BODY + b"data: bad \xff byte\n\ndata: cut \xe6\x9d"
    for size in (1, 2, 3, 4096):

        def make(size: int = size) -> httpx.Response:
            return response(cut(body, size), content_type, default_encoding=default_encoding)

        fed = await through_reader(make)
        assert fed == await through_aiter_sse(make), (content_type, default_encoding, size)
        assert len(fed) == 4  # the cut-off last line ends no event


async def test_a_gzip_encoded_body_is_decompressed_as_aiter_bytes_does() -> None:
    packed = gzip.compress(BODY)

    def make() -> httpx.Response:
        return response(cut(packed, 7), "text/event-stream", headers={"content-encoding": "gzip"})

    fed = await through_reader(make)
    assert fed == await through_aiter_sse(make)
    assert fed[0] == ("greeting", "Ελλάδα — 東京 🙂")


async def test_a_body_already_read_is_replayed() -> None:
    def make() -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=BODY)

    fed = await through_reader(make)
    assert fed == await through_aiter_sse(make) and len(fed) == 3


class GeneratorWatch:
    """Which async generators were started, and which were left to the loop's finaliser."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finalised: list[str] = []

    def __enter__(self) -> GeneratorWatch:
        self._hooks = sys.get_asyncgen_hooks()
        first, final = self._hooks

        def on_first(agen: Any) -> None:
            self.started.append(agen.__qualname__)
            if first is not None:
                first(agen)

        def on_final(agen: Any) -> None:
            self.finalised.append(agen.__qualname__)
            if final is not None:
                final(agen)

        sys.set_asyncgen_hooks(firstiter=on_first, finalizer=on_final)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.set_asyncgen_hooks(*self._hooks)


@pytest.mark.parametrize("cut_size", [5, 4096])
async def test_stopping_at_the_end_marker_closes_the_body_iterator(cut_size: int) -> None:
    # What follows the marker is read and dropped (``_drain``), then the iterator closed.
    body = b"data: one\n\ndata: END\n\n" + b"data: never read\n\n" * 400
    stream = Pieces(cut(body, cut_size))
    parser = ScriptParser()
    with GeneratorWatch() as watch:
        reply = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)
        await EventReader(finish_grace=5.0).read(reply, parser, lambda event: None)
        del reply
        gc.collect()
        await asyncio.sleep(0)
    assert parser.fed == [("message", "one"), ("message", "END")]
    assert stream.taken == len(stream.pieces)  # the rest read and dropped (connection reuse)
    assert "Response.aiter_raw" in watch.started  # the watch saw httpx's generator
    assert watch.finalised == []  # none of them was left half-read


async def test_a_body_read_to_its_end_leaves_nothing_to_the_finaliser() -> None:
    with GeneratorWatch() as watch:
        reply = response(cut(BODY, 3), "text/event-stream")
        parser = ScriptParser()
        await EventReader(finish_grace=5.0).read(reply, parser, lambda event: None)
        del reply
        gc.collect()
        await asyncio.sleep(0)
    assert len(parser.fed) == 3
    assert watch.started and watch.finalised == []
