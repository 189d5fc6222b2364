"""PAYLOAD-RULES section 2, ``anthropic``: exact Messages API payloads."""

from __future__ import annotations

from typing import Any

import pytest

from llmx_tui.core.items import Cancelled
from llmx_tui.providers.anthropic.payload import build_payload
from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.history import CANCELLED_OUTPUT
from tests.payload_validators import (
    call,
    check_payload,
    output,
    said,
    settings_for,
    thought,
    user,
)

MODEL = "claude-sonnet-4-5"
OWN = {"provider": "anthropic", "model": MODEL}
SETTINGS = settings_for("anthropic", model=MODEL)
THINKING_A = {"type": "thinking", "thinking": "check a", "signature": "sigA=="}
REDACTED = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"}
THINKING_B = {"type": "thinking", "thinking": "now b", "signature": "sigB=="}


def build(history: list[Any], settings: RequestSettings = SETTINGS) -> dict[str, Any]:
    payload, _ = build_payload(history, settings)
    check_payload(payload, settings)
    return payload


def rules(history: list[Any], settings: RequestSettings = SETTINGS) -> set[tuple[Any, ...]]:
    return {(e.item_id, e.rule, e.action) for e in build_payload(history, settings)[1]}


def test_top_level_shape() -> None:
    tool = ToolSpec("read_file", "Read.", {"type": "object"})
    settings = settings_for(
        "anthropic", model=MODEL, system_prompt="Be brief.", tools=(tool,), temperature=0.3
    )
    assert build([user("u1", "hi")], settings) == {
        "model": MODEL,
        "max_tokens": 8192,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        "stream": True,
        "system": "Be brief.",
        "temperature": 0.3,
        "tools": [
            {"name": "read_file", "description": "Read.", "input_schema": {"type": "object"}}
        ],
    }
    assert "tools" not in build([user("u1", "hi")])


@pytest.mark.parametrize(
    ("max_tokens", "effort", "budget"),
    [
        (None, "high", 6144),
        (None, "minimal", 1024),
        (2000, "high", 1500),
        (1025, "low", 1024),
        (32000, "medium", 16000),
    ],
)
def test_thinking_budget_fits_max_tokens(max_tokens: int | None, effort: str, budget: int) -> None:
    settings = settings_for(
        "anthropic", model=MODEL, max_tokens=max_tokens, reasoning_effort=effort, temperature=0.5
    )
    payload, report = build_payload([user("u1", "hi")], settings)
    assert payload["thinking"] == {"type": "enabled", "budget_tokens": budget}
    assert 1024 <= budget < payload["max_tokens"]
    assert "temperature" not in payload
    assert [(e.rule, e.action) for e in report] == [("unsupported-parameter", "dropped")]


def test_thinking_is_off_when_max_tokens_leaves_no_room() -> None:
    settings = settings_for("anthropic", model=MODEL, max_tokens=1024, reasoning_effort="high")
    payload, report = build_payload([user("u1", "hi")], settings)
    assert "thinking" not in payload and payload["max_tokens"] == 1024
    assert [(e.rule, e.action) for e in report] == [("thinking-budget", "changed")]


def tool_loop() -> list[Any]:
    return [
        user("u1", "hi"),
        thought(
            "r0",
            "old turn",
            **OWN,
            details=[{"type": "thinking", "thinking": "old", "signature": "sig0"}],
        ),
        said("a0", "Hello.", **OWN),
        user("u2", "read a then b"),
        thought("r1", "check a", **OWN, details=[THINKING_A, REDACTED]),
        said("a1", "Reading a.", **OWN),
        call("c1", "toolu_1", "read_file", '{"path": "a"}', **OWN),
        output("o1", "toolu_1", "A"),
        thought("r2", "now b", **OWN, signature="sigB=="),
        call("c2", "toolu_2", "read_file", '{"path": "b"}', **OWN),
        output("o2", "toolu_2", "", is_error=True),
    ]


def test_thinking_blocks_first_in_the_current_loop_and_dropped_before() -> None:
    settings = settings_for("anthropic", model=MODEL, reasoning_effort="medium")
    payload = build(tool_loop(), settings)
    assert payload["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Hello."}]},
        {"role": "user", "content": [{"type": "text", "text": "read a then b"}]},
        {
            "role": "assistant",
            "content": [
                THINKING_A,
                REDACTED,
                {"type": "text", "text": "Reading a."},
                {"type": "tool_use", "id": "toolu_1", "name": "read_file", "input": {"path": "a"}},
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "A"}],
        },
        {
            "role": "assistant",
            "content": [
                THINKING_B,
                {"type": "tool_use", "id": "toolu_2", "name": "read_file", "input": {"path": "b"}},
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "toolu_2", "is_error": True}],
        },
    ]
    assert ("r0", "earlier-turn-reasoning", "dropped_reasoning") in rules(tool_loop(), settings)


def test_a_new_user_turn_drops_every_thinking_block() -> None:
    payload = build([*tool_loop(), said("a9", "Done.", **OWN), user("u9", "thanks")])
    blocks = [b["type"] for m in payload["messages"] for b in m["content"]]
    assert "thinking" not in blocks and "redacted_thinking" not in blocks


def test_model_switch_drops_foreign_thinking() -> None:
    history = tool_loop()
    payload = build(history, settings_for("anthropic", model="claude-opus-4"))
    blocks = [b["type"] for m in payload["messages"] for b in m["content"]]
    assert "thinking" not in blocks and "redacted_thinking" not in blocks
    assert ("r1", "foreign-reasoning", "dropped_reasoning") in rules(
        history, settings_for("anthropic", model="claude-opus-4")
    )


def test_a_message_keeps_all_its_thinking_blocks_or_none() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "signed", **OWN, signature="s1"),
        said("a1", "Trying.", **OWN),
        call("c1", "t1", "f", "{nope", **OWN),
        output("o1", "t1", "bad"),
        thought("r2", "unsigned, cut stream", **OWN),
        call("c2", "t2", "f", "{}", **OWN),
        output("o2", "t2", "ok"),
    ]
    payload = build(history)
    assert [b["type"] for b in payload["messages"][1]["content"]] == ["text", "tool_use"]
    found = rules(history)
    assert ("r1", "unreplayable-reasoning", "dropped_reasoning") in found
    assert ("r2", "unreplayable-reasoning", "dropped_reasoning") in found


def test_user_text_after_tool_results_joins_them_results_first() -> None:
    history = [
        user("u1", "list"),
        call("c1", "t1", "ls", "", **OWN),
        Cancelled(id="x1"),
        user("u2", "stop, just say hi"),
    ]
    assert build(history)["messages"][1:] == [
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "ls", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": CANCELLED_OUTPUT,
                    "is_error": True,
                },
                {"type": "text", "text": "stop, just say hi"},
            ],
        },
    ]


def test_foreign_ids_are_made_valid_and_unique_consistently() -> None:
    history = [
        user("u1", "go"),
        call("c1", "functions.read:0", "read", "{}"),
        output("o1", "functions.read:0"),
        call("c2", "functions.read:0", "read", "{}"),
        output("o2", "functions.read:0"),
    ]
    messages = build(history)["messages"]
    ids = [b["id"] for m in messages for b in m["content"] if b["type"] == "tool_use"]
    results = [
        b["tool_use_id"] for m in messages for b in m["content"] if b["type"] == "tool_result"
    ]
    assert ids == results == ["functions_read_0", "functions_read_0_2"]


def test_history_starting_with_an_assistant_gets_a_user_first() -> None:
    history = [said("a1", "Welcome back."), user("u1", "hi")]
    payload, report = build_payload(history, SETTINGS)
    check_payload(payload, SETTINGS)
    assert payload["messages"][0]["role"] == "user"
    assert [(e.item_id, e.rule) for e in report] == [("a1", "leading-assistant")]


def test_images_become_image_blocks() -> None:
    history = [
        user(
            "u1",
            "what is this?",
            images=["data:image/png;base64,AAAA", "https://example.com/cat.jpg"],
        )
    ]
    assert build(history)["messages"][0]["content"] == [
        {"type": "text", "text": "what is this?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
    ]


def test_thinking_goes_off_when_the_loop_cannot_replay_its_thinking() -> None:
    # Model switch inside a tool loop: the last assistant message has no block
    # to open with, which thinking mode rejects; this request thinks no more.
    settings = settings_for("anthropic", model="claude-opus-4", reasoning_effort="high")
    payload, report = build_payload(tool_loop(), settings)
    check_payload(payload, settings)
    assert "thinking" not in payload
    assert ("thinking-budget", "changed") in {(e.rule, e.action) for e in report}
    same_model = settings_for("anthropic", model=MODEL, reasoning_effort="high")
    assert "thinking" in build(tool_loop(), same_model)
