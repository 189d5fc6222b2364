"""Adversarial payload tests: every preset's payload for messy saved histories passes
the strict validators (``tests/payload_strict_validators.py``) and loses no user
text; each validator rejects what its provider rejects; and regressions for what
the runs found.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    ToolCall,
    ToolOutput,
    UserMessage,
)
from llmx_tui.providers.base import RequestSettings
from llmx_tui.providers.registry import PRESETS
from tests.payload_messy_histories import RUNS, run_preset
from tests.payload_strict_validators import (
    BUILDERS,
    Violation,
    build_and_validate,
    validate,
    validate_anthropic,
    validate_gemini,
    validate_openai,
)

OPENAI_STYLE = sorted(name for name, p in PRESETS.items() if p.dialect == "openai-chat")


@settings(RUNS, max_examples=400)  # eleven presets share these runs
@given(data=st.data(), provider=st.sampled_from(OPENAI_STYLE))
def test_openai_style_presets_accept_any_history(provider: str, data: st.DataObject) -> None:
    run_preset(provider, data)


@RUNS
@given(data=st.data())
def test_anthropic_accepts_any_history(data: st.DataObject) -> None:
    run_preset("anthropic", data)


@RUNS
@given(data=st.data())
def test_gemini_accepts_any_history(data: st.DataObject) -> None:
    run_preset("gemini", data)


# The validators themselves: each rejects what its provider rejects. -----------------------


def _rs(provider: str, model: str = "m1", **overrides: Any) -> RequestSettings:
    preset = PRESETS[provider]
    return RequestSettings(
        provider=provider,
        model=model,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
        **overrides,
    )


_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
OPENAI_BAD = {
    "unanswered call": [{"role": "user", "content": "q"}, {"role": "assistant", "content": None,
                        "tool_calls": [_CALL]}, {"role": "user", "content": "more"}],
    "orphan tool message": [{"role": "user", "content": "q"},
                            {"role": "tool", "tool_call_id": "c1", "content": "x"}],
    "empty assistant": [{"role": "user", "content": "q"}, {"role": "assistant", "content": " "},
                        {"role": "user", "content": "r"}],
    "empty arguments": [{"role": "user", "content": "q"}, {"role": "assistant", "content": None,
                        "tool_calls": [{**_CALL, "function": {"name": "f", "arguments": ""}}]},
                        {"role": "tool", "tool_call_id": "c1", "content": "x"}],
    "empty tool_calls": [{"role": "user", "content": "q"},
                         {"role": "assistant", "content": "a", "tool_calls": []},
                         {"role": "user", "content": "r"}],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(OPENAI_BAD))
def test_openai_validator_rejects(case: str) -> None:
    payload = {"model": "m1", "messages": OPENAI_BAD[case], "stream": True}
    with pytest.raises(Violation):
        validate_openai(payload, _rs("groq"))


def test_mistral_validator_rejects_a_long_id() -> None:
    messages = [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": None, "tool_calls": [{**_CALL, "id": "call_1234567"}]},
        {"role": "tool", "tool_call_id": "call_1234567", "content": "x"},
    ]
    with pytest.raises(Violation, match="mistral id"):
        validate_openai({"model": "m1", "messages": messages, "stream": True}, _rs("mistral"))


_USE = {"type": "tool_use", "id": "t1", "name": "f", "input": {}}
_RESULT = {"type": "tool_result", "tool_use_id": "t1", "content": "x"}
_SIGNED = {"type": "thinking", "thinking": "t", "signature": "s"}
ANTHROPIC_BAD = {
    "two user messages": [{"role": "user", "content": [{"type": "text", "text": "a"}]},
                          {"role": "user", "content": [{"type": "text", "text": "b"}]}],
    "result not first": [{"role": "user", "content": [{"type": "text", "text": "a"}]},
                         {"role": "assistant", "content": [_USE]},
                         {"role": "user", "content": [{"type": "text", "text": "b"}, _RESULT]}],
    "wrong result id": [{"role": "user", "content": [{"type": "text", "text": "a"}]},
                        {"role": "assistant", "content": [_USE]},
                        {"role": "user", "content": [{**_RESULT, "tool_use_id": "t2"}]}],
    "thinking after text": [{"role": "user", "content": [{"type": "text", "text": "a"}]},
                            {"role": "assistant", "content": [{"type": "text", "text": "b"},
                             _SIGNED, _USE]}, {"role": "user", "content": [_RESULT]}],
    "whitespace text": [{"role": "user", "content": [{"type": "text", "text": " \n"}]}],
    "thinking in an old turn": [{"role": "user", "content": [{"type": "text", "text": "a"}]},
                                {"role": "assistant", "content": [_SIGNED,
                                 {"type": "text", "text": "b"}]},
                                {"role": "user", "content": [{"type": "text", "text": "c"}]}],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ANTHROPIC_BAD))
def test_anthropic_validator_rejects(case: str) -> None:
    payload = {"model": "m1", "max_tokens": 100, "messages": ANTHROPIC_BAD[case], "stream": True}
    with pytest.raises(Violation):
        validate_anthropic(payload, _rs("anthropic"))


_FC = {"functionCall": {"name": "f", "args": {}}}
_FR = {"functionResponse": {"name": "f", "response": {"output": "x"}}}
GEMINI_BAD = {
    "two model turns": [{"role": "user", "parts": [{"text": "a"}]},
                        {"role": "model", "parts": [{"text": "b"}]},
                        {"role": "model", "parts": [{"text": "c"}]},
                        {"role": "user", "parts": [{"text": "d"}]}],
    "missing response": [{"role": "user", "parts": [{"text": "a"}]},
                         {"role": "model", "parts": [_FC, _FC]},
                         {"role": "user", "parts": [_FR]}],
    "no parts": [{"role": "user", "parts": []}],
    "empty text part": [{"role": "user", "parts": [{"text": ""}]}],
    "wrong name": [{"role": "user", "parts": [{"text": "a"}]},
                   {"role": "model", "parts": [_FC]},
                   {"role": "user", "parts": [{"functionResponse": {"name": "g",
                                                                    "response": {}}}]}],
    "signature of an old turn": [{"role": "user", "parts": [{"text": "a"}]},
                                 {"role": "model", "parts": [{"text": "b",
                                                              "thoughtSignature": "s"}]},
                                 {"role": "user", "parts": [{"text": "c"}]}],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(GEMINI_BAD))
def test_gemini_validator_rejects(case: str) -> None:
    with pytest.raises(Violation):
        validate_gemini({"contents": GEMINI_BAD[case]}, _rs("gemini"))


def test_gemini_3_validator_wants_the_first_current_call_signed() -> None:
    contents = [
        {"role": "user", "parts": [{"text": "a"}]},
        {"role": "model", "parts": [_FC]},
        {"role": "user", "parts": [_FR]},
    ]
    with pytest.raises(Violation, match="gemini 3"):
        validate_gemini({"contents": contents}, _rs("gemini", "gemini-3-pro-preview"))


# Regressions found by the runs above ----------------------------------------------------


def _nested(depth: int) -> str:
    return '{"a": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("provider", ["groq", "mistral", "anthropic", "gemini"])
@pytest.mark.parametrize(
    "arguments",
    [_nested(100_000), "[" * 100_000, '{"a": ' + "[" * 100_000, _nested(950)],
    ids=["deep-object", "deep-array", "deep-cut", "deeper-than-the-encoder"],
)
def test_deeply_nested_arguments_are_malformed_not_a_crash(provider: str, arguments: str) -> None:
    """Python's JSON parser and encoder recurse once per level: arguments nested
    thousands deep crashed the builder on every later turn, and ~950 deep built a
    payload the transport could not encode. Rule 2: such a call is skipped."""
    history: list[Item] = [
        UserMessage(id="u1", text="q"),
        ToolCall(id="c1", call_id="deep", name="f", arguments=arguments),
        ToolOutput(id="o1", call_id="deep", output="x"),
        ToolCall(id="c2", call_id="flat", name="f", arguments='{"a": [[1]]}'),
        ToolOutput(id="o2", call_id="flat", output="y"),
        UserMessage(id="u2", text="next"),
    ]
    payload = build_and_validate(history, _rs(provider))
    wire = json.dumps(payload)  # what the transport does with it
    assert wire.count("[[") == 1, "the deep call is skipped, the flat one kept"


@pytest.mark.parametrize("provider", OPENAI_STYLE)
@pytest.mark.parametrize("taken", ["item id reused", "call id taken"])
def test_a_call_without_id_never_gets_an_id_another_call_has(provider: str, taken: str) -> None:
    """A call without id is sent as ``call_<item id>``: that id may already be
    another call's (an id the server chose, or an item id repeated by an import)."""
    first = ("c7", "") if taken == "item id reused" else ("c1", "call_c7")
    history: list[Item] = [
        UserMessage(id="u1", text="q"),
        ToolCall(id=first[0], call_id=first[1], name="f", arguments="{}"),
        ToolOutput(id="o1", call_id=first[1], output="one"),
        AssistantMessage(id="a1", text="and again"),
        ToolCall(id="c7", call_id="", name="f", arguments="{}"),
        ToolOutput(id="o2", call_id="", output="two"),
        UserMessage(id="u2", text="next"),
    ]
    payload = build_and_validate(history, _rs(provider))
    results = [m["content"] for m in payload["messages"] if m["role"] == "tool"]
    assert results == ["one", "two"]


@pytest.mark.parametrize("provider", ["groq", "mistral", "anthropic", "gemini"])
def test_arguments_with_surrogates_still_make_a_sendable_payload(provider: str) -> None:
    """An emoji's surrogate pair cut between two argument deltas by a server that
    escapes non-ASCII is saved as two lone surrogates; a JSON escape can name one too.
    Neither can be encoded as UTF-8: the request could never be sent again. The cut
    pair is mended into its character; an escaped lone surrogate is malformed (rule 2:
    strict parsers reject it)."""
    history: list[Item] = [
        UserMessage(id="u1", text="q"),
        ToolCall(id="c1", call_id="cut", name="f", arguments='{"a": "x\ud83d\ude00y"}'),
        ToolOutput(id="o1", call_id="cut", output="one"),
        ToolCall(id="c2", call_id="lone", name="f", arguments='{"a": "\\udc00"}'),
        ToolOutput(id="o2", call_id="lone", output="two"),
        UserMessage(id="u2", text="next"),
    ]
    payload, report = BUILDERS[PRESETS[provider].dialect](history, _rs(provider))
    validate(payload, _rs(provider))
    wire = json.dumps(payload, ensure_ascii=False).encode("utf-8")  # what httpx sends
    assert "x\U0001f600y".encode() in wire or b"x\\ud83d\\ude00y" in wire
    assert b"one" in wire and b"two" not in wire
    rules = ("surrogates-in-arguments", "malformed-arguments")
    assert [(e.item_id, e.rule) for e in report if e.rule in rules and e.item_id < "o"] == [
        ("c1", "surrogates-in-arguments"),
        ("c2", "malformed-arguments"),
    ]


@pytest.mark.parametrize("provider", ["groq", "anthropic", "gemini"])
def test_a_tool_output_holding_surrogates_still_makes_a_sendable_payload(provider: str) -> None:
    """A tool whose output was cut inside a surrogate pair (an MCP server that slices
    UTF-16 and escapes it as ``\\ud83d``) saved a lone surrogate: no later request of
    the session could be encoded. The output goes with U+FFFD in its place."""
    history: list[Item] = [
        UserMessage(id="u1", text="q"),
        ToolCall(id="c1", call_id="t1", name="f", arguments="{}"),
        ToolOutput(id="o1", call_id="t1", output="cut \ud83d"),
        ToolCall(id="c2", call_id="t2", name="f", arguments="{}"),
        ToolOutput(id="o2", call_id="t2", output="pair \ud83d\ude00"),
        UserMessage(id="u2", text="next"),
    ]
    payload, report = BUILDERS[PRESETS[provider].dialect](history, _rs(provider))
    wire = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    assert "cut \ufffd".encode() in wire and "pair \U0001f600".encode() in wire
    assert [(e.item_id, e.rule) for e in report] == [
        ("o1", "surrogates-in-output"),
        ("o2", "surrogates-in-output"),
    ]


@pytest.mark.parametrize("provider", ["groq", "anthropic", "gemini"])
def test_only_arguments_escaping_a_surrogate_are_re_encoded(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``\\u00e9`` (models escape non-ASCII) cannot decode to a lone surrogate: such
    arguments skip the encoding check, which costs a dump of the arguments per request."""
    from llmx_tui.providers import history_collect, history_fast

    checked: list[Any] = []

    def counting(value: Any) -> bool:
        checked.append(value)
        return True

    monkeypatch.setattr(history_collect, "encodable", counting)
    monkeypatch.setattr(history_fast, "encodable", counting)
    history: list[Item] = [
        UserMessage(id="u1", text="q"),
        ToolCall(id="c1", call_id="e", name="f", arguments='{"a": "caf\\u00e9 C:\\\\users"}'),
        ToolOutput(id="o1", call_id="e", output="one"),
        ToolCall(id="c2", call_id="s", name="f", arguments='{"a": "\\uD83D\\uDE00"}'),
        ToolOutput(id="o2", call_id="s", output="two"),
    ]
    payload, _ = BUILDERS[PRESETS[provider].dialect](history, _rs(provider))
    validate(payload, _rs(provider))
    assert checked == [{"a": "\U0001f600"}]
