"""Anthropic (signed thinking, a tool loop) -> OpenAI -> Anthropic, turn by turn through
``--print --resume``: every request is one the provider accepts, thinking goes back only
inside its own tool loop to its own model, and the saved history never changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.core.items import Reasoning, ToolCall, ToolOutput
from tests.conftest import CORPUS
from tests.loopback import openai_text_stream, openai_tool_call_stream
from tests.test_switch_support import (
    SwitchSession,
    anthropic_stream,
    start_session,
    thinking_blocks,
)

SIG_1 = "~sig-claude-a-turn-1"
SIG_3 = "~sig-claude-b-turn-3"
REDACTED = "~redacted-claude-b-turn-3"


@pytest.fixture
def session(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> SwitchSession:
    files = {"notes.txt": "the secret word is pelican\n", "todo.txt": "feed the cat\n"}
    # Thinking on for Anthropic: a tool loop must then replay its signed thinking.
    config = 'reasoning_effort = "medium"\n'
    return start_session(loopback, tmp_path, capsys, monkeypatch, files=files, config=config)


def test_anthropic_openai_anthropic_with_signed_thinking_and_tool_loops(
    session: SwitchSession,
) -> None:
    # Turn 1, Anthropic claude-a: signed thinking, a tool call, then the answer.
    first = session.turn(
        "anthropic",
        "claude-a",
        "what do my notes say?",
        [
            anthropic_stream(
                thinking="I should read the notes.",
                signature=SIG_1,
                calls=(("toolu_01A", "read_file", '{"path": "notes.txt"}'),),
            ),
            anthropic_stream(text="Your notes say pelican."),
        ],
    )
    assert first[0].payload["thinking"]["type"] == "enabled"
    loop = first[1].payload
    assert loop["thinking"]["type"] == "enabled", "the loop replays its thinking: stays on"
    assistant = loop["messages"][-2]
    assert assistant["content"][0] == {
        "type": "thinking",
        "thinking": "I should read the notes.",
        "signature": SIG_1,
    }
    assert [b["type"] for b in assistant["content"]] == ["thinking", "tool_use"]
    assert "pelican" in loop["messages"][-1]["content"][0]["content"]
    [reasoning] = [i for i in session.items if isinstance(i, Reasoning)]
    assert (reasoning.provider, reasoning.model, reasoning.signature) == (
        "anthropic",
        "claude-a",
        SIG_1,
    )

    # Turn 2, OpenAI: no thinking, no signature; Anthropic's call and result stay paired.
    second = session.turn(
        "openai",
        "gpt-4o",
        "and the todo list?",
        [
            openai_tool_call_stream("call_oa1", "read_file", '{"path": "todo.txt"}'),
            openai_text_stream("Feed the cat."),
        ],
    )
    for sent in second:
        wire = json.dumps(sent.payload)
        assert SIG_1 not in wire and "I should read the notes." not in wire
    messages = second[0].payload["messages"]
    calls = [m for m in messages if m.get("tool_calls")]
    assert calls[0]["tool_calls"][0]["id"] == "toolu_01A"
    assert calls[0]["content"] is None
    assert messages[messages.index(calls[0]) + 1]["tool_call_id"] == "toolu_01A"

    # Turn 3, Anthropic claude-b: earlier thinking (claude-a's, from another turn) stays
    # home; this loop's own signed and redacted thinking goes back, first, verbatim.
    third = session.turn(
        "anthropic",
        "claude-b",
        "read both again",
        [
            anthropic_stream(
                thinking="Both files again.",
                signature=SIG_3,
                redacted=REDACTED,
                text="Reading both.",
                calls=(
                    ("toolu_03A", "read_file", '{"path": "notes.txt"}'),
                    ("toolu_03B", "read_file", '{"path": "todo.txt"}'),
                ),
            ),
            anthropic_stream(text="Pelican; feed the cat."),
        ],
    )
    assert thinking_blocks(third[0].payload) == []
    loop = third[1].payload
    assert thinking_blocks(loop) == [
        {"type": "thinking", "thinking": "Both files again.", "signature": SIG_3},
        {"type": "redacted_thinking", "data": REDACTED},
    ]
    assert [b["type"] for b in loop["messages"][-2]["content"]] == [
        "thinking",
        "redacted_thinking",
        "text",
        "tool_use",
        "tool_use",
    ]
    assert [b["tool_use_id"] for b in loop["messages"][-1]["content"]] == ["toolu_03A", "toolu_03B"]
    # OpenAI's turn reaches Anthropic as tool_use / tool_result with its own id.
    uses = [b for m in loop["messages"] for b in m["content"] if b["type"] == "tool_use"]
    assert [u["id"] for u in uses] == ["toolu_01A", "call_oa1", "toolu_03A", "toolu_03B"]

    # Turn 4, back to claude-a: a new turn sends no thinking at all, not even its own.
    fourth = session.turn(
        "anthropic", "claude-a", "thanks", [anthropic_stream(text="You are welcome.")]
    )
    assert thinking_blocks(fourth[0].payload) == []
    wire = json.dumps(fourth[0].payload)
    assert SIG_1 not in wire and SIG_3 not in wire and REDACTED not in wire
    # Every call of the session answered exactly once, in the saved history too.
    calls_saved = [i.call_id for i in session.items if isinstance(i, ToolCall)]
    outputs = [i.call_id for i in session.items if isinstance(i, ToolOutput)]
    assert calls_saved == outputs


def test_openai_then_recorded_anthropic_tool_stream_then_openai(
    session: SwitchSession,
) -> None:
    """The recorded Anthropic tool stream (padded fragments, a tool the app lacks) in the
    middle of an OpenAI session: its failed call is still answered on both sides."""
    session.turn("openai", "gpt-4o", "hello", [openai_text_stream("Hi.")])
    body = (CORPUS / "anthropic__tool-use-fragments-padded__anthropic-sdk.sse").read_bytes()
    recorded = (CORPUS / "anthropic__thinking-signature-text__pydantic-ai.sse").read_bytes()
    middle = session.turn("anthropic", "claude-a", "weather?", [body, recorded])
    results = middle[1].payload["messages"][-1]["content"]
    assert results[0]["tool_use_id"] == "toolu_018acGYLtfR52q9yDbWaEdQZ"
    assert results[0].get("is_error") is True
    # The recorded thinking came after the loop: saved, signed, and never sent to OpenAI.
    signed = [i for i in session.items if isinstance(i, Reasoning) and i.signature]
    assert signed and signed[-1].model == "claude-a"
    last = session.turn("openai", "gpt-4o", "thanks", [openai_text_stream("Bye.")])
    wire = json.dumps(last[0].payload)
    assert signed[-1].signature not in wire
    assert "toolu_018acGYLtfR52q9yDbWaEdQZ" in wire
