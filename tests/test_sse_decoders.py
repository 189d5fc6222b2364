"""httpx-sse's private decoders, as providers/transport.py drives them.

``EventReader`` feeds ``httpx_sse._decoders.SSELineDecoder`` and ``SSEDecoder``
itself, once per network read, instead of pulling events one generator step at
a time from ``EventSource.aiter_sse()``. That module is private and has changed
between releases, so httpx-sse is pinned exactly in pyproject.toml; these tests
are the alarm for an upgrade: they fail if the classes are gone, change their
calls, or decode anything differently from the public ``aiter_sse()``.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from httpx_sse import EventSource, ServerSentEvent
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from tests.conftest import REPO
from tests.test_conformance import STREAMS, PieceStream

Decoded = tuple[str, str, str, int | None]

# Each an edge of the SSE rules the providers' streams touch or might.
TRICKY_BODIES = {
    "crlf": b"event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n",
    "lone cr": b"data: x\rdata: y\r\r: comment\r\rdata: z\r\r",
    "comments and pings": b": ping\n\n:\n\ndata: kept\n\n: keep-alive\n\n",
    "multi-line data": b"data: one\ndata:two\ndata:  three\n\n",
    "named events": b"event: message_start\ndata: {}\n\nevent:ping\ndata:\n\n",
    "id and retry": b"id: 7\nretry: 1500\ndata: a\n\nretry: nope\ndata: b\n\n",
    "unknown fields": b"foo: bar\ndata: c\nnodata\n\n",
    "no final blank line": b"data: first\n\ndata: last\n",
    "ends on a cr": b"data: first\r\rdata: last\r",
    "unicode": "data: Ελλάδα — 東京 🙂\n\n".encode(),
}


async def decode_per_read(pieces: list[bytes]) -> tuple[list[Decoded], list[str]]:
    """Decoded events and every line, driving the decoders as ``EventReader.read`` does."""
    lines, decoder = SSELineDecoder(), SSEDecoder()
    seen_lines: list[str] = []
    events: list[Decoded] = []

    def take(new_lines: list[str]) -> None:
        for line in new_lines:
            seen_lines.append(line)
            sse = decoder.decode(line)
            if sse is not None:
                events.append(as_tuple(sse))

    async for text in event_stream(pieces).aiter_text():
        take(lines.decode(text))
    take(lines.flush())
    return events, seen_lines


def event_stream(pieces: list[bytes]) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=PieceStream(pieces)
    )


async def decode_public(pieces: list[bytes]) -> list[Decoded]:
    return [as_tuple(sse) async for sse in EventSource(event_stream(pieces)).aiter_sse()]


def as_tuple(sse: ServerSentEvent) -> Decoded:
    return (sse.event, sse.data, sse.id, sse.retry)


def cut(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def test_the_installed_release_is_the_pinned_one() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    [pin] = [d for d in pyproject["project"]["dependencies"] if d.startswith("httpx-sse")]
    assert re.fullmatch(r"httpx-sse==[\d.]+", pin), "pin httpx-sse exactly (private decoders)"
    assert version("httpx-sse") == pin.split("==")[1]


@pytest.mark.parametrize("name", sorted(TRICKY_BODIES))
async def test_tricky_bodies_decode_as_aiter_sse_does(name: str) -> None:
    body = TRICKY_BODIES[name]
    for size in (1, 2, 3, 5, len(body)):
        pieces = cut(body, size)
        events, lines = await decode_per_read(pieces)
        assert events == await decode_public(pieces), (name, size)
        # EventReader skips aiter_sse's rstrip("\n"): lines must never carry line ends.
        assert not any("\n" in line or "\r" in line for line in lines)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_corpus_streams_decode_as_aiter_sse_does(path: Path) -> None:
    body = path.read_bytes()
    for size in (1, 7, 4096):
        pieces = cut(body, size)
        events, lines = await decode_per_read(pieces)
        assert events, path.name
        assert events == await decode_public(pieces), (path.name, size)
        assert not any("\n" in line or "\r" in line for line in lines)


def test_line_decoder_contract() -> None:
    """The calls EventReader makes and what they return, spelled out."""
    lines = SSELineDecoder()
    assert lines.decode("data: a") == []  # no line end yet: held
    assert lines.decode("bc\r") == []  # a CR may be half of CRLF: held too
    assert lines.decode("\ndata: d\n\n") == ["data: abc", "data: d", ""]
    assert lines.decode("data: e\r") == []
    assert lines.flush() == ["data: e"]
    assert lines.flush() == []


def test_event_decoder_contract() -> None:
    decoder = SSEDecoder()
    assert decoder.decode("event: delta") is None
    assert decoder.decode(": a comment") is None
    assert decoder.decode("data: x") is None
    assert decoder.decode("data:y") is None
    sse = decoder.decode("")
    assert isinstance(sse, ServerSentEvent)
    assert (sse.event, sse.data) == ("delta", "x\ny")
    assert decoder.decode("") is None  # nothing pending: a blank line is no event
    assert decoder.decode("data: z") is None
    sse = decoder.decode("")
    # The name does not stick; an unnamed event is "message", as the parsers expect.
    assert sse is not None and (sse.event, sse.data) == ("message", "z")
