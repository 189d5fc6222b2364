"""Every recorded stream in the wire corpus, through the real SSE layer, in several splittings.

The bytes go through httpx + httpx-sse exactly as the transport reads them, cut
whole, into 1-byte pieces and at seeded random points. The outcome must equal
the stream's ``.expected.json``; the published events must add up to it too.

The expected usage here is derived from the raw numbers in ``.expected.json``
(provider semantics) and the mapping in docs/usage-mapping.md, written out
again in this file rather than taken from the implementation.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import httpx_sse
import pytest

from llmx_tui.core.events import (
    ReasoningDelta,
    RefusalDelta,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStarted,
    Usage,
)
from llmx_tui.providers.anthropic.parse import AnthropicParser
from llmx_tui.providers.base import StepOutcome, StreamParser
from llmx_tui.providers.gemini.parse import GeminiParser
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from tests.conftest import CORPUS

STREAMS = sorted(CORPUS.glob("*.sse"))
RANDOM_SEEDS = (1, 2, 3)


class PieceStream(httpx.AsyncByteStream):
    """A response body delivered in the given pieces."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece

    async def aclose(self) -> None:
        return None


def split_whole(body: bytes) -> list[bytes]:
    return [body]


def split_bytes(body: bytes) -> list[bytes]:
    return [body[i : i + 1] for i in range(len(body))]


def split_random(body: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pieces, start = [], 0
    while start < len(body):
        size = rng.choice((1, 2, 3, 5, 8, 13, 40, 200))
        pieces.append(body[start : start + size])
        start += size
    return pieces


def make_parser(dialect: str) -> StreamParser:
    if dialect == "openai-chat":
        return OpenAIChatParser()
    if dialect == "anthropic":
        return AnthropicParser()
    assert dialect == "gemini"
    return GeminiParser()


async def run_stream(dialect: str, pieces: list[bytes]) -> tuple[StreamParser, list[Any]]:
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, stream=PieceStream(pieces)
    )
    parser = make_parser(dialect)
    events: list[Any] = []
    async for sse in httpx_sse.EventSource(response).aiter_sse():
        events.extend(parser.feed(sse.event, sse.data))
    return parser, events


# --- expected values, independently derived ------------------------------------------------


def data_objects(raw: str) -> list[dict[str, Any]]:
    """The JSON objects of the stream's ``data:`` lines (every corpus event has one line)."""
    objects = []
    for line in raw.splitlines():
        if line.startswith("data:"):
            try:
                value = json.loads(line[5:])
            except ValueError:
                continue
            if isinstance(value, dict):
                objects.append(value)
    return objects


def expected_usage(dialect: str, raw_usage: dict[str, Any] | None, raw: str) -> Usage:
    if raw_usage is None:
        return Usage()
    inp, out = raw_usage["input_tokens"], raw_usage["output_tokens"]
    cached, reasoning = raw_usage["cached_input_tokens"], raw_usage["reasoning_tokens"]
    if dialect == "openai-chat":
        totals = re.findall(r'"total_tokens"\s*:\s*(\d+)', raw)
        total = int(totals[-1]) if totals else None
        # xAI: completion_tokens leaves reasoning out; total shows it.
        if reasoning and total == inp + out + reasoning:
            out += reasoning
        return Usage(
            input_tokens=inp,
            cached_input_tokens=cached,
            output_tokens=out,
            reasoning_tokens=reasoning,
        )
    if dialect == "anthropic":
        creation = 0
        for obj in data_objects(raw):
            usage = None
            if obj.get("type") == "message_start":
                usage = obj["message"].get("usage")
            elif obj.get("type") == "message_delta":
                usage = obj.get("usage")
            if usage and usage.get("cache_creation_input_tokens") is not None:
                creation = usage["cache_creation_input_tokens"]
        return Usage(
            input_tokens=inp + (cached or 0) + creation,
            cached_input_tokens=cached,
            output_tokens=out,
            reasoning_tokens=None,
        )
    return Usage(
        input_tokens=inp,
        cached_input_tokens=cached,
        output_tokens=None if out is None else out + (reasoning or 0),
        reasoning_tokens=reasoning,
    )


def tool_calls(outcome: StepOutcome, dialect: str) -> list[tuple[Any, str, Any]]:
    return [
        (c.id, c.name, json.loads(c.arguments) if dialect == "gemini" else c.arguments)
        for c in outcome.tool_calls
    ]


def check_outcome(path: Path, parser: StreamParser) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    raw = path.read_bytes().decode("utf-8")
    dialect = expected["dialect"]
    outcome = parser.outcome()
    assert outcome.text == expected["text"]
    assert outcome.reasoning == expected["reasoning"]
    want_calls = [
        (c["id"], c["name"], json.loads(c["arguments"]) if dialect == "gemini" else c["arguments"])
        for c in expected["tool_calls"]
    ]
    assert tool_calls(outcome, dialect) == want_calls
    assert outcome.finish_reason == expected["finish_reason"]
    assert outcome.error == expected["error"]
    assert outcome.refusal == expected.get("refusal", "")
    if "choices_text" in expected:
        assert outcome.choices_text == {int(k): v for k, v in expected["choices_text"].items()}
    assert outcome.usage == expected_usage(dialect, expected["usage"], raw)
    # End markers: [DONE], message_stop or an in-band error stop the reading.
    has_marker = "data: [DONE]" in raw or "message_stop" in raw or expected["error"] is not None
    assert parser.ended == has_marker
    if has_marker or expected["finish_reason"] is not None:
        assert parser.finished


def check_events(parser: StreamParser, events: list[Any]) -> None:
    """The published events reassemble to exactly the outcome."""
    outcome = parser.outcome()
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    refusal = "".join(e.text for e in events if isinstance(e, RefusalDelta))
    assert (text, reasoning, refusal) == (outcome.text, outcome.reasoning, outcome.refusal)
    started = {e.index: (e.call_id, e.name) for e in events if isinstance(e, ToolCallStarted)}
    arguments: dict[int, str] = {}
    for event in events:
        if isinstance(event, ToolCallArgumentsDelta):
            assert event.index in started, "arguments published before their call"
            arguments[event.index] = arguments.get(event.index, "") + event.fragment
    rebuilt = [(*started[i], arguments.get(i, "")) for i in sorted(started)]
    assert rebuilt == [(c.id, c.name, c.arguments) for c in outcome.tool_calls]
    usages = [e for e in events if isinstance(e, Usage)]
    assert (usages[-1] if usages else Usage()) == outcome.usage
    assert all(a != b for a, b in itertools.pairwise(usages)), "repeated usage"
    assert all(e.text for e in events if isinstance(e, (TextDelta, ReasoningDelta))), "empty delta"


def dialect_of(path: Path) -> str:
    return json.loads(path.with_suffix(".expected.json").read_text("utf-8"))["dialect"]


def test_corpus_is_complete() -> None:
    assert len(STREAMS) == 51
    for path in STREAMS:
        assert path.with_suffix(".expected.json").exists(), path.name


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_stream_whole(path: Path) -> None:
    parser, events = await run_stream(dialect_of(path), split_whole(path.read_bytes()))
    check_outcome(path, parser)
    check_events(parser, events)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_stream_one_byte_pieces(path: Path) -> None:
    parser, events = await run_stream(dialect_of(path), split_bytes(path.read_bytes()))
    check_outcome(path, parser)
    check_events(parser, events)


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_stream_random_pieces(path: Path) -> None:
    body = path.read_bytes()
    for seed in RANDOM_SEEDS:
        parser, events = await run_stream(dialect_of(path), split_random(body, seed))
        check_outcome(path, parser)
        check_events(parser, events)
