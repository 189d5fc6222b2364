"""Chat Completions parser: one test per merge rule."""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.core.events import (
    ReasoningDelta,
    RefusalDelta,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStarted,
    Usage,
)
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> str:
    body: dict[str, Any] = {"object": "chat.completion.chunk", **extra}
    if delta is not None or finish is not None:
        body["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish}]
    return json.dumps(body)


def feed_all(parser: OpenAIChatParser, datas: list[str]) -> list[Any]:
    events: list[Any] = []
    for data in datas:
        events.extend(parser.feed("message", data))
    return events


def texts(events: list[Any], kind: type) -> str:
    return "".join(e.text for e in events if isinstance(e, kind))


# --- inline <think> tags -------------------------------------------------------------------

THINK_CONTENT = "  <think>plan: a < b </thin> ok</think>\n\nAnswer <think>not this</think>."
THINK_TEXT = "  \n\nAnswer <think>not this</think>."
THINK_REASONING = "plan: a < b </thin> ok"


def split_at(content: str, cuts: tuple[int, ...]) -> list[str]:
    bounds = [0, *cuts, len(content)]
    return [content[a:b] for a, b in itertools.pairwise(bounds)]


def run_content(pieces: list[str], done: bool = True) -> tuple[OpenAIChatParser, list[Any]]:
    parser = OpenAIChatParser()
    datas = [chunk({"content": piece}) for piece in pieces]
    if done:
        datas.append("[DONE]")
    return parser, feed_all(parser, datas)


def test_think_tags_split_at_every_pair_of_positions() -> None:
    size = len(THINK_CONTENT)
    for first in range(size + 1):
        for second in range(first, size + 1, 3):
            parser, events = run_content(split_at(THINK_CONTENT, (first, second)))
            outcome = parser.outcome()
            assert (outcome.text, outcome.reasoning) == (THINK_TEXT, THINK_REASONING), (
                first,
                second,
            )
            assert texts(events, TextDelta) == THINK_TEXT
            assert texts(events, ReasoningDelta) == THINK_REASONING


def test_think_tags_one_character_per_chunk() -> None:
    parser, events = run_content(list(THINK_CONTENT))
    assert texts(events, TextDelta) == THINK_TEXT
    assert texts(events, ReasoningDelta) == THINK_REASONING
    assert parser.outcome().reasoning == THINK_REASONING


def test_think_holds_back_only_the_ambiguous_tail() -> None:
    parser = OpenAIChatParser()
    assert feed_all(parser, [chunk({"content": "\n<thi"})]) == [TextDelta(text="\n")]
    assert feed_all(parser, [chunk({"content": "nk>abc</thi"})]) == [ReasoningDelta(text="abc")]
    # Mid-stream outcome counts the held tail where it would go.
    assert parser.outcome().reasoning == "abc</thi"
    events = feed_all(parser, [chunk({"content": "nk>Hi"})])
    assert events == [TextDelta(text="Hi")]
    assert (parser.outcome().text, parser.outcome().reasoning) == ("\nHi", "abc")


def test_text_that_only_looks_like_a_tag_start_is_released() -> None:
    parser, events = run_content(["<th", "ey said"])
    assert texts(events, TextDelta) == "<they said"
    assert parser.outcome().reasoning == ""


def test_think_tag_later_in_the_content_is_text() -> None:
    parser, _ = run_content(["Hello <think>x</think>"])
    assert (parser.outcome().text, parser.outcome().reasoning) == ("Hello <think>x</think>", "")


def test_think_tags_are_text_once_a_reasoning_field_was_seen() -> None:
    parser = OpenAIChatParser()
    feed_all(parser, [chunk({"reasoning_content": "real"}), chunk({"content": "<think>x</think>"})])
    assert (parser.outcome().text, parser.outcome().reasoning) == ("<think>x</think>", "real")


def test_unclosed_think_is_reasoning_and_flushed_on_finish() -> None:
    parser = OpenAIChatParser()
    events = feed_all(parser, [chunk({"content": "<think>cut off </th"}), chunk(finish="length")])
    assert texts(events, ReasoningDelta) == "cut off </th"
    assert parser.outcome().text == ""


def test_a_lone_partial_tag_at_the_end_is_text() -> None:
    parser, events = run_content(["<thin"])
    assert texts(events, TextDelta) == "<thin" == parser.outcome().text


# --- tool calls -----------------------------------------------------------------------------


def tool(index: int, id: str | None = None, name: str | None = None, args: str | None = None):
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if args is not None:
        function["arguments"] = args
    call: dict[str, Any] = {"index": index, "function": function}
    if id is not None:
        call["id"] = id
    return call


def test_tool_call_fragments_merge_by_index() -> None:
    parser = OpenAIChatParser()
    events = feed_all(
        parser,
        [
            chunk({"tool_calls": [tool(0, "call_a", "get_weather", "")]}),
            chunk({"tool_calls": [tool(1, "call_b", "get_time", '{"tz"')]}),
            chunk({"tool_calls": [tool(0, "", None, '{"city": ')]}),  # later empty id
            chunk({"tool_calls": [tool(1, args=': "UTC"}')]}),
            chunk({"tool_calls": [tool(0, args='"Paris"}')]}),
            chunk(finish="tool_calls"),
        ],
    )
    calls = [(c.id, c.name, c.arguments) for c in parser.outcome().tool_calls]
    assert calls == [
        ("call_a", "get_weather", '{"city": "Paris"}'),
        ("call_b", "get_time", '{"tz": "UTC"}'),
    ]
    assert [e for e in events if isinstance(e, ToolCallStarted)] == [
        ToolCallStarted(index=0, call_id="call_a", name="get_weather"),
        ToolCallStarted(index=1, call_id="call_b", name="get_time"),
    ]
    fragments = [e for e in events if isinstance(e, ToolCallArgumentsDelta)]
    assert "".join(f.fragment for f in fragments if f.index == 0) == '{"city": "Paris"}'


def test_repeated_full_name_is_not_concatenated() -> None:
    parser = OpenAIChatParser()
    feed_all(
        parser,
        [
            chunk({"tool_calls": [tool(0, "0", "llm_version", "")]}),
            chunk({"tool_calls": [tool(0, "0", "llm_version", "{}")]}),
        ],
    )
    (call,) = parser.outcome().tool_calls
    assert (call.id, call.name, call.arguments) == ("0", "llm_version", "{}")


def test_whole_call_in_one_delta_and_arguments_before_name() -> None:
    parser = OpenAIChatParser()
    events = feed_all(
        parser,
        [
            chunk({"tool_calls": [tool(0, "c1", "ping", '{"a":1}')]}),
            chunk({"tool_calls": [tool(1, args='{"b"')]}),  # name arrives late
            chunk({"tool_calls": [tool(1, "c2", "pong", ":2}")]}),
        ],
    )
    assert [(c.name, c.arguments) for c in parser.outcome().tool_calls] == [
        ("ping", '{"a":1}'),
        ("pong", '{"b":2}'),
    ]
    # Fragments that came before the name are published right after the start.
    tail = events[-2:]
    assert tail == [
        ToolCallStarted(index=1, call_id="c2", name="pong"),
        ToolCallArgumentsDelta(index=1, fragment='{"b":2}'),
    ]


def test_calls_without_index_are_told_apart_by_id() -> None:
    parser = OpenAIChatParser()
    no_index = [
        {"id": "x", "function": {"name": "a", "arguments": "{}"}},
        {"id": "y", "function": {"name": "b", "arguments": "{}"}},
    ]
    feed_all(parser, [chunk({"tool_calls": no_index})])
    assert [c.name for c in parser.outcome().tool_calls] == ["a", "b"]


# --- reasoning ------------------------------------------------------------------------------


def detail(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "reasoning.text", "text": text, "index": 0, **extra}


def test_reasoning_repeated_in_details_is_counted_once() -> None:
    parser = OpenAIChatParser()
    events = feed_all(
        parser,
        [
            chunk({"reasoning": "Two", "reasoning_details": [detail("Two")]}),
            chunk({"reasoning": " plus", "reasoning_details": [detail(" plus")]}),
        ],
    )
    assert parser.outcome().reasoning == "Two plus" == texts(events, ReasoningDelta)


def test_reasoning_details_alone_are_reasoning_but_encrypted_ones_are_not() -> None:
    parser = OpenAIChatParser()
    encrypted = {"type": "reasoning.encrypted", "data": "opaque==", "index": 1}
    summary = {"type": "reasoning.summary", "summary": "Sum.", "index": 2}
    feed_all(parser, [chunk({"reasoning_details": [detail("a"), encrypted, summary]})])
    assert parser.outcome().reasoning == "aSum."


def test_reasoning_content_wins_over_reasoning_and_objects_are_read() -> None:
    parser = OpenAIChatParser()
    feed_all(
        parser,
        [
            chunk({"reasoning_content": "A", "reasoning": "A"}),
            chunk({"reasoning": {"text": "B"}}),
            chunk({"reasoning": {"content": "C"}}),
        ],
    )
    assert parser.outcome().reasoning == "ABC"


def test_final_message_reasoning_only_when_nothing_was_streamed() -> None:
    parser = OpenAIChatParser()
    final = {"choices": [{"index": 0, "message": {"reasoning": "whole"}, "finish_reason": "stop"}]}
    feed_all(parser, [chunk({"content": "hi"}), json.dumps(final)])
    assert parser.outcome().reasoning == "whole"
    streamed = OpenAIChatParser()
    feed_all(streamed, [chunk({"reasoning": "whole"}), json.dumps(final)])
    assert streamed.outcome().reasoning == "whole"


def test_reasoning_details_kept_for_replay_merged_per_detail() -> None:
    parser = OpenAIChatParser()
    first = detail("", signature="", format="anthropic-claude-v1")
    feed_all(
        parser,
        [
            chunk({"reasoning_details": [first]}),
            chunk({"reasoning": "Think", "reasoning_details": [detail("Think")]}),
            chunk({"reasoning": "ing.", "reasoning_details": [detail("ing.")]}),
            chunk(
                {"reasoning_details": [{"type": "reasoning.text", "signature": "SIG", "index": 0}]}
            ),
            chunk(
                {"reasoning_details": [{"type": "reasoning.encrypted", "data": "D==", "index": 1}]}
            ),
        ],
    )
    assert parser.outcome().reasoning_details == [
        {
            "type": "reasoning.text",
            "text": "Thinking.",
            "signature": "SIG",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
        {"type": "reasoning.encrypted", "data": "D==", "index": 1},
    ]


def test_no_reasoning_details_means_none() -> None:
    parser = OpenAIChatParser()
    feed_all(parser, [chunk({"content": "x"})])
    assert parser.outcome().reasoning_details is None


def test_mistral_content_array() -> None:
    parser = OpenAIChatParser()
    thinking = {"type": "thinking", "thinking": [{"type": "text", "text": "hmm"}]}
    events = feed_all(
        parser,
        [chunk({"content": [thinking]}), chunk({"content": [{"type": "text", "text": "Yes"}]})],
    )
    assert (parser.outcome().reasoning, parser.outcome().text) == ("hmm", "Yes")
    assert texts(events, ReasoningDelta) == "hmm"


# --- refusal, choices, finish ---------------------------------------------------------------


def test_refusal_is_its_own_stream() -> None:
    parser = OpenAIChatParser()
    events = feed_all(parser, [chunk({"refusal": "I can't"}), chunk({"refusal": " help."})])
    assert parser.outcome().refusal == "I can't help." == texts(events, RefusalDelta)
    assert parser.outcome().text == ""


def test_several_choices_keep_choice_zero_as_text() -> None:
    parser = OpenAIChatParser()
    data = {
        "choices": [
            {"index": 1, "delta": {"content": "one"}},
            {"index": 0, "delta": {"content": "zero"}},
            {"index": 2, "delta": {"content": "two"}},
        ]
    }
    events = feed_all(parser, [json.dumps(data)])
    outcome = parser.outcome()
    assert outcome.text == "zero" == texts(events, TextDelta)
    assert outcome.choices_text == {0: "zero", 1: "one", 2: "two"}


def test_finish_reason_is_last_non_null_and_finished_waits_for_usage() -> None:
    parser = OpenAIChatParser(usage_requested=True)
    feed_all(parser, [chunk({"content": "x"}, finish="length"), chunk({}, finish=None)])
    assert parser.outcome().finish_reason == "length"
    assert not parser.finished and not parser.ended
    feed_all(parser, [json.dumps({"choices": [], "usage": {"prompt_tokens": 3}})])
    assert parser.finished and not parser.ended
    plain = OpenAIChatParser()
    feed_all(plain, [chunk(finish="stop")])
    assert plain.finished


def test_done_ends_and_later_events_are_ignored() -> None:
    parser = OpenAIChatParser()
    feed_all(parser, [chunk({"content": "a"}), "[DONE]"])
    assert parser.ended and parser.finished
    assert parser.feed("message", chunk({"content": "b"})) == []
    assert parser.outcome().text == "a"


# --- usage ----------------------------------------------------------------------------------


def test_usage_merged_per_field_and_published_once_choice_0_finishes() -> None:
    """Hosts that resend usage on every chunk (vLLM's continuous usage, Hyperbolic) get one
    usage event when the answer finishes, then one per change, not one per chunk."""
    parser = OpenAIChatParser()
    streaming = feed_all(
        parser,
        [
            chunk({"content": "a"}, usage={"prompt_tokens": 5, "completion_tokens": 1}),
            chunk({"content": "b"}, usage={"prompt_tokens": 5, "completion_tokens": 2}),
        ],
    )
    assert not [e for e in streaming if isinstance(e, Usage)]
    assert parser.outcome().usage == Usage(input_tokens=5, output_tokens=2)  # held, not lost
    finished = feed_all(
        parser,
        [
            chunk({}, finish="stop", usage={"prompt_tokens": 5, "completion_tokens": 3}),
            chunk({}, usage={"prompt_tokens": 5, "completion_tokens": 3}),  # unchanged
            chunk({}, usage=None),
            chunk({}, usage={"completion_tokens": 4, "prompt_tokens": None}),
        ],
    )
    usages = [e for e in finished if isinstance(e, Usage)]
    assert usages == [
        Usage(input_tokens=5, output_tokens=3),
        Usage(input_tokens=5, output_tokens=4),
    ]
    assert parser.outcome().usage == Usage(input_tokens=5, output_tokens=4)


def test_usage_without_a_finish_reason_is_published_at_done_or_an_error() -> None:
    for last in ("[DONE]", json.dumps({"error": {"message": "cut"}, "choices": []})):
        parser = OpenAIChatParser()
        events = feed_all(parser, [chunk({"content": "a"}, usage={"prompt_tokens": 2}), last])
        assert [e for e in events if isinstance(e, Usage)] == [Usage(input_tokens=2)]


def test_groq_usage_is_only_a_fallback() -> None:
    groq_only = OpenAIChatParser()
    feed_all(groq_only, [chunk({}, x_groq={"usage": {"prompt_tokens": 7, "completion_tokens": 2}})])
    assert groq_only.outcome().usage == Usage(input_tokens=7, output_tokens=2)
    both = OpenAIChatParser()
    feed_all(
        both,
        [
            chunk({}, usage={"prompt_tokens": 9, "completion_tokens": 3}),
            chunk({}, x_groq={"usage": {"prompt_tokens": 7, "completion_tokens": 2}}),
        ],
    )
    assert both.outcome().usage == Usage(input_tokens=9, output_tokens=3)


# --- errors and junk ------------------------------------------------------------------------


def test_in_band_error_chunk_keeps_partial_text_and_ends() -> None:
    parser = OpenAIChatParser()
    error = {"error": {"code": 400, "message": "Token limit reached"}, "choices": []}
    feed_all(parser, [chunk({"content": "partial"}), json.dumps(error)])
    outcome = parser.outcome()
    assert (outcome.text, outcome.error) == ("partial", "Token limit reached")
    assert parser.ended
    assert parser.feed("message", chunk({"content": "more"})) == []


def test_error_event_ends_with_the_message_and_flushes_held_text() -> None:
    parser = OpenAIChatParser()
    events = feed_all(parser, [chunk({"content": "<thi"})])
    events += parser.feed("error", json.dumps({"error": {"message": "overloaded"}}))
    assert parser.ended and parser.outcome().error == "overloaded"
    assert texts(events, TextDelta) == "<thi"


def test_error_event_with_plain_text_data() -> None:
    parser = OpenAIChatParser()
    parser.feed("error", "upstream went away")
    assert parser.outcome().error == "upstream went away"


def test_unparseable_data_is_skipped_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    parser = OpenAIChatParser()
    with caplog.at_level(logging.DEBUG, logger="llmx_tui.providers.openai_chat.parse"):
        assert parser.feed("message", '{"choices": [') == []
        assert parser.feed("message", "[1, 2]") == []
    assert any("unparseable" in record.getMessage() for record in caplog.records)
    feed_all(parser, [chunk({"content": "still fine"})])
    assert parser.outcome().text == "still fine"


# --- property: streaming split == whole-string rule -----------------------------------------


def reference_split(content: str) -> tuple[str, str]:
    """The MANIFEST rule applied to the whole content at once."""
    stripped = content.lstrip()
    if not stripped.startswith("<think>"):
        return content, ""
    lead = content[: len(content) - len(stripped)]
    inner = stripped[len("<think>") :]
    reasoning, closed, after = inner.partition("</think>")
    return (lead + after if closed else lead), reasoning


TAGGY = st.text(alphabet=" \n<>/thinkab", max_size=30)


@settings(max_examples=300, deadline=None)
@given(
    lead=st.sampled_from(["", " ", "\n\n", " \t"]),
    opening=st.sampled_from(["<think>", "<thin", "<think", "<thinker>", ""]),
    inner=TAGGY,
    closing=st.sampled_from(["</think>", "</thin", "", "</think></think>"]),
    tail=TAGGY,
    cuts=st.lists(st.integers(min_value=0, max_value=120), max_size=8),
)
def test_streamed_think_split_matches_whole_string_rule(
    lead: str, opening: str, inner: str, closing: str, tail: str, cuts: list[int]
) -> None:
    content = lead + opening + inner + closing + tail
    bounds = sorted({min(c, len(content)) for c in cuts})
    pieces = [p for p in split_at(content, tuple(bounds)) if p]
    parser, events = run_content(pieces)
    expected = reference_split(content)
    assert (parser.outcome().text, parser.outcome().reasoning) == expected
    assert (texts(events, TextDelta), texts(events, ReasoningDelta)) == expected
