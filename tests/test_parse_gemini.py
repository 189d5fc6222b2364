"""Gemini parser: parts, signatures on the exact part, function calls, Vertex partial args."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from llmx_tui.core.events import ReasoningDelta, TextDelta, ToolCallArgumentsDelta, ToolCallStarted
from llmx_tui.providers.gemini.parse import GeminiParser


def response(
    parts: list[dict[str, Any]] | None = None,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
) -> str:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts or []}}
    if finish:
        candidate["finishReason"] = finish
    body: dict[str, Any] = {"candidates": [candidate]}
    if usage is not None:
        body["usageMetadata"] = usage
    return json.dumps(body)


def feed_all(parser: GeminiParser, datas: list[str]) -> list[Any]:
    out: list[Any] = []
    for data in datas:
        out.extend(parser.feed("message", data))
    return out


def call(**fields: Any) -> dict[str, Any]:
    return {"functionCall": fields}


def test_text_thoughts_and_signatures_on_their_parts() -> None:
    parser = GeminiParser()
    events = feed_all(
        parser,
        [
            response([{"text": "**Plan**", "thought": True, "thoughtSignature": "T-SIG"}]),
            response([{"text": "Hello"}, {"text": " there", "thoughtSignature": "X-SIG"}]),
            response([{"text": "", "thoughtSignature": "LAST"}], finish="STOP"),
        ],
    )
    outcome = parser.outcome()
    assert (outcome.reasoning, outcome.text) == ("**Plan**", "Hello there")
    assert (outcome.reasoning_signature, outcome.text_signature) == ("T-SIG", "LAST")
    assert [e for e in events if isinstance(e, (TextDelta, ReasoningDelta))] == [
        ReasoningDelta(text="**Plan**"),
        TextDelta(text="Hello"),
        TextDelta(text=" there"),
    ]


def test_function_calls_with_args_id_and_signature() -> None:
    parser = GeminiParser()
    events = feed_all(
        parser,
        [
            response(
                [
                    {
                        **call(name="get_capital", args={"country": "Ελλάδα", "n": 1}, id="c1"),
                        "thoughtSignature": "FC-SIG",
                    },
                    call(name="now"),
                ],
                finish="STOP",
            )
        ],
    )
    first, second = parser.outcome().tool_calls
    assert (first.id, first.name, first.arguments, first.thought_signature) == (
        "c1",
        "get_capital",
        '{"country":"Ελλάδα","n":1}',
        "FC-SIG",
    )
    assert (second.id, second.name, second.arguments, second.thought_signature) == (
        None,
        "now",
        "{}",
        None,
    )
    assert events == [
        ToolCallStarted(index=0, call_id="c1", name="get_capital"),
        ToolCallArgumentsDelta(index=0, fragment='{"country":"Ελλάδα","n":1}'),
        ToolCallStarted(index=1, call_id=None, name="now"),
        ToolCallArgumentsDelta(index=1, fragment="{}"),
    ]


def partial(path: str, **value: Any) -> dict[str, Any]:
    return {"jsonPath": path, **value}


def test_vertex_partial_args_assembled_into_one_object() -> None:
    parser = GeminiParser()
    feed_all(
        parser,
        [
            response([{**call(name="book", willContinue=True), "thoughtSignature": "S1"}]),
            response(
                [
                    call(
                        partialArgs=[
                            partial("$.city", stringValue="San ", willContinue=True),
                            partial("$.nights", numberValue=3),
                        ],
                        willContinue=True,
                    )
                ]
            ),
            response(
                [
                    call(
                        partialArgs=[
                            partial("$.city", stringValue="Francisco"),
                            partial("$.guests[1].name", stringValue="Bo"),
                            partial("$.guests[0]['full name']", stringValue="Al"),
                            partial("$.pets", boolValue=False),
                            partial("$.note", nullValue=None),
                        ],
                        willContinue=True,
                    )
                ]
            ),
        ],
    )
    # Mid-stream, the outcome already shows what has been assembled.
    assert json.loads(parser.outcome().tool_calls[0].arguments)["city"] == "San Francisco"
    events = feed_all(parser, [response([call()])])
    (booked,) = parser.outcome().tool_calls
    assert json.loads(booked.arguments) == {
        "city": "San Francisco",
        "nights": 3,
        "guests": [{"full name": "Al"}, {"name": "Bo"}],
        "pets": False,
        "note": None,
    }
    assert booked.thought_signature == "S1"
    assert events == [ToolCallArgumentsDelta(index=0, fragment=booked.arguments)]


def test_a_string_without_will_continue_is_replaced_not_extended() -> None:
    parser = GeminiParser()
    feed_all(
        parser,
        [
            response([call(name="f", willContinue=True)]),
            response([call(partialArgs=[partial("$.a", stringValue="x")], willContinue=True)]),
            response([call(partialArgs=[partial("$.a", stringValue="y")])]),
        ],
    )
    assert parser.outcome().tool_calls[0].arguments == '{"a":"y"}'


def test_open_partial_call_closed_by_next_call_or_finish() -> None:
    parser = GeminiParser()
    feed_all(
        parser,
        [
            response([call(name="a", willContinue=True)]),
            response([call(partialArgs=[partial("$.x", numberValue=1)], willContinue=True)]),
            response([call(name="b", willContinue=True)]),
            response([call(partialArgs=[partial("$.y", numberValue=2)], willContinue=True)]),
            response([{"text": ""}], finish="STOP"),
        ],
    )
    assert [(c.name, c.arguments) for c in parser.outcome().tool_calls] == [
        ("a", '{"x":1}'),
        ("b", '{"y":2}'),
    ]


def test_usage_merges_per_field_and_finished_needs_counts() -> None:
    parser = GeminiParser()
    feed_all(parser, [response([{"text": "a"}], usage={"trafficType": "ON_DEMAND"})])
    feed_all(parser, [response([{"text": "b"}], finish="STOP", usage={"trafficType": "X"})])
    assert not parser.finished  # a finish reason, but no token counts yet
    counts = {"promptTokenCount": 15, "candidatesTokenCount": 2, "thoughtsTokenCount": 4}
    feed_all(parser, [response([], usage=counts)])
    feed_all(parser, [response([], usage={"promptTokenCount": 13, "candidatesTokenCount": 8})])
    assert parser.finished and not parser.ended
    usage = parser.outcome().usage
    assert (usage.input_tokens, usage.output_tokens, usage.reasoning_tokens) == (13, 12, 4)


def test_in_band_error_keeps_partial_text_and_ends() -> None:
    parser = GeminiParser()
    feed_all(parser, [response([{"text": "Par"}])])
    error = {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
    feed_all(parser, [json.dumps(error)])
    outcome = parser.outcome()
    assert (outcome.text, outcome.error) == ("Par", "The model is overloaded.")
    assert parser.ended and parser.finished
    assert parser.feed("message", response([{"text": "more"}])) == []


def test_blocked_prompt_reports_the_block_reason() -> None:
    parser = GeminiParser()
    parser.feed("message", json.dumps({"promptFeedback": {"blockReason": "SAFETY"}}))
    assert parser.outcome().finish_reason == "SAFETY"


def test_json_array_body_is_read_too() -> None:
    parser = GeminiParser()
    parser.feed(
        "message",
        json.dumps(
            [
                json.loads(response([{"text": "a"}])),
                json.loads(response([{"text": "b"}], finish="STOP")),
            ]
        ),
    )
    assert (parser.outcome().text, parser.outcome().finish_reason) == ("ab", "STOP")


def test_unparseable_data_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    parser = GeminiParser()
    with caplog.at_level(logging.DEBUG, logger="llmx_tui.providers.gemini.parse"):
        assert parser.feed("message", "{oops") == []
    assert any("unparseable" in record.getMessage() for record in caplog.records)
    assert feed_all(parser, [response([{"text": "fine"}])]) == [TextDelta(text="fine")]


def test_error_event_with_plain_text_ends() -> None:
    parser = GeminiParser()
    feed_all(parser, [response([{"text": "so far"}])])
    assert parser.feed("error", "backend unavailable") == []
    assert parser.ended and parser.outcome().error == "backend unavailable"
    assert parser.outcome().text == "so far"
