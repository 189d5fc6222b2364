"""PAYLOAD-RULES section 2 for the OpenAI-style presets, with exact payloads."""

from __future__ import annotations

import re
from typing import Any

import pytest

from llmx_tui.core.items import Cancelled
from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.openai_chat.payload import build_payload
from llmx_tui.providers.registry import PRESETS
from tests.payload_validators import (
    call,
    check_no_unknown_openai_keys,
    check_payload,
    output,
    said,
    settings_for,
    thought,
    user,
)

OPENAI_STYLE = sorted(name for name, p in PRESETS.items() if p.dialect == "openai-chat")
READ = ToolSpec("read_file", "Read a file.", {"type": "object", "properties": {}})


def build(history: list[Any], settings: RequestSettings) -> dict[str, Any]:
    payload, _ = build_payload(history, settings)
    check_payload(payload, settings)
    return payload


def rich_history(provider: str, model: str) -> list[Any]:
    """Every item kind, reasoning from this and another model, an orphan, a cancel."""
    mine = {"provider": provider, "model": model}
    return [
        user("u1", "hello"),
        thought("r1", "greeting", **mine),
        said("a1", "Hi!", **mine),
        user("u2", "read a and b"),
        thought("r2", "two files", **mine, details=[{"type": "reasoning.text", "text": "two"}]),
        call("c1", "call_a", "read_file", '{"path": "a"}', **mine),
        call("c2", "call_b", "read_file", "", **mine),
        call("c3", "call_c", "read_file", '{"path": ', **mine),
        output("o1", "call_a", "A"),
        Cancelled(id="x1"),
        user("u3", "go on"),
        thought("r3", "foreign", provider="other", model="x"),
        call("c4", "call_d", "read_file", '{"path": "d"}', **mine),
        output("o4", "call_d", "D"),
        thought("r4", "last step", **mine),
        call("c5", "call_e", "read_file", '{"path": "e"}', **mine),
        output("o5", "call_e", "E"),
    ]


@pytest.mark.parametrize("provider", OPENAI_STYLE)
def test_every_preset_validates_against_the_schema(provider: str) -> None:
    settings = settings_for(
        provider,
        system_prompt="sys",
        tools=(READ,),
        max_tokens=100,
        reasoning_effort="high",
        temperature=0.5,
    )
    payload = build(rich_history(provider, "m1"), settings)
    assert payload["messages"][0] == {"role": "system", "content": "sys"}
    assert payload["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "read_file",
                "description": "Read a file.",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]


def test_openai_top_level_for_a_reasoning_model() -> None:
    settings = settings_for(
        "openai", model="o3-mini", max_tokens=500, reasoning_effort="low", temperature=0.2
    )
    payload, report = build_payload([user("u1", "hi")], settings)
    assert payload == {
        "model": "o3-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "max_completion_tokens": 500,
        "reasoning_effort": "low",
    }
    assert [(e.rule, e.action) for e in report] == [("unsupported-parameter", "dropped")]
    check_no_unknown_openai_keys(payload)


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4.1-mini", "gpt-5-chat-latest"])
def test_openai_non_reasoning_models_get_no_effort(model: str) -> None:
    settings = settings_for("openai", model=model, reasoning_effort="high", temperature=0.2)
    payload, report = build_payload([user("u1", "hi")], settings)
    assert "reasoning_effort" not in payload and payload["temperature"] == 0.2
    assert [e.rule for e in report] == ["unsupported-parameter"]


@pytest.mark.parametrize("model", ["o1", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5.1"])
def test_openai_reasoning_models_get_effort(model: str) -> None:
    payload, _ = build_payload(
        [user("u1", "hi")], settings_for("openai", model=model, reasoning_effort="medium")
    )
    assert payload["reasoning_effort"] == "medium"


def test_openai_tool_call_only_message_and_strict_keys() -> None:
    history = rich_history("openai", "gpt-4o")
    payload = build(history, settings_for("openai", model="gpt-4o"))
    assistant = [m for m in payload["messages"] if m["role"] == "assistant"]
    assert assistant[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "read_file", "arguments": '{"path": "a"}'},
            },
            {
                "id": "call_b",
                "type": "function",
                "function": {"name": "read_file", "arguments": "{}"},
            },
        ],
    }
    check_no_unknown_openai_keys(payload)


@pytest.mark.parametrize(
    ("provider", "key", "options"),
    [
        ("openai", "max_completion_tokens", True),
        ("deepseek", "max_tokens", True),
        ("mistral", "max_tokens", False),
        ("openai-compatible", "max_tokens", False),
        ("groq", "max_tokens", True),
    ],
)
def test_max_tokens_key_and_stream_options(provider: str, key: str, options: bool) -> None:
    payload, _ = build_payload([user("u1", "hi")], settings_for(provider, max_tokens=64))
    assert payload[key] == 64
    assert ("stream_options" in payload) is options
    off, _ = build_payload([user("u1", "hi")], settings_for(provider, include_usage=False))
    assert "stream_options" not in off and "max_tokens" not in off


def test_no_tools_means_no_tools_key_and_extra_body_wins() -> None:
    settings = settings_for("groq", extra_body={"stream": True, "top_p": 0.9, "model": "x"})
    payload, _ = build_payload([user("u1", "hi")], settings)
    assert "tools" not in payload
    assert payload["top_p"] == 0.9 and payload["model"] == "x"


def test_unknown_provider_gets_the_strict_form() -> None:
    settings = RequestSettings(
        provider="my-server", model="m", reasoning_effort="high", max_tokens=10
    )
    history = rich_history("my-server", "m")
    payload, _ = build_payload(history, settings)
    check_payload(payload, settings)
    assert set(payload) == {"model", "messages", "stream", "max_tokens"}


# DeepSeek -----------------------------------------------------------------------------


def test_deepseek_reasoning_content_on_every_assistant_message() -> None:
    settings = settings_for("deepseek", model="deepseek-reasoner", system_prompt="sys")
    payload = build(rich_history("deepseek", "deepseek-reasoner"), settings)
    assistant = [m for m in payload["messages"] if m["role"] == "assistant"]
    assert [m["reasoning_content"] for m in assistant] == ["greeting", "two files", "", "last step"]
    assert payload["messages"][0]["role"] == "system"


def test_deepseek_message_without_reasoning_gets_empty_field() -> None:
    history = [user("u1", "hi"), said("a1", "hello"), user("u2", "bye")]
    payload = build(history, settings_for("deepseek"))
    assert payload["messages"][1] == {
        "role": "assistant",
        "content": "hello",
        "reasoning_content": "",
    }


# Anchored presets ------------------------------------------------------------------------


def test_openrouter_replays_reasoning_details_verbatim_in_the_current_loop() -> None:
    details = [{"type": "reasoning.encrypted", "data": "gAAAA==", "id": "rs_1", "index": 0}]
    history = [
        user("u1", "weather"),
        thought("r1", "need tool", "openrouter", "google/gemini-2.5", details=details),
        call("c1", "a", "weather", '{"city": "Rome"}', "openrouter", "google/gemini-2.5"),
        output("o1", "a", "sunny"),
        thought("r2", "plain text only", "openrouter", "google/gemini-2.5"),
        call("c2", "b", "weather", '{"city": "Oslo"}', "openrouter", "google/gemini-2.5"),
        output("o2", "b", "snow"),
    ]
    settings = settings_for("openrouter", model="google/gemini-2.5", reasoning_effort="high")
    payload = build(history, settings)
    assert payload["reasoning"] == {"effort": "high"}
    first, second = payload["messages"][1], payload["messages"][3]
    assert first["reasoning_details"] == details and first["reasoning_details"] is not details
    assert "reasoning" not in first
    assert second["reasoning"] == "plain text only" and "reasoning_details" not in second


@pytest.mark.parametrize(
    ("provider", "field"),
    [("vllm", "reasoning"), ("ollama", "reasoning"), ("llamacpp", "reasoning_content")],
)
def test_local_servers_get_their_reasoning_field(provider: str, field: str) -> None:
    payload = build(rich_history(provider, "m1"), settings_for(provider))
    assistant = [m for m in payload["messages"] if m["role"] == "assistant"]
    # Only the current loop: r3 is foreign, r4 anchors to the last call.
    assert [m.get(field) for m in assistant] == [None, None, None, "last step"]
    other = {"reasoning", "reasoning_content", "reasoning_details"} - {field}
    assert not any(set(m) & other for m in assistant)


def test_ollama_effort_is_clamped_to_what_it_accepts() -> None:
    payload, _ = build_payload([user("u1", "hi")], settings_for("ollama", reasoning_effort="xhigh"))
    assert payload["reasoning_effort"] == "high"


# Mistral -----------------------------------------------------------------------------


def test_mistral_ids_are_nine_alphanumerics_and_consistent() -> None:
    history = [
        user("u1", "go"),
        call("c1", "call_0001_long-id", "f", "{}"),
        call("c2", "abcDEF123", "g", "{}"),  # already valid: kept
        output("o1", "call_0001_long-id", "1"),
        output("o2", "abcDEF123", "2"),
    ]
    payload = build(history, settings_for("mistral"))
    first, second = payload["messages"][1]["tool_calls"]
    assert re.fullmatch(r"[A-Za-z0-9]{9}", first["id"]) and second["id"] == "abcDEF123"
    assert [m["tool_call_id"] for m in payload["messages"][2:]] == [first["id"], "abcDEF123"]
    again = build(history, settings_for("mistral"))
    assert again["messages"][1]["tool_calls"][0]["id"] == first["id"], "stable across turns"


def test_imported_reasoning_details_field_is_replayed_verbatim() -> None:
    details = [{"type": "reasoning.summary", "summary": "s", "format": "x", "index": 0}]
    history = [
        user("u1", "go"),
        thought("r1", "", "openrouter", "m1", reasoning_details=details),
        call("c1", "a", "f", "{}", "openrouter", "m1"),
        output("o1", "a"),
    ]
    payload = build(history, settings_for("openrouter"))
    assert payload["messages"][1]["reasoning_details"] == details
