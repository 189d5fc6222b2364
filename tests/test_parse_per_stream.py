"""Shortcuts for short streams: the same reading and parsing, less work per stream.

Once the parser is finished, ``EventReader`` reads what trails the finishing
event under the grace deadline: these tests pin down that such reads behave
as any read does (cancelled from outside, failing, timed out, read to the
end).

The Gemini and Anthropic parsers read their usual events (a bare or thought
text part; a text block's ``text_delta``) before the general code; every other
shape falls through to it. The parser tests at the end compare both paths with
what the general rules say.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.core.events import ReasoningDelta, TextDelta, ToolCallStarted
from llmx_tui.providers.anthropic.parse import AnthropicParser
from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.gemini.parse import GeminiParser
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


async def test_a_body_that_ends_with_the_finishing_event_is_read_to_its_end() -> None:
    body = Body([(0, b"data: a\n\n"), (0, b"data: FIN\n\ndata: usage\n\n"), (0, b"data: b\n\n")])
    parser, events = await read(body)
    assert parser.fed == ["a", "FIN", "usage", "b"]
    assert events == [TextDelta("a"), TextDelta("FINusage"), TextDelta("b")]
    assert body.closed


async def test_trailing_reads_that_wait_within_the_grace_are_read() -> None:
    body = Body([(0, b"data: FIN\n\n"), (0.02, b"data: usage\n\n"), (0.02, b"data: more\n\n")])
    parser, _ = await read(body, grace=5.0)
    assert parser.fed == ["FIN", "usage", "more"] and body.closed


async def test_a_waiting_trailing_read_is_left_after_the_grace() -> None:
    body = Body([(0, b"data: FIN\n\n"), (30, b"data: never\n\n")])
    parser, _ = await asyncio.wait_for(read(body, grace=0.05), timeout=10)
    assert parser.fed == ["FIN"] and body.taken == 1 and body.closed


async def test_a_failure_while_waiting_after_the_finish_reaches_the_caller() -> None:
    body = Body([(0, b"data: FIN\n\n"), (0.01, b""), (httpx.ReadError("cut"), b"")])
    with pytest.raises(httpx.ReadError):
        await read(body)
    assert body.closed


async def test_a_failure_without_waiting_after_the_finish_reaches_the_caller() -> None:
    body = Body([(0, b"data: FIN\n\n"), (httpx.ReadError("cut"), b"")])
    with pytest.raises(httpx.ReadError):
        await read(body)
    assert body.closed


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


# --- parsers: the usual event read first, everything else as before -----------------------

_part_values = st.one_of(st.none(), st.booleans(), st.integers(0, 1), st.text(max_size=3))
_parts = st.lists(
    st.one_of(
        st.fixed_dictionaries({"text": st.text(max_size=4)}),
        st.fixed_dictionaries({"text": st.text(max_size=4), "thought": _part_values}),
        st.fixed_dictionaries(
            {"text": _part_values},
            optional={"thought": _part_values, "thoughtSignature": _part_values},
        ),
        st.just({"functionCall": {"name": "f", "args": {"a": 1}}, "text": "ignored"}),
        st.just("not a part"),
    ),
    max_size=5,
)


def expected_gemini(parts: list[Any]) -> list[tuple[type, str]]:
    """The Gemini part rules written out: a call takes the part; else non-empty string
    text is reasoning when ``thought`` is truthy, text otherwise."""
    expected: list[tuple[type, str]] = []
    for part in parts:
        if not isinstance(part, dict):
            continue
        if "functionCall" in part:
            expected.append((ToolCallStarted, "f"))
            continue
        text = part.get("text")
        if isinstance(text, str) and text:
            expected.append((ReasoningDelta if part.get("thought") else TextDelta, text))
    return expected


def published_gemini(events: list[Any]) -> list[tuple[type, str]]:
    return [
        (type(event), event.name if isinstance(event, ToolCallStarted) else event.text)
        for event in events
        if isinstance(event, TextDelta | ReasoningDelta | ToolCallStarted)
    ]


@settings(max_examples=200, deadline=None)
@given(parts=_parts)
def test_gemini_parts_are_read_by_the_part_rules_whatever_their_shape(parts: list[Any]) -> None:
    parser = GeminiParser()
    chunk = {"candidates": [{"content": {"parts": parts}, "index": 0}]}
    events = parser.feed("message", json.dumps(chunk))
    assert published_gemini(events) == expected_gemini(parts)
    outcome = parser.outcome()
    expected = expected_gemini(parts)
    assert outcome.text == "".join(text for kind, text in expected if kind is TextDelta)
    assert outcome.reasoning == "".join(t for kind, t in expected if kind is ReasoningDelta)


def test_gemini_candidate_zero_is_found_wherever_it_is() -> None:
    def text_of(candidates: Any) -> str:
        parser = GeminiParser()
        parser.feed("message", json.dumps({"candidates": candidates}))
        return parser.outcome().text

    first = {"content": {"parts": [{"text": "zero"}]}}
    other = {"content": {"parts": [{"text": "one"}]}, "index": 1}
    assert text_of([first]) == "zero"
    assert text_of([{**first, "index": 0}, other]) == "zero"
    assert text_of([other, {**first, "index": 0}]) == "zero"
    assert text_of(["junk", first]) == "zero"
    assert text_of([other]) == "" and text_of([]) == "" and text_of({"0": first}) == ""


def anthropic_events(*messages: dict[str, Any]) -> list[Any]:
    parser = AnthropicParser()
    out: list[Any] = []
    for message in messages:
        out += parser.feed(message["type"], json.dumps(message))
    return out


def text_delta(index: Any, text: Any, kind: str = "text_delta") -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": {"type": kind, "text": text}}


def block(index: int, kind: str) -> dict[str, Any]:
    content = {"type": kind, "text": ""} if kind == "text" else {"type": kind, "thinking": ""}
    return {"type": "content_block_start", "index": index, "content_block": content}


def test_anthropic_text_deltas_reach_only_text_blocks() -> None:
    events = anthropic_events(
        block(0, "thinking"),
        block(1, "text"),
        text_delta(1, "a"),
        text_delta(0, "not thinking text"),  # a text_delta on a thinking block
        text_delta(2, "no such block"),
        text_delta("1", "a string index"),
        text_delta(1, 5),  # not a string
        text_delta(True, "b"),  # a bool index is the int 1, as before the shortcut
        text_delta(1, "c"),
    )
    assert [event.text for event in events if isinstance(event, TextDelta)] == ["a", "b", "c"]


def test_anthropic_finished_and_ended_follow_the_stop_events() -> None:
    parser = AnthropicParser()
    assert not parser.finished and not parser.ended
    delta = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {}}
    parser.feed("message_delta", json.dumps(delta))
    assert parser.finished and not parser.ended
    parser.feed("message_stop", '{"type":"message_stop"}')
    assert parser.finished and parser.ended
    failed = AnthropicParser()
    failed.feed("error", '{"type":"error","error":{"type":"overloaded_error"}}')
    assert failed.finished and failed.ended


def test_gemini_finished_and_ended_follow_the_response() -> None:
    parser = GeminiParser()
    usage = {"usageMetadata": {"promptTokenCount": 3}}
    parser.feed("message", json.dumps(usage))
    assert not parser.finished
    parser.feed("message", json.dumps({"candidates": [{"finishReason": "STOP"}]}))
    assert parser.finished and not parser.ended
    failed = GeminiParser()
    failed.feed("message", json.dumps({"error": {"message": "overloaded"}}))
    assert failed.finished and failed.ended
    assert failed.feed("message", json.dumps(usage)) == []
