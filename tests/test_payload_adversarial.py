"""Adversarial payload tests: strict per-dialect validators and messy saved histories.

The validators restate PAYLOAD-RULES.md as pure functions, independently of
``tests/payload_validators.py``: each one reads a built payload and raises
AssertionError naming what the provider would reject. Hypothesis then builds
histories from any sequence of the core items (empty prompts, foreign and
unsigned reasoning, malformed, empty and reused call ids and arguments, outputs
for unknown calls, cancelled and failed turns, provider and model switches)
and checks every preset's payload, and that no user text is lost.

Every opaque value in a generated history (signature, encrypted data, detail)
is a unique marker naming its owner, so a replay to the wrong provider, model
or part can be found by searching the payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
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
from llmx_tui.providers.anthropic.payload import build_payload as anthropic_payload
from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.gemini.payload import UNSIGNED_CALL_SIGNATURE
from llmx_tui.providers.gemini.payload import build_payload as gemini_payload
from llmx_tui.providers.openai_chat.payload import build_payload as openai_payload
from llmx_tui.providers.registry import PRESETS
from tests.payload_validators import check_no_unknown_openai_keys

BUILDERS = {"openai-chat": openai_payload, "anthropic": anthropic_payload, "gemini": gemini_payload}
REASONING_KEYS = frozenset({"reasoning", "reasoning_content", "reasoning_details"})
# The field each anchored / every-message preset sends reasoning back in (section 2).
REASONING_FIELDS = {
    "openrouter": {"reasoning_details", "reasoning"},
    "deepseek": {"reasoning_content"},
    "vllm": {"reasoning"},
    "llamacpp": {"reasoning_content"},
    "ollama": {"reasoning"},
}
OPENAI_REASONING_MODEL = re.compile(r"^(o1|o3|o4)(-|$)|^gpt-5(?!.*-chat)")


class Violation(AssertionError):
    pass


def require(condition: object, message: str) -> None:
    if not condition:
        raise Violation(message)


def _strict_json_object(text: object) -> bool:
    if not isinstance(text, str):
        return False

    def reject(name: str) -> Any:
        raise ValueError(name)

    try:
        return isinstance(json.loads(text, parse_constant=reject), dict)
    except ValueError:
        return False


# OpenAI-style ------------------------------------------------------------------------


def validate_openai(payload: dict[str, Any], rs: RequestSettings) -> None:
    """What a Chat Completions server of ``rs.provider`` rejects."""
    policy = rs.reasoning_policy
    require(payload.get("stream") is True, "stream is set")
    if "stream_options" in payload:
        require(payload["stream"] is True, "stream_options only with stream")
        require(PRESETS[rs.provider].supports_stream_options, "stream_options not understood")
    require(payload.get("tools", [1]) != [], "no empty tools array")
    if policy == "never":
        # Strict servers: no key outside the official request schema.
        check_no_unknown_openai_keys(payload)
    if rs.provider == "openai":
        require("max_tokens" not in payload, "openai: max_completion_tokens, not max_tokens")
        reasoning_model = OPENAI_REASONING_MODEL.match(rs.model)
        require(reasoning_model or "reasoning_effort" not in payload, "effort on a chat model")
    if rs.provider == "ollama" and "reasoning_effort" in payload:
        require(payload["reasoning_effort"] in {"high", "medium", "low", "none"}, "ollama effort")
    messages = payload["messages"]
    require(messages, "messages is not empty")
    last_user = max((i for i, m in enumerate(messages) if m["role"] == "user"), default=-1)
    seen_ids: set[str] = set()
    index = 0
    while index < len(messages):
        message = messages[index]
        role = message.get("role")
        require(role in ("system", "user", "assistant", "tool"), f"role {role!r}")
        if role == "system":
            require(index == 0, "system message first only")
            require(isinstance(message["content"], str) and message["content"].strip(), "system")
        elif role == "user":
            _validate_openai_user(message, index)
            previous = messages[index - 1]["role"] if index else None
            require(previous not in ("user",), f"adjacent user messages at {index}")
        elif role == "tool":
            raise Violation(f"tool message at {index} answers no preceding tool_calls")
        else:
            previous = messages[index - 1]["role"] if index else None
            require(previous != "assistant", f"adjacent assistant messages at {index}")
            index = _validate_openai_assistant(messages, index, rs, index > last_user, seen_ids)
            continue
        index += 1
    require(messages[-1]["role"] in ("user", "tool"), "the payload ends with user or tool")


def _validate_openai_user(message: dict[str, Any], index: int) -> None:
    content = message["content"]
    if isinstance(content, str):
        require(content.strip(), f"empty user message at {index}")
        return
    require(isinstance(content, list) and content, f"user content parts at {index}")
    for part in content:
        if part["type"] == "text":
            require(part["text"].strip(), f"empty text part at {index}")
        else:
            require(part["type"] == "image_url" and part["image_url"]["url"], "image part")


def _validate_openai_assistant(
    messages: list[dict[str, Any]],
    index: int,
    rs: RequestSettings,
    after_last_user: bool,
    seen_ids: set[str],
) -> int:
    """Checks the assistant message at ``index`` and its tool messages; returns the next index."""
    message = messages[index]
    content = message.get("content")
    calls = message.get("tool_calls")
    require(calls is None or calls, "never tool_calls: []")
    if content is None:
        require(calls, f"content null only beside tool calls at {index}")
    else:
        require(isinstance(content, str) and content.strip(), f"empty assistant text at {index}")
    reasoning = set(message) & REASONING_KEYS
    policy = rs.reasoning_policy
    if policy == "never":
        require(not reasoning, f"{rs.provider} takes no reasoning keys")
    elif policy == "every_message":
        require(isinstance(message.get("reasoning_content"), str), "DeepSeek reasoning_content")
        require(reasoning == {"reasoning_content"}, "DeepSeek: only reasoning_content")
    else:
        require(reasoning <= REASONING_FIELDS[rs.provider], f"{rs.provider} reasoning field")
        require(after_last_user or not reasoning, "rule 7: reasoning only after the last user")
        for key in reasoning:
            require(message[key], f"empty {key}")
    ids = []
    for call in calls or ():
        require(call.get("type") == "function", "tool call type")
        call_id = call.get("id")
        require(isinstance(call_id, str) and call_id, "tool call id is a non-empty string")
        if rs.provider == "mistral":
            require(re.fullmatch(r"[A-Za-z0-9]{9}", call_id), f"mistral id {call_id!r}")
        require(call_id not in seen_ids, f"tool call id {call_id!r} used twice")
        seen_ids.add(call_id)
        ids.append(call_id)
        function = call["function"]
        require(isinstance(function.get("name"), str), "function name")
        require(_strict_json_object(function.get("arguments")), "arguments: a JSON object string")
    following = messages[index + 1 : index + 1 + len(ids)]
    answered = [m.get("tool_call_id") for m in following if m["role"] == "tool"]
    require(answered == ids, f"tool messages right after the calls at {index}, in order")
    for tool_message in following:
        require(isinstance(tool_message.get("content"), str), "tool content is a string")
    after = index + 1 + len(ids)
    require(after >= len(messages) or messages[after]["role"] != "tool", "extra tool message")
    return after


# Anthropic ---------------------------------------------------------------------------


def validate_anthropic(payload: dict[str, Any], rs: RequestSettings) -> None:
    """What the Messages API rejects."""
    require(isinstance(payload.get("max_tokens"), int), "max_tokens is required")
    require("system" not in payload or payload["system"].strip(), "system is top level")
    thinking = payload.get("thinking")
    if thinking is not None:
        budget = thinking["budget_tokens"]
        require(1024 <= budget < payload["max_tokens"], "budget_tokens in [1024, max_tokens)")
        require("temperature" not in payload, "no temperature while thinking")
    require(payload.get("tools", [1]) != [], "no empty tools array")
    messages = payload["messages"]
    require(messages, "messages is not empty")
    require(messages[0]["role"] == "user", "the first message is the user's")
    require(messages[-1]["role"] == "user", "the last message is the user's")
    last_user_text = max(
        (i for i, m in enumerate(messages) if m["role"] == "user" and _has_user_content(m)),
        default=-1,
    )
    seen_ids: set[str] = set()
    expected_results: list[str] = []
    for index, message in enumerate(messages):
        role = message["role"]
        require(role in ("user", "assistant"), f"role {role!r}")
        if index:
            require(role != messages[index - 1]["role"], f"roles alternate at {index}")
        blocks = message["content"]
        require(isinstance(blocks, list) and blocks, f"message {index} has content")
        for block in blocks:
            if block["type"] == "text":
                require(block["text"].strip(), f"empty or whitespace text block at {index}")
        if role == "user":
            _validate_anthropic_user(blocks, expected_results, index)
            expected_results = []
            continue
        kinds = [block["type"] for block in blocks]
        thinking_count = 0
        while thinking_count < len(kinds) and kinds[thinking_count] in _THINKING:
            thinking_count += 1
        require(not set(kinds[thinking_count:]) & _THINKING, f"thinking blocks first at {index}")
        require(thinking_count == 0 or index > last_user_text, "thinking only in the tool loop")
        for block in blocks[:thinking_count]:
            if block["type"] == "thinking":
                require(block.get("signature"), "a thinking block has its signature")
            else:
                require(block.get("data"), "a redacted_thinking block has its data")
        require(set(kinds) <= {"text", "tool_use", *_THINKING}, f"assistant blocks {kinds}")
        for block in blocks:
            if block["type"] != "tool_use":
                continue
            require(re.fullmatch(r"[A-Za-z0-9_-]+", block["id"]), f"tool_use id {block['id']!r}")
            require(block["id"] not in seen_ids, f"tool_use id {block['id']!r} used twice")
            seen_ids.add(block["id"])
            require(isinstance(block["input"], dict), "tool_use.input is an object")
            require(isinstance(block["name"], str), "tool_use.name")
            expected_results.append(block["id"])
        require(not expected_results or index + 1 < len(messages), "tool_use without results")
    if thinking is not None and len(messages) >= 2:
        last = messages[-1]["content"]
        if last[0]["type"] == "tool_result":
            require(
                messages[-2]["content"][0]["type"] in _THINKING,
                "thinking on: the loop's last assistant message opens with thinking",
            )


_THINKING = frozenset({"thinking", "redacted_thinking"})


def _has_user_content(message: dict[str, Any]) -> bool:
    return any(block["type"] in ("text", "image") for block in message["content"])


def _validate_anthropic_user(
    blocks: list[dict[str, Any]], expected_results: list[str], index: int
) -> None:
    results = [block for block in blocks if block["type"] == "tool_result"]
    leading = [block.get("tool_use_id") for block in blocks[: len(expected_results)]]
    require(leading == expected_results, f"tool_result blocks first, matching ids, at {index}")
    require(len(results) == len(expected_results), f"tool_result without its tool_use at {index}")
    for block in results:
        content = block.get("content")
        require(content is None or (isinstance(content, str) and content.strip()), "result text")
    for block in blocks:
        require(block["type"] in ("text", "image", "tool_result"), f"user block {block['type']}")


# Gemini ------------------------------------------------------------------------------

_PART_FIELDS = ("text", "functionCall", "functionResponse", "inlineData", "fileData")


def validate_gemini(payload: dict[str, Any], rs: RequestSettings) -> None:
    """What generateContent rejects."""
    require("model" not in payload, "the model goes in the URL")
    contents = payload["contents"]
    require(contents, "contents is not empty")
    require(contents[0]["role"] == "user", "the first content is the user's")
    require(contents[-1]["role"] == "user", "the last content is the user's")
    last_user_text = max(
        (
            i
            for i, c in enumerate(contents)
            if c["role"] == "user" and any("functionResponse" not in p for p in c["parts"])
        ),
        default=-1,
    )
    gemini_3 = rs.model.removeprefix("models/").startswith("gemini-3")
    expected: list[str] = []
    for index, content in enumerate(contents):
        role = content["role"]
        require(role in ("user", "model"), f"role {role!r}")
        if index:
            require(role != contents[index - 1]["role"], f"roles alternate at {index}")
        parts = content["parts"]
        require(parts, f"content {index} has at least one part")
        for part in parts:
            fields = [name for name in _PART_FIELDS if name in part]
            require(len(fields) == 1, f"one data field per part at {index}: {fields}")
            if "text" in part and not (part.get("thought") and part.get("thoughtSignature")):
                require(part["text"].strip(), f"empty text part at {index}")
            if "thoughtSignature" in part:
                require(role == "model", "thoughtSignature only on model parts")
                require(index > last_user_text, f"thoughtSignature of an earlier turn at {index}")
        if role == "user":
            responses = [p["functionResponse"] for p in parts if "functionResponse" in p]
            leading = [p.get("functionResponse", {}).get("name") for p in parts[: len(expected)]]
            require(leading == expected, f"functionResponses first, by name, at {index}")
            require(len(responses) == len(expected), f"functionResponse without its call {index}")
            for response in responses:
                require(isinstance(response["response"], dict), "response is an object")
            expected = []
            continue
        require(not any("functionResponse" in p for p in parts), "no response in a model turn")
        calls = [p for p in parts if "functionCall" in p]
        for part in calls:
            require(isinstance(part["functionCall"]["args"], dict), "args is an object")
            expected.append(part["functionCall"]["name"])
        if calls and gemini_3 and index > last_user_text:
            require("thoughtSignature" in calls[0], f"gemini 3: first call signed at {index}")
        require(not calls or index + 1 < len(contents), "functionCall without responses")


def validate(payload: dict[str, Any], rs: RequestSettings) -> None:
    dialect = PRESETS[rs.provider].dialect
    if dialect == "anthropic":
        validate_anthropic(payload, rs)
    elif dialect == "gemini":
        validate_gemini(payload, rs)
    else:
        validate_openai(payload, rs)


# Payload against its history ---------------------------------------------------------


def user_texts(payload: dict[str, Any], dialect: str) -> list[str]:
    """The text of each user message of the payload."""
    if dialect == "gemini":
        return [
            "\n\n".join(p["text"] for p in c["parts"] if "text" in p)
            for c in payload["contents"]
            if c["role"] == "user"
        ]
    texts = []
    for message in payload["messages"]:
        if message["role"] != "user":
            continue
        content = message["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            texts.append("\n\n".join(b["text"] for b in content if b["type"] == "text"))
    return texts


def validate_against_history(
    payload: dict[str, Any], history: Sequence[Item], rs: RequestSettings
) -> None:
    dialect = PRESETS[rs.provider].dialect
    texts = user_texts(payload, dialect)
    for item in history:
        if isinstance(item, UserMessage) and item.text.strip():
            require(any(item.text in text for text in texts), f"user text lost: {item.text!r}")
    last = history[-1] if history else None
    if isinstance(last, UserMessage) and last.text.strip():
        require(texts and texts[-1].endswith(last.text), "the new user message comes last")
    validate_replays(payload, history, rs)


def _opaque(item: Item) -> list[str]:
    """The provider-owned values an item carries (markers in generated histories)."""
    values: list[str] = []
    if isinstance(item, Reasoning):
        values += [v for v in (item.signature, item.encrypted) if v]
        extra = item.model_extra or {}
        if isinstance(extra.get("thoughtSignature"), str):
            values.append(extra["thoughtSignature"])
        for detail in [*(item.details or ()), *(extra.get("reasoning_details") or ())]:
            values += [str(v) for k, v in detail.items() if k in ("signature", "data", "text")]
    elif isinstance(item, (AssistantMessage, ToolCall)) and item.thought_signature:
        values.append(item.thought_signature)
    return [v for v in values if v.startswith("~")]


def validate_replays(payload: dict[str, Any], history: Sequence[Item], rs: RequestSettings) -> None:
    """Rule 6: opaque values go back only to their own provider and model, on their own
    part (Gemini) or block (Anthropic), byte for byte."""
    wire = json.dumps(payload)
    own = {"provider": rs.provider, "model": rs.model}
    for item in history:
        for value in _opaque(item):
            if rs.reasoning_policy == "never" or not _owned_by(item, own):
                require(json.dumps(value) not in wire, f"{value} replayed to {rs.provider}")
    dialect = PRESETS[rs.provider].dialect
    if dialect == "gemini":
        _validate_gemini_signatures(payload, history)
    elif dialect == "anthropic":
        _validate_anthropic_thinking(payload, history)


def _owned_by(item: Item, own: dict[str, str]) -> bool:
    return getattr(item, "provider", None) == own["provider"] and item.model == own["model"]  # type: ignore[union-attr]


def _validate_gemini_signatures(payload: dict[str, Any], history: Sequence[Item]) -> None:
    by_signature: dict[str, Item] = {}
    for item in history:
        if isinstance(item, Reasoning):
            extra = item.model_extra or {}
            signature = item.signature or extra.get("thoughtSignature")
        else:
            signature = getattr(item, "thought_signature", None)
        if signature:
            by_signature[signature] = item
    for content in payload["contents"]:
        for part in content["parts"]:
            signature = part.get("thoughtSignature")
            if signature is None or signature == UNSIGNED_CALL_SIGNATURE:
                continue
            item = by_signature.get(signature)
            require(item is not None, f"unknown thoughtSignature {signature}")
            if isinstance(item, Reasoning):
                require(part.get("thought") is True and part["text"] == item.text, "thought part")
            elif isinstance(item, AssistantMessage):
                require(not part.get("thought") and part.get("text") == item.text, "text part")
            else:
                assert isinstance(item, ToolCall)
                require(part.get("functionCall", {}).get("name") == item.name, "call part")


def _validate_anthropic_thinking(payload: dict[str, Any], history: Sequence[Item]) -> None:
    """Every thinking block is one a reasoning item holds, unchanged."""
    known: list[dict[str, Any]] = []
    for item in history:
        if not isinstance(item, Reasoning):
            continue
        extra = item.model_extra or {}
        known += item.details or extra.get("reasoning_details") or ()
        # An imported item may carry its signature as ``thoughtSignature``.
        for signature in (item.signature, extra.get("thoughtSignature")):
            if signature:
                known.append({"type": "thinking", "thinking": item.text, "signature": signature})
        if item.encrypted:
            known.append({"type": "redacted_thinking", "data": item.encrypted})
    for message in payload["messages"]:
        for block in message["content"]:
            if block["type"] in _THINKING:
                require(block in known, f"thinking block changed: {block}")


# Histories ---------------------------------------------------------------------------

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


def build_and_validate(history: list[Item], rs: RequestSettings) -> dict[str, Any]:
    builder = BUILDERS[PRESETS[rs.provider].dialect]
    payload, report = builder(history, rs)
    try:  # what the transport sends
        json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError) as exc:
        raise Violation(f"the request cannot be encoded: {exc}") from None
    validate(payload, rs)
    validate_against_history(payload, history, rs)
    item_ids = {item.id for item in history}
    for entry in report:
        require(entry.item_id is None or entry.item_id in item_ids, "report names a real item")
    return payload


def _run(provider: str, data: st.DataObject) -> None:
    dialect = PRESETS[provider].dialect
    model = data.draw(st.sampled_from(MODELS[dialect]), label="model")
    history = data.draw(histories(provider, model), label="history")
    rs = request_settings(data.draw, provider, model)
    build_and_validate(history, rs)


OPENAI_STYLE = sorted(name for name, p in PRESETS.items() if p.dialect == "openai-chat")


@settings(RUNS, max_examples=400)  # eleven presets share these runs
@given(data=st.data(), provider=st.sampled_from(OPENAI_STYLE))
def test_openai_style_presets_accept_any_history(provider: str, data: st.DataObject) -> None:
    _run(provider, data)


@RUNS
@given(data=st.data())
def test_anthropic_accepts_any_history(data: st.DataObject) -> None:
    _run("anthropic", data)


@RUNS
@given(data=st.data())
def test_gemini_accepts_any_history(data: st.DataObject) -> None:
    _run("gemini", data)


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
