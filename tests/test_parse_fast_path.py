"""The OpenAI parser's plain-chunk fast path and the shared JSON decoding.

The fast path must publish exactly what the full chunk walk publishes: every
OpenAI-style corpus stream and generated chunks near the edge of "plain" are fed
to the parser twice, once with the fast path switched off, and compared event
by event. ``decode_json`` must agree with ``json.loads`` on any text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.providers.openai_chat import parse as openai_parse
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.stream_state import decode_json
from tests.conftest import CORPUS

OPENAI_STREAMS = sorted(CORPUS.glob("openai-chat__*.sse"))


def sse_events(body: bytes) -> list[tuple[str, str]]:
    """(event, data) of every event of a corpus file (one ``data:`` line each)."""
    events, kind = [], "message"
    for line in body.decode("utf-8").splitlines():
        if line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data = line[5:]
            events.append((kind, data[1:] if data.startswith(" ") else data))
            kind = "message"
    return events


def feed_all(events: list[tuple[str, str]]) -> tuple[list[Any], Any, OpenAIChatParser]:
    parser = OpenAIChatParser(usage_requested=True)
    published: list[Any] = []
    for kind, data in events:
        published.extend(parser.feed(kind, data))
    return published, parser.outcome(), parser


def both_ways(
    events: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[list[Any], Any, bool], tuple[list[Any], Any, bool]]:
    fast_events, fast_outcome, fast = feed_all(events)
    with monkeypatch.context() as patch:
        patch.setattr(openai_parse, "_plain_content", lambda chunk: None)
        full_events, full_outcome, full = feed_all(events)
    return (
        (fast_events, fast_outcome, fast.finished),
        (full_events, full_outcome, full.finished),
    )


def test_the_corpus_has_openai_streams() -> None:
    assert len(OPENAI_STREAMS) >= 30


@pytest.mark.parametrize("path", OPENAI_STREAMS, ids=[p.stem for p in OPENAI_STREAMS])
def test_fast_path_publishes_what_the_full_walk_publishes(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, full = both_ways(sse_events(path.read_bytes()), monkeypatch)
    assert fast == full


def test_plain_chunks_take_the_fast_path_and_others_do_not() -> None:
    def chunk(delta: Any, **choice: Any) -> dict[str, Any]:
        return {"id": "c", "choices": [{"index": 0, "delta": delta, **choice}]}

    plain = openai_parse._plain_content
    assert plain(chunk({"content": "hi"}, logprobs=None, finish_reason=None)) == "hi"
    assert plain(chunk({"role": "assistant", "content": ""})) == ""
    assert plain(chunk({"role": "assistant"})) == ""
    assert plain(chunk({"content": None})) == ""
    assert plain(chunk({"content": "hi"}, finish_reason="stop")) is None
    assert plain(chunk({"content": "hi", "reasoning_content": ""})) is None
    assert plain(chunk({"content": [{"type": "text", "text": "hi"}]})) is None
    assert plain(chunk({"content": "hi"}, index=1)) is None
    assert plain(chunk({"content": "hi"}, message={"content": "hi"})) is None
    assert plain({**chunk({"content": "hi"}), "usage": {"prompt_tokens": 1}}) is None
    assert plain({**chunk({"content": "hi"}), "usage": None}) == "hi"
    assert plain({**chunk({"content": "hi"}), "x_groq": {"id": "g"}}) is None
    assert plain({**chunk({"content": "hi"}), "error": None}) is None
    assert plain({"choices": []}) is None
    assert plain(["not", "a", "chunk"]) is None


# --- generated chunks around the edge of "plain" ----------------------------------------------

_text = st.sampled_from(["", "a", " ", "<", "<think>", "</think>", "x</thi", "nk> y", "\n"])
_delta_value = st.one_of(
    st.none(),
    _text,
    st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": _text}), max_size=2),
    st.integers(0, 2),
)
_delta = st.dictionaries(
    st.sampled_from(["content", "role", "reasoning_content", "refusal", "reasoning"]),
    _delta_value,
    max_size=3,
)
_choice = st.fixed_dictionaries(
    {"delta": st.one_of(_delta, st.none())},
    optional={
        "index": st.sampled_from([0, 1, None]),
        "finish_reason": st.sampled_from([None, "", "stop", "length"]),
        "logprobs": st.none(),
    },
)
_chunk = st.fixed_dictionaries(
    {"choices": st.lists(_choice, max_size=2)},
    optional={
        "usage": st.one_of(st.none(), st.fixed_dictionaries({"prompt_tokens": st.integers(0, 9)})),
        "x_groq": st.fixed_dictionaries({"id": st.just("g")}),
        "error": st.one_of(st.none(), st.just({"message": "boom"})),
        "id": st.just("chatcmpl-1"),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_chunk, min_size=1, max_size=6))
def test_generated_chunks_give_the_same_events_either_way(chunks: list[dict[str, Any]]) -> None:
    events = [("message", json.dumps(chunk)) for chunk in chunks] + [("message", "[DONE]")]
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, full = both_ways(events, monkeypatch)
    assert fast == full


# --- decode_json ---------------------------------------------------------------------------------


def loads_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1}',
        ' {"a": 1}',
        '{"a": 1} ',
        '{"a": 1}\n',
        '{"a": 1} x',
        '{"a": 1}{"b": 2}',
        "\ufeff{}",
        "",
        " ",
        "[DONE]",
        "NaN",
        "1 2",
        '"text"',
        "null",
        '{"a": [1, 2.5, true, null, "\\u00e9"]}',
    ],
)
def test_decode_json_agrees_with_json_loads(text: str) -> None:
    assert repr(decode_json(text)) == repr(loads_or_none(text))  # repr: NaN != NaN


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=3), inner, max_size=3)
            ),
            max_leaves=8,
        ).map(json.dumps),
    ),
    st.sampled_from(["", " ", "\n", "x", "}"]),
)
def test_decode_json_agrees_with_json_loads_on_any_text(text: str, suffix: str) -> None:
    assert repr(decode_json(text + suffix)) == repr(loads_or_none(text + suffix))
