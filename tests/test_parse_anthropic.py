"""Anthropic Messages parser: block kinds, replay data, usage, end and errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import httpx_sse
import pytest

from llmx_tui.core.events import (
    ReasoningDelta,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStarted,
    Usage,
)
from llmx_tui.providers.anthropic.parse import AnthropicParser
from tests.conftest import CORPUS


def event(kind: str, **body: Any) -> tuple[str, str]:
    return kind, json.dumps({"type": kind, **body})


def start(index: int, block: dict[str, Any]) -> tuple[str, str]:
    return event("content_block_start", index=index, content_block=block)


def delta(index: int, **body: Any) -> tuple[str, str]:
    return event("content_block_delta", index=index, delta=body)


def stop(index: int) -> tuple[str, str]:
    return event("content_block_stop", index=index)


def message_start(**usage: Any) -> tuple[str, str]:
    return event("message_start", message={"id": "msg_1", "content": [], "usage": usage})


def feed_all(parser: AnthropicParser, events: list[tuple[str, str]]) -> list[Any]:
    out: list[Any] = []
    for kind, data in events:
        out.extend(parser.feed(kind, data))
    return out


def corpus_parser(stem: str) -> AnthropicParser:
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=(CORPUS / stem).read_bytes()
    )
    parser = AnthropicParser()
    for sse in httpx_sse.EventSource(response).iter_sse():
        parser.feed(sse.event, sse.data)
    return parser


def test_thinking_signature_then_text() -> None:
    parser = AnthropicParser()
    events = feed_all(
        parser,
        [
            message_start(input_tokens=10, output_tokens=1),
            start(0, {"type": "thinking", "thinking": "", "signature": ""}),
            delta(0, type="thinking_delta", thinking="Let me "),
            delta(0, type="thinking_delta", thinking=""),
            delta(0, type="thinking_delta", thinking="think."),
            delta(0, type="signature_delta", signature="SIG=="),
            stop(0),
            event("ping"),
            start(1, {"type": "text", "text": ""}),
            delta(1, type="text_delta", text="Hi"),
            stop(1),
            event("message_delta", delta={"stop_reason": "end_turn"}, usage={"output_tokens": 9}),
        ],
    )
    outcome = parser.outcome()
    assert (outcome.reasoning, outcome.text, outcome.finish_reason) == (
        "Let me think.",
        "Hi",
        "end_turn",
    )
    assert outcome.reasoning_details == [
        {"type": "thinking", "thinking": "Let me think.", "signature": "SIG=="}
    ]
    assert outcome.reasoning_signature == "SIG=="
    assert [e for e in events if isinstance(e, ReasoningDelta)] == [
        ReasoningDelta(text="Let me "),
        ReasoningDelta(text="think."),
    ]
    assert parser.finished and not parser.ended
    feed_all(parser, [event("message_stop")])
    assert parser.ended


def test_redacted_and_signed_thinking_blocks_are_replayed_in_block_order() -> None:
    parser = AnthropicParser()
    feed_all(
        parser,
        [
            start(0, {"type": "redacted_thinking", "data": "OPAQUE-1"}),
            stop(0),
            start(1, {"type": "thinking", "thinking": ""}),
            delta(1, type="thinking_delta", thinking="t"),
            delta(1, type="signature_delta", signature="S"),
            stop(1),
            start(2, {"type": "redacted_thinking", "data": "OPAQUE-2"}),
        ],
    )
    assert parser.outcome().reasoning_details == [
        {"type": "redacted_thinking", "data": "OPAQUE-1"},
        {"type": "thinking", "thinking": "t", "signature": "S"},
        {"type": "redacted_thinking", "data": "OPAQUE-2"},
    ]
    assert parser.outcome().reasoning == "t"


def test_corpus_thinking_block_replays_text_and_signature_verbatim() -> None:
    stem = "anthropic__thinking-signature-text__pydantic-ai"
    parser = corpus_parser(stem + ".sse")
    expected = json.loads((CORPUS / f"{stem}.expected.json").read_text("utf-8"))
    (block,) = parser.outcome().reasoning_details or []
    assert block["thinking"] == expected["reasoning"]
    raw = (CORPUS / f"{stem}.sse").read_text("utf-8")
    assert block["signature"] and block["signature"] in raw


def test_corpus_redacted_thinking_data_is_kept() -> None:
    parser = corpus_parser("anthropic__redacted-thinking__pydantic-ai.sse")
    blocks = parser.outcome().reasoning_details or []
    assert [b["type"] for b in blocks] == ["redacted_thinking", "redacted_thinking"]
    assert all(b["data"].startswith("E") for b in blocks)


def test_server_tool_blocks_are_not_client_calls() -> None:
    parser = AnthropicParser()
    events = feed_all(
        parser,
        [
            start(0, {"type": "server_tool_use", "id": "srv_1", "name": "web_search", "input": {}}),
            delta(0, type="input_json_delta", partial_json='{"q": "x"}'),
            stop(0),
            start(1, {"type": "web_search_tool_result", "content": []}),
            stop(1),
            start(2, {"type": "mcp_tool_use", "id": "m1", "name": "remote", "input": {}}),
            delta(2, type="input_json_delta", partial_json="{}"),
            start(3, {"type": "compaction", "content": None}),
            delta(3, type="compaction_delta", content="summary of earlier turns"),
            start(4, {"type": "tool_use", "id": "toolu_1", "name": "get_time", "input": {}}),
            delta(4, type="input_json_delta", partial_json=""),
            delta(4, type="input_json_delta", partial_json='{"tz":'),
            delta(4, type="input_json_delta", partial_json=' "UTC"}'),
            stop(4),
        ],
    )
    calls = [(c.id, c.name, c.arguments) for c in parser.outcome().tool_calls]
    assert calls == [("toolu_1", "get_time", '{"tz": "UTC"}')]
    assert parser.outcome().text == ""
    assert events[0] == ToolCallStarted(index=0, call_id="toolu_1", name="get_time")


def test_tool_without_streamed_input_gets_an_object() -> None:
    parser = AnthropicParser()
    events = feed_all(
        parser,
        [start(0, {"type": "tool_use", "id": "t", "name": "now", "input": {}}), stop(0)],
    )
    assert parser.outcome().tool_calls[0].arguments == "{}"
    assert events[-1] == ToolCallArgumentsDelta(index=0, fragment="{}")


def test_usage_from_message_start_overridden_by_message_delta() -> None:
    parser = AnthropicParser()
    events = feed_all(
        parser,
        [
            message_start(
                input_tokens=100,
                cache_read_input_tokens=55096,
                cache_creation_input_tokens=7,
                output_tokens=3,
            ),
            event(
                "message_delta",
                delta={"stop_reason": "end_turn"},
                usage={"input_tokens": 181, "cache_read_input_tokens": 0, "output_tokens": 8},
            ),
        ],
    )
    assert [e for e in events if isinstance(e, Usage)] == [
        Usage(input_tokens=55203, cached_input_tokens=55096, output_tokens=3),
        Usage(input_tokens=188, cached_input_tokens=0, output_tokens=8),
    ]


def test_error_event_ends_and_keeps_partial_text() -> None:
    parser = AnthropicParser()
    feed_all(
        parser,
        [
            start(0, {"type": "text", "text": ""}),
            delta(0, type="text_delta", text="Half an ans"),
            (
                "error",
                json.dumps(
                    {
                        "type": "error",
                        "error": {"type": "overloaded_error", "message": "Overloaded"},
                    }
                ),
            ),
        ],
    )
    outcome = parser.outcome()
    assert (outcome.text, outcome.error) == ("Half an ans", "Overloaded")
    assert parser.ended
    assert parser.feed("content_block_delta", delta(0, type="text_delta", text="x")[1]) == []


def test_unparseable_data_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    parser = AnthropicParser()
    with caplog.at_level(logging.DEBUG, logger="llmx_tui.providers.anthropic.parse"):
        assert parser.feed("content_block_delta", "{not json") == []
    assert any("unparseable" in record.getMessage() for record in caplog.records)
    events = feed_all(parser, [start(0, {"type": "text", "text": "ok"})])
    assert events == [TextDelta(text="ok")]
