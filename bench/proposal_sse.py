"""Measured proposals for the parse path, not used by the app.

1. *httpx-sse per read*: the transport pulls events from
   ``EventSource.aiter_sse()``, an async generator over another async generator
   (``_aiter_sse_lines``), so every event costs two or three generator steps.
   ``read_per_text`` keeps httpx-sse's own decoding (its ``SSELineDecoder`` and
   ``SSEDecoder``: the same lines, the same events) but drives the decoders
   itself, once per network read, and feeds the parser in a plain loop. Those
   classes live in the private ``httpx_sse._decoders`` (``SSELineDecoder`` only
   in recent releases), which is why this is a proposal and not the app's path.
2. *+ slotted deltas*: the same, with the text-like delta events built as plain
   slotted objects instead of pydantic models (a change to ``core/events.py``);
   ``delta_construction_costs`` times each way of building one delta.

(The byte-level SSE splitter measured here before is gone: hand-rolling what
httpx-sse does is against the project's rules.)
"""

from __future__ import annotations

import timeit
from typing import Any

import httpx
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from bench.parse_clients import CHAT_BODY, OPENAI_HEADERS, SSE_HEADERS, _Chunks, make_parser
from llmx_tui.core.events import TextDelta
from llmx_tui.providers.base import StepOutcome, StreamParser
from llmx_tui.providers.stream_state import StreamState, ThinkTagSplitter


async def read_per_text(
    response: httpx.Response, parser: StreamParser, published: list[Any]
) -> None:
    """``EventReader.read`` without the per-event generator steps (no finish grace here:
    these streams always end)."""
    lines, decoder = SSELineDecoder(), SSEDecoder()
    async for text in response.aiter_text():
        for line in lines.decode(text):
            sse = decoder.decode(line.rstrip("\n"))
            if sse is not None:
                published.extend(parser.feed(sse.event, sse.data))
                if parser.ended:
                    return
    for line in lines.flush():
        sse = decoder.decode(line.rstrip("\n"))
        if sse is not None and not parser.ended:
            published.extend(parser.feed(sse.event, sse.data))


async def per_text_decode(
    chunks: list[bytes], dialect: str = "openai-chat", *, slotted: bool = False
) -> StepOutcome:
    """As ``parse_clients.ours_decode``, reading per network read."""
    parser = _parser(dialect, slotted)
    response = httpx.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks))
    await read_per_text(response, parser, [])
    return parser.outcome()


async def per_text_fetch(
    base_url: str, client: httpx.AsyncClient, *, slotted: bool = False
) -> StepOutcome:
    """As ``parse_clients.ours_fetch`` (one POST, events published), reading per network read."""
    parser = _parser("openai-chat", slotted)
    async with client.stream(
        "POST", base_url + "/chat/completions", json=CHAT_BODY, headers=OPENAI_HEADERS
    ) as response:
        await read_per_text(response, parser, [])
    return parser.outcome()


# --- delta events as plain slotted objects -----------------------------------------------------


class PlainTextDelta:
    __slots__ = ("text",)
    type = "text_delta"

    def __init__(self, text: str) -> None:
        self.text = text


class PlainReasoningDelta:
    __slots__ = ("text",)
    type = "reasoning_delta"

    def __init__(self, text: str) -> None:
        self.text = text


class _SlottedDeltaState(StreamState):
    def add_text(self, text: str, out: list[Any]) -> None:
        if text:
            self._text.append(text)
            out.append(PlainTextDelta(text))

    def add_reasoning(self, text: str, out: list[Any]) -> None:
        if text:
            self._reasoning.append(text)
            out.append(PlainReasoningDelta(text))


def _parser(dialect: str, slotted: bool) -> StreamParser:
    parser: Any = make_parser(dialect)
    if slotted:  # swap the accumulator before anything is fed (bench-only surgery)
        parser._state = _SlottedDeltaState()
        if hasattr(parser, "_think"):
            parser._think = ThinkTagSplitter(parser._state)
    return parser


def delta_construction_costs(number: int = 100_000) -> dict[str, float]:
    """Microseconds to build one text delta, each way (best of 5)."""
    validate = TextDelta.__pydantic_validator__.validate_python
    ways = {
        "pydantic": lambda: TextDelta(text="token "),
        "model_construct": lambda: TextDelta.model_construct(text="token "),
        "cached validator": lambda: validate({"text": "token "}),
        "slotted class": lambda: PlainTextDelta("token "),
    }
    return {
        name: min(timeit.repeat(way, number=number, repeat=5)) / number * 1e6
        for name, way in ways.items()
    }
