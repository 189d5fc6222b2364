"""Property tests: random histories, every preset, every section-4 invariant.

Histories hold every item kind: malformed, empty and non-object arguments,
reused and missing call_ids, orphans and stray outputs anywhere, cancelled and
failed turns, duplicate and empty messages, reasoning anywhere, and items from
other providers and models (a model switch).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmx_tui.core.items import Cancelled, Item, Reasoning, TurnError, UserMessage
from llmx_tui.providers.anthropic.payload import build_payload as anthropic_payload
from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.gemini.payload import build_payload as gemini_payload
from llmx_tui.providers.openai_chat.payload import build_payload as openai_payload
from llmx_tui.providers.registry import PRESETS
from tests.payload_validators import (
    call,
    check_against_history,
    check_payload,
    output,
    said,
    thought,
    user,
)

BUILDERS = {"openai-chat": openai_payload, "anthropic": anthropic_payload, "gemini": gemini_payload}
MODEL = "m1"
# "own": the preset under test; weighted towards it so replays are common.
OWNERS = [(None, None), ("own", MODEL), ("own", MODEL), ("own", "m2"), ("other", MODEL)]
ARGUMENTS = [
    "",
    "  ",
    "{}",
    '{"a": 1}',
    '{"path": "x.txt"}',
    "{",
    '{"a": ',
    "[1]",
    "null",
    "7",
    '{"a": NaN}',
    ' {"b": [1]} ',
]
CALL_IDS = ["c0", "c1", "call_2", "functions.f:0", ""]
ASSISTANT_TEXTS = ["", " ", "\n", "Sure.", "Sure.", "Done."]
TOOL = ToolSpec("f", "A tool.", {"type": "object", "properties": {"a": {"type": "integer"}}})
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _Ids:
    """Unique ids and unique marker texts, so payloads can be searched for them."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def _owner(draw: st.DrawFn, provider: str) -> dict[str, Any]:
    who, model = draw(st.sampled_from(OWNERS))
    return {"provider": provider if who == "own" else who, "model": model}


def _reasoning(draw: st.DrawFn, ids: _Ids, provider: str, own: bool = False) -> Reasoning:
    owner = {"provider": provider, "model": MODEL} if own else _owner(draw, provider)
    marker = ids.next("R") + f"|{owner['provider']}|{owner['model']}|"
    opaque: dict[str, Any] = {}
    kind = draw(st.sampled_from(["plain", "signed", "thinking", "redacted", "openrouter"]))
    if kind == "signed":
        opaque["signature"] = "S" + marker
    elif kind == "thinking":
        opaque["details"] = [{"type": "thinking", "thinking": marker, "signature": "S" + marker}]
    elif kind == "redacted":
        opaque["details"] = [{"type": "redacted_thinking", "data": "D" + marker}]
    elif kind == "openrouter":
        opaque["details"] = [{"type": "reasoning.text", "text": marker}]
    return thought(ids.next("r"), marker, **owner, **opaque)


def _signature(draw: st.DrawFn, ids: _Ids, owner: dict[str, Any]) -> str | None:
    if not draw(st.booleans()):
        return None
    return ids.next("S") + f"|{owner['provider']}|{owner['model']}|"


def _step(draw: st.DrawFn, ids: _Ids, provider: str) -> list[Item]:
    items: list[Item] = []
    if draw(st.booleans()):
        items.append(_reasoning(draw, ids, provider))
    if draw(st.booleans()):
        owner = _owner(draw, provider)
        text = draw(st.sampled_from([*ASSISTANT_TEXTS, "unique"]))
        text = ids.next("answer ") if text == "unique" else text
        items.append(said(ids.next("a"), text, **owner, signature=_signature(draw, ids, owner)))
        if draw(st.booleans()):
            items.append(_reasoning(draw, ids, provider))
    calls = []
    for _ in range(draw(st.integers(0, 3))):
        owner = _owner(draw, provider)
        call_id = draw(st.sampled_from([*CALL_IDS, "unique"]))
        call_id = ids.next("id") if call_id == "unique" else call_id
        calls.append(
            call(
                ids.next("c"),
                call_id,
                "f",
                draw(st.sampled_from(ARGUMENTS)),
                **owner,
                signature=_signature(draw, ids, owner),
            )
        )
    items += calls
    answered = [c for c in calls if draw(st.integers(0, 4))]  # most calls get an output
    for answered_call in draw(st.permutations(answered)):
        items.append(
            output(
                ids.next("o"), answered_call.call_id, ids.next("out "), is_error=draw(st.booleans())
            )
        )
    ending = draw(st.sampled_from(["none", "none", "error", "cancelled"]))
    if ending == "error":
        items.append(TurnError(id=ids.next("e"), message="failed"))
    elif ending == "cancelled":
        items.append(Cancelled(id=ids.next("x")))
    return items


def _stray(draw: st.DrawFn, ids: _Ids, provider: str) -> Item:
    kind = draw(st.sampled_from(["output", "reasoning", "call", "said", "error", "cancelled"]))
    if kind == "output":
        return output(ids.next("o"), draw(st.sampled_from(CALL_IDS)), "stray")
    if kind == "reasoning":
        return _reasoning(draw, ids, provider)
    if kind == "call":
        return call(
            ids.next("c"), draw(st.sampled_from(CALL_IDS)), "f", draw(st.sampled_from(ARGUMENTS))
        )
    if kind == "said":
        return said(ids.next("a"), draw(st.sampled_from(ASSISTANT_TEXTS)))
    if kind == "error":
        return TurnError(id=ids.next("e"), message="x")
    return Cancelled(id=ids.next("x"))


@st.composite
def histories(draw: st.DrawFn, provider: str) -> list[Item]:
    ids = _Ids()
    items: list[Item] = []
    for _ in range(draw(st.integers(0, 4))):
        text = draw(st.sampled_from(["", " \n", "unique", "unique"]))
        text = ids.next("question ") if text == "unique" else text
        images = ["data:image/png;base64,AAAA"] if draw(st.integers(0, 9)) == 0 else []
        items.append(user(ids.next("u"), text, images))
        for _ in range(draw(st.integers(0, 3))):
            items += _step(draw, ids, provider)
    for _ in range(draw(st.integers(0, 3))):  # orphans and strays anywhere
        position = draw(st.integers(0, len(items)))
        items.insert(position, _stray(draw, ids, provider))
    items.insert(0, user(ids.next("u"), ids.next("first question ")))
    ending = draw(st.sampled_from(["user", "loop", "loop", "malformed"]))
    if ending == "user":
        items.append(user(ids.next("u"), ids.next("new question ")))
    elif ending == "loop":  # inside a tool loop: a well-formed call and its output
        owner = _owner(draw, provider)
        for _ in range(draw(st.integers(0, 2))):
            items.append(_reasoning(draw, ids, provider, own=draw(st.booleans())))
        last_id = ids.next("last")
        items.append(
            call(
                ids.next("c"),
                last_id,
                "f",
                draw(st.sampled_from(["", "{}"])),
                **owner,
                signature=_signature(draw, ids, owner),
            )
        )
        items.append(output(ids.next("o"), last_id, "last output"))
    else:  # the engine answered a malformed call with an error; rule 2 skips both
        items.append(said(ids.next("a"), ids.next("trying ")))
        last_id = ids.next("last")
        items.append(call(ids.next("c"), last_id, "f", '{"a": '))
        items.append(output(ids.next("o"), last_id, "arguments were not valid JSON", True))
    return items


def request_settings(draw: st.DrawFn, provider: str) -> RequestSettings:
    preset = PRESETS[provider]
    return RequestSettings(
        provider=provider,
        model=MODEL,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
        system_prompt=draw(st.sampled_from([None, "", "Be brief."])),
        tools=draw(st.sampled_from([(), (TOOL,)])),
        max_tokens=draw(st.sampled_from([None, 1000, 2000, 16000])),
        reasoning_effort=draw(st.sampled_from([None, "low", "medium", "high"])),
        temperature=draw(st.sampled_from([None, 0.7])),
        include_usage=draw(st.booleans()),
    )


def check_reasoning(payload: dict[str, Any], history: list[Item], rs: RequestSettings) -> None:
    """Rule 6: nothing foreign is replayed; rule 7: nothing before the last user message."""
    text = json.dumps(payload)
    for item in history:
        for marker in _markers(item):
            if rs.reasoning_policy == "never" or (item.provider, item.model) != (
                rs.provider,
                rs.model,
            ):
                assert marker not in text, f"rule 6: {marker} replayed to {rs.provider}"
    if rs.reasoning_policy in ("anchored", "anthropic", "gemini"):
        before = json.dumps(_before_last_user(payload, PRESETS[rs.provider].dialect))
        for item in history:
            for marker in _markers(item):
                assert marker not in before, f"rule 7: {marker} before the last user message"


def _markers(item: Item) -> list[str]:
    if isinstance(item, Reasoning):
        return [item.text]
    signature = getattr(item, "thought_signature", None)
    return [signature] if signature else []


def _before_last_user(payload: dict[str, Any], dialect: str) -> list[dict[str, Any]]:
    messages = payload["contents"] if dialect == "gemini" else payload["messages"]

    def has_user_text(message: dict[str, Any]) -> bool:
        if dialect == "gemini":
            return message["role"] == "user" and any("text" in p for p in message["parts"])
        if dialect == "anthropic":
            return message["role"] == "user" and any(
                b["type"] == "text" for b in message["content"]
            )
        return message["role"] == "user"

    last = max((i for i, m in enumerate(messages) if has_user_text(m)), default=-1)
    return messages[:last]


def run_all_invariants(provider: str, data: st.DataObject) -> None:
    history = data.draw(histories(provider), label="history")
    rs = request_settings(data.draw, provider)
    payload, report = BUILDERS[PRESETS[provider].dialect](history, rs)
    view = check_payload(payload, rs)
    check_against_history(view, history, rs)
    check_reasoning(payload, history, rs)
    item_ids = {item.id for item in history}
    for entry in report:
        assert entry.item_id is None or entry.item_id in item_ids
    assert history[-1] is not None and isinstance(history[0], UserMessage)


OPENAI_STRICT = ["openai", "groq", "mistral", "xai", "together", "lmstudio", "openai-compatible"]
OPENAI_REASONING = ["openrouter", "deepseek", "vllm", "ollama", "llamacpp"]


@EXAMPLES
@given(data=st.data(), provider=st.sampled_from(OPENAI_STRICT))
def test_strict_openai_presets(provider: str, data: st.DataObject) -> None:
    run_all_invariants(provider, data)


@EXAMPLES
@given(data=st.data(), provider=st.sampled_from(OPENAI_REASONING))
def test_openai_presets_that_take_reasoning_back(provider: str, data: st.DataObject) -> None:
    run_all_invariants(provider, data)


@EXAMPLES
@given(data=st.data())
def test_anthropic(data: st.DataObject) -> None:
    run_all_invariants("anthropic", data)


@EXAMPLES
@given(data=st.data())
def test_gemini(data: st.DataObject) -> None:
    run_all_invariants("gemini", data)


def test_every_preset_is_covered() -> None:
    covered = {*OPENAI_STRICT, *OPENAI_REASONING, "anthropic", "gemini"}
    assert covered == set(PRESETS)


@pytest.mark.parametrize("provider", sorted(PRESETS))
def test_a_fixed_messy_history_passes_for_every_preset(provider: str) -> None:
    history: list[Item] = [
        user("u1", "one"),
        call("c1", "dup", "f", ""),
        call("c2", "dup", "f", "{bad"),
        output("o1", "dup", "x"),
        output("o2", "dup", "y"),
        output("o3", "dup", "z"),
        said("a1", "Sure."),
        said("a2", "Sure."),
        Cancelled(id="x1"),
        user("u2", " "),
        user("u3", "two"),
        call("c3", "", "f", "[]"),
        call("c4", "", "f", "{}"),
    ]
    preset = PRESETS[provider]
    rs = RequestSettings(
        provider=provider,
        model=MODEL,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
    )
    payload, _ = BUILDERS[preset.dialect](history, rs)
    check_against_history(check_payload(payload, rs), history, rs)
