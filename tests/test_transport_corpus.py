"""Every corpus stream through the transport's own event loop (``EventReader``).

test_conformance.py feeds the parsers from ``EventSource.aiter_sse()`` in a
plain loop; the transport pulls events its own way (stops at an end marker,
waits a grace period once the response is finished, tracks whether content was
published). Here the same bytes go through ``EventReader`` cut into 1-byte
pieces, and through ``Transport.stream`` (an in-memory HTTP exchange) cut at
random points: the outcome must match ``.expected.json`` and the published
events must be the conformance loop's, except that the text pieces of one kind
that came in one read are published as one event (``joined_runs``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from llmx_tui.core.events import ReasoningDelta, RefusalDelta, TextDelta, ToolCallStarted, Usage
from llmx_tui.providers.transport import EventReader, HttpRequest, Timeouts, Transport
from tests.test_conformance import (
    RANDOM_SEEDS,
    STREAMS,
    PieceStream,
    check_events,
    check_outcome,
    dialect_of,
    make_parser,
    run_stream,
    split_bytes,
    split_random,
)

SSE = {"content-type": "text/event-stream"}


def joined_runs(events: list[Any]) -> list[Any]:
    """``events`` with each run of consecutive text pieces of one kind joined into one."""
    out: list[Any] = []
    for event in events:
        kind = type(event)
        if kind in (TextDelta, ReasoningDelta, RefusalDelta) and out and type(out[-1]) is kind:
            out[-1] = kind(out[-1].text + event.text)
        else:
            out.append(event)
    return out


def content_published(events: list[Any]) -> bool:
    return any(isinstance(e, ToolCallStarted) or e.type.endswith("_delta") for e in events)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_event_reader_one_byte_pieces(path: Path) -> None:
    dialect = dialect_of(path)
    pieces = split_bytes(path.read_bytes())
    response = httpx.Response(200, headers=SSE, stream=PieceStream(pieces))
    parser = make_parser(dialect)
    events: list[Any] = []
    reader = EventReader(finish_grace=5.0)
    await reader.read(response, parser, events.append)
    check_outcome(path, parser)
    check_events(parser, events)
    _, expected_events = await run_stream(dialect, pieces)
    assert events == expected_events
    assert reader.streamed == content_published(events)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_transport_random_pieces(path: Path) -> None:
    dialect = dialect_of(path)
    body = path.read_bytes()
    for seed in RANDOM_SEEDS:
        pieces = split_random(body, seed)

        def reply(request: httpx.Request, pieces: list[bytes] = pieces) -> httpx.Response:
            return httpx.Response(200, headers=SSE, stream=PieceStream(pieces))

        client = httpx.AsyncClient(transport=httpx.MockTransport(reply))
        transport = Transport(client, timeouts=Timeouts(idle=5.0, finish_grace=5.0))
        parser = make_parser(dialect)
        events: list[Any] = []
        request = HttpRequest(url="http://127.0.0.1:9/stream", headers={}, body={})
        async with client:
            await transport.stream(request, parser, events.append)
        check_outcome(path, parser)
        check_events(parser, events)
        _, expected_events = await run_stream(dialect, pieces)
        assert joined_runs(events) == joined_runs(expected_events)
        assert len(events) <= len(expected_events)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_one_read_publishes_each_run_of_text_pieces_as_one_event(path: Path) -> None:
    """The whole body in one read: every run of text, reasoning or refusal pieces is
    one event, everything else is published as the parser gave it, in order."""
    dialect = dialect_of(path)
    body = path.read_bytes()
    response = httpx.Response(200, headers=SSE, stream=PieceStream([body]))
    parser = make_parser(dialect)
    events: list[Any] = []
    await EventReader(finish_grace=5.0).read(response, parser, events.append)
    check_outcome(path, parser)
    check_events(parser, events)
    _, expected_events = await run_stream(dialect, [body])
    assert events == joined_runs(expected_events)


async def test_streamed_stays_false_until_content_is_published() -> None:
    """Usage, finish and empty role chunks are not content: a cut there may still be
    retried."""
    body = (
        b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'
        b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
        b'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":0}}\n\n'
    )
    response = httpx.Response(200, headers=SSE, stream=PieceStream([body]))
    parser = make_parser("openai-chat")
    events: list[Any] = []
    reader = EventReader(finish_grace=0.1)
    await reader.read(response, parser, events.append)
    assert [type(e) for e in events] == [Usage]
    assert not reader.streamed

    more = body + b'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n'
    response = httpx.Response(200, headers=SSE, stream=PieceStream([more]))
    reader = EventReader(finish_grace=0.1)
    await reader.read(response, make_parser("openai-chat"), events.append)
    assert reader.streamed
