"""Hypothesis strategies for messy saved histories (``tests/test_payload_adversarial.py``).

Any sequence of the core items: empty prompts, foreign and unsigned reasoning,
malformed, empty and reused call ids and arguments, outputs for unknown calls,
cancelled and failed turns, provider and model switches, reused item ids.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)
from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.registry import PRESETS
from tests.payload_strict_validators import build_and_validate

# Histories ----------------------------------------------------------------------------

MODELS = {
    "openai-chat": ["gpt-4o", "o3", "gpt-5", "m1"],
    "anthropic": ["claude-sonnet-4-5", "claude-opus-4-1"],
    "gemini": ["gemini-2.5-pro", "gemini-3-pro-preview"],
}
CALL_IDS = [
    "",
    "c0",
    "c1",
    "call_abc",
    "toolu_01A",
    "functions.f:0",
    "a b",
    "é1",
    "abcdefghi",
    "123456789",
    "x" * 80,
    "c0_2",
    "call_dup",  # the id a call without id whose item id is "dup" is sent with
    "call 1",
]
ARGUMENTS = [
    "",
    " \t\n",
    "{}",
    '{"a": 1}',
    ' {"a": [1, 2]} ',
    '{"a": 1}\n',
    "{",
    '{"a": ',
    "[]",
    "null",
    '""',
    '"{}"',
    "{}{}",
    '{"a": NaN}',
    '{"a": Infinity}',
    '{"a": 1} x',
    '{"a": "\\u00e9\\ud83d\\ude00"}',  # escaped: a surrogate pair is one character
    '{"a": "\\ud800"}',  # an escaped lone surrogate
    '{"a": "x\ud83d\ude00"}',  # an emoji cut in two by the stream: two lone surrogates
    '{"a": ' + "[" * 70 + "]" * 70 + "}",  # nested too deeply
]
USER_TEXTS = ["", " ", "\n\t", "same prompt", "same prompt", "unique", "unique", "unique"]
ASSISTANT_TEXTS = ["", "  ", "Sure.", "Sure.", "unique", "unique"]
OUTPUT_TEXTS = ["", " ", "ok", "unique", "cut \ud83d"]
NAMES = ["f", "read_file", "g", "ns.tool-1"]
# Weighted: calls, outputs and messages are the common items.
ITEM_KINDS = [
    *("user", "said", "said", "reasoning", "call", "call"),
    *("output", "output", "error", "cancelled"),
]
TOOL = ToolSpec("f", "A tool.", {"type": "object", "properties": {"a": {"type": "integer"}}})
RUNS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _Maker:
    """Items with unique ids; opaque values are unique markers starting with "~"."""

    def __init__(self, draw: st.DrawFn, provider: str, model: str) -> None:
        self.draw = draw
        self.n = 0
        dialect = PRESETS[provider].dialect
        # Owners: this preset and model, this preset and another model, another
        # provider with the same model name, and unknown (old sessions).
        other = next(name for name in PRESETS if name != provider)
        others = [m for m in MODELS[dialect] if m != model] or ["m2"]
        self.owners = [
            (provider, model),
            (provider, model),
            (provider, others[0]),
            (other, model),
            (None, None),
        ]

    def id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def owner(self) -> dict[str, Any]:
        provider, model = self.draw(st.sampled_from(self.owners))
        return {"provider": provider, "model": model}

    def marker(self, owner: dict[str, Any]) -> str:
        return f"~{self.id('m')}|{owner['provider']}|{owner['model']}"

    def text(self, choices: list[str], prefix: str) -> str:
        text = self.draw(st.sampled_from(choices))
        return self.id(prefix) if text == "unique" else text

    def user(self) -> UserMessage:
        images = ["data:image/png;base64,AAAA"] if self.draw(st.integers(0, 9)) == 0 else []
        return UserMessage(id=self.id("u"), text=self.text(USER_TEXTS, "prompt "), images=images)

    def said(self) -> AssistantMessage:
        owner = self.owner()
        signature = self.marker(owner) if self.draw(st.booleans()) else None
        text = self.text(ASSISTANT_TEXTS, "answer ")
        return AssistantMessage(id=self.id("a"), text=text, thought_signature=signature, **owner)

    def reasoning(self) -> Reasoning:
        owner = self.owner()
        mark = self.marker(owner)
        kind = self.draw(
            st.sampled_from(
                [
                    "plain",
                    "signed",
                    "signed-empty",
                    "encrypted",
                    "thinking",
                    "thinking-unsigned",
                    "redacted",
                    "openrouter",
                    "imported-gemini",
                    "imported-openrouter",
                ]
            )
        )
        fields: dict[str, Any] = {"text": "thought " + mark}
        if kind == "signed":
            fields["signature"] = mark + "s"
        elif kind == "signed-empty":
            fields.update(text="", signature=mark + "s")
        elif kind == "encrypted":
            fields["encrypted"] = mark + "e"
        elif kind == "thinking":
            fields["details"] = [{"type": "thinking", "thinking": mark, "signature": mark + "s"}]
        elif kind == "thinking-unsigned":
            fields["details"] = [{"type": "thinking", "thinking": mark, "signature": ""}]
        elif kind == "redacted":
            fields["details"] = [{"type": "redacted_thinking", "data": mark + "d"}]
        elif kind == "openrouter":
            fields["details"] = [{"type": "reasoning.text", "text": mark + "t"}]
        elif kind == "imported-gemini":
            fields["thoughtSignature"] = mark + "s"
        elif kind == "imported-openrouter":
            fields["reasoning_details"] = [{"type": "reasoning.encrypted", "data": mark + "d"}]
        return Reasoning(id=self.id("r"), **owner, **fields)

    def call(self, call_ids: list[str]) -> ToolCall:
        owner = self.owner()
        call_id = self.draw(st.sampled_from([*CALL_IDS, *call_ids, "unique", "", ""]))
        call_id = self.id("id") if call_id == "unique" else call_id
        # Imported sessions may repeat item ids: "dup" is a reused one.
        item_id = self.draw(st.sampled_from([self.id("c"), "dup", "dup", "a.b"]))
        return ToolCall(
            id=item_id,
            call_id=call_id,
            name=self.draw(st.sampled_from(NAMES)),
            arguments=self.draw(st.sampled_from(ARGUMENTS)),
            thought_signature=self.marker(owner) if self.draw(st.booleans()) else None,
            **owner,
        )

    def output(self, call_ids: list[str]) -> ToolOutput:
        call_id = self.draw(st.sampled_from([*call_ids, *CALL_IDS] if call_ids else CALL_IDS))
        status = self.draw(st.sampled_from([None, "done", "failed", "cancelled"]))
        return ToolOutput(
            id=self.id("o"),
            call_id=call_id,
            output=self.text(OUTPUT_TEXTS, "output "),
            is_error=self.draw(st.booleans()),
            status=status,
        )


@st.composite
def histories(draw: st.DrawFn, provider: str, model: str) -> list[Item]:
    """Any sequence of items, weighted towards the shapes a session makes."""
    make = _Maker(draw, provider, model)
    items: list[Item] = []
    call_ids: list[str] = []  # ids of the calls so far: most outputs answer one
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(ITEM_KINDS))
        if kind == "user":
            items.append(make.user())
        elif kind == "said":
            items.append(make.said())
        elif kind == "reasoning":
            items.append(make.reasoning())
        elif kind == "call":
            new = make.call(call_ids)
            call_ids.append(new.call_id)
            items.append(new)
        elif kind == "output":
            items.append(make.output(call_ids[-4:]))
        elif kind == "error":
            items.append(TurnError(id=make.id("e"), kind="http", message="failed"))
        else:
            items.append(Cancelled(id=make.id("x"), partial=draw(st.booleans())))
    # Somewhere a real prompt, so a legal payload exists.
    items.insert(draw(st.integers(0, len(items))), UserMessage(id=make.id("u"), text="first"))
    ending = draw(st.sampled_from(["user", "loop", "as is"]))
    if ending == "user":
        items.append(UserMessage(id=make.id("u"), text=make.id("new prompt ")))
    elif ending == "loop":  # inside a tool loop: own reasoning, a call, its output
        owner = {"provider": provider, "model": model}
        for _ in range(draw(st.integers(0, 2))):
            items.append(make.reasoning())
        signature = make.marker(owner) if draw(st.booleans()) else None
        call_id = make.id("last")
        items.append(ToolCall(call_id=call_id, name="f", arguments="{}", **owner,
                              thought_signature=signature))  # fmt: skip
        items.append(ToolOutput(call_id=call_id, output="last output"))
    return items


def request_settings(draw: st.DrawFn, provider: str, model: str) -> RequestSettings:
    preset = PRESETS[provider]
    return RequestSettings(
        provider=provider,
        model=model,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
        system_prompt=draw(st.sampled_from([None, "", " ", "Be brief."])),
        tools=draw(st.sampled_from([(), (TOOL,)])),
        max_tokens=draw(st.sampled_from([None, 1024, 1025, 4000, 16000])),
        reasoning_effort=draw(st.sampled_from([None, "none", "minimal", "low", "high", "max"])),
        temperature=draw(st.sampled_from([None, 0.0, 0.7])),
        include_usage=draw(st.booleans()),
    )


def run_preset(provider: str, data: st.DataObject) -> None:
    dialect = PRESETS[provider].dialect
    model = data.draw(st.sampled_from(MODELS[dialect]), label="model")
    history = data.draw(histories(provider, model), label="history")
    rs = request_settings(data.draw, provider, model)
    build_and_validate(history, rs)
