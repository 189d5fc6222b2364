"""Invariant checkers for built payloads (PAYLOAD-RULES section 4), shared by tests.

Every checker raises AssertionError with a message naming the broken rule.
``neutral_view`` reads any dialect's payload back into one shape
(user / assistant / results entries) so rules 1-5 are checked once for all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from typing import Any

import jsonschema

from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    UserMessage,
)
from llmx_tui.providers.base import RequestSettings
from llmx_tui.providers.registry import PRESETS
from tests.conftest import REPO

SCHEMA_PATH = REPO.parent / "shared" / "openai-chat-request.schema.json"
REASONING_KEYS = {"reasoning", "reasoning_content", "reasoning_details"}


def dialect_of(settings: RequestSettings) -> str:
    preset = PRESETS.get(settings.provider)
    return preset.dialect if preset is not None else "openai-chat"


# The dialect-neutral view ------------------------------------------------------


def neutral_view(payload: dict[str, Any], dialect: str) -> list[dict[str, Any]]:
    """Entries: {"role": "user", "text", "images"} | {"role": "assistant", "text",
    "calls": [(id, name, args)]} | {"role": "results", "results": [(id, text)]}."""
    if dialect == "anthropic":
        return _anthropic_view(payload["messages"])
    if dialect == "gemini":
        return _gemini_view(payload["contents"])
    return _openai_view(payload["messages"])


def _openai_view(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    view: list[dict[str, Any]] = []
    for message in messages:
        role = message["role"]
        if role == "system":
            assert not view, "the system message comes first"
        elif role == "user":
            content = message["content"]
            if isinstance(content, str):
                view.append({"role": "user", "text": content, "images": 0})
            else:
                text = "".join(p["text"] for p in content if p["type"] == "text")
                images = sum(p["type"] == "image_url" for p in content)
                view.append({"role": "user", "text": text, "images": images})
        elif role == "assistant":
            calls = []
            for call in message.get("tool_calls", []):
                args = json.loads(call["function"]["arguments"])
                calls.append((call["id"], call["function"]["name"], args))
            view.append({"role": "assistant", "text": message["content"] or "", "calls": calls})
        elif role == "tool":
            result = (message["tool_call_id"], message["content"])
            if view and view[-1]["role"] == "results":
                view[-1]["results"].append(result)
            else:
                view.append({"role": "results", "results": [result]})
        else:
            raise AssertionError(f"unexpected role {role!r}")
    return view


def _anthropic_view(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    view: list[dict[str, Any]] = []
    for message in messages:
        blocks = message["content"]
        if message["role"] == "assistant":
            texts = [b["text"] for b in blocks if b["type"] == "text"]
            calls = [(b["id"], b["name"], b["input"]) for b in blocks if b["type"] == "tool_use"]
            view.append({"role": "assistant", "text": "\n\n".join(texts), "calls": calls})
            continue
        results = [
            (b["tool_use_id"], b.get("content", "")) for b in blocks if b["type"] == "tool_result"
        ]
        if results:
            view.append({"role": "results", "results": results})
        texts = [b["text"] for b in blocks if b["type"] == "text"]
        images = sum(b["type"] == "image" for b in blocks)
        if texts or images:
            view.append({"role": "user", "text": "\n\n".join(texts), "images": images})
    return view


def _gemini_view(contents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    view: list[dict[str, Any]] = []
    for content in contents:
        parts = content["parts"]
        if content["role"] == "model":
            texts = [p["text"] for p in parts if "text" in p and not p.get("thought")]
            calls = [
                (p["functionCall"]["name"], p["functionCall"]["name"], p["functionCall"]["args"])
                for p in parts
                if "functionCall" in p
            ]
            view.append({"role": "assistant", "text": "\n\n".join(texts), "calls": calls})
            continue
        results = []
        for part in parts:
            if "functionResponse" in part:
                response = part["functionResponse"]["response"]
                text = response.get("output", response.get("error"))
                results.append((part["functionResponse"]["name"], text))
        if results:
            view.append({"role": "results", "results": results})
        texts = [p["text"] for p in parts if "text" in p]
        images = sum("inlineData" in p or "fileData" in p for p in parts)
        if texts or images:
            view.append({"role": "user", "text": "\n\n".join(texts), "images": images})
    return view


# Rules 1-5 on the neutral view -----------------------------------------------------


def check_rules(view: list[dict[str, Any]]) -> None:
    assert view, "the payload has messages"
    for index, entry in enumerate(view):
        previous = view[index - 1] if index else None
        following = view[index + 1] if index + 1 < len(view) else None
        role = entry["role"]
        if role == "user":
            assert entry["text"].strip() or entry["images"], f"rule 5: empty user message {index}"
            assert previous is None or previous["role"] != "user", f"rule 5: adjacent users {index}"
        elif role == "assistant":
            assert entry["text"].strip() or entry["calls"], f"rule 5: empty assistant {index}"
            assert previous is None or previous["role"] != "assistant", (
                f"rule 5: adjacent assistant messages at {index}"
            )
            for _, _, args in entry["calls"]:
                assert isinstance(args, dict), "rules 1-2: arguments are a JSON object"
            if entry["calls"]:
                assert following is not None and following["role"] == "results", (
                    f"rules 3-4: calls at {index} are answered right after"
                )
                call_ids = [call_id for call_id, _, _ in entry["calls"]]
                result_ids = [result_id for result_id, _ in following["results"]]
                assert call_ids == result_ids, f"rule 4: one result per call, in order, at {index}"
        else:
            assert previous is not None and previous["role"] == "assistant", (
                f"rule 4: results at {index} follow their calls"
            )
            assert previous["calls"], f"rule 4: results at {index} without calls"
    assert view[-1]["role"] in ("user", "results"), "the payload ends with the user or results"


# Per dialect ----------------------------------------------------------------------


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = _schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _properties(ref_or_schema: dict[str, Any]) -> set[str]:
    """Every property name a schema (following $ref, allOf, anyOf, oneOf) declares."""
    defs = _schema()["$defs"]
    names: set[str] = set()
    stack = [ref_or_schema]
    while stack:
        node = stack.pop()
        if "$ref" in node:
            stack.append(defs[node["$ref"].rsplit("/", 1)[-1]])
        names.update(node.get("properties", {}))
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend(node.get(key, []))
    return names


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def check_no_unknown_openai_keys(payload: dict[str, Any]) -> None:
    """The schema does not close objects: walk it and reject any key it lacks."""
    top = _properties(_ref("CreateChatCompletionRequest"))
    assert set(payload) <= top, f"unknown top-level keys {set(payload) - top}"
    by_role = {
        "system": "ChatCompletionRequestSystemMessage",
        "user": "ChatCompletionRequestUserMessage",
        "assistant": "ChatCompletionRequestAssistantMessage",
        "tool": "ChatCompletionRequestToolMessage",
    }
    call_keys = _properties(_ref("ChatCompletionMessageToolCall"))
    call_schema = _schema()["$defs"]["ChatCompletionMessageToolCall"]
    function_keys = set(call_schema["properties"]["function"]["properties"])
    for message in payload["messages"]:
        allowed = _properties(_ref(by_role[message["role"]]))
        assert set(message) <= allowed, f"unknown message keys {set(message) - allowed}"
        for call in message.get("tool_calls", []):
            assert set(call) <= call_keys, f"unknown tool call keys {set(call) - call_keys}"
            assert set(call["function"]) <= function_keys
    tool_keys = _properties(_ref("ChatCompletionTool"))
    tool_function_keys = _properties(_ref("FunctionObject"))
    for tool in payload.get("tools", []):
        assert set(tool) <= tool_keys
        assert set(tool["function"]) <= tool_function_keys
    if "stream_options" in payload:
        assert set(payload["stream_options"]) <= {"include_usage", "include_obfuscation"}


def check_openai_payload(payload: dict[str, Any], settings: RequestSettings) -> None:
    _validator().validate(payload)
    assert payload["model"] == settings.model and payload["stream"] is True
    if "stream_options" in payload:
        assert payload["stream"] is True, "stream_options only with stream"
    assert payload.get("tools") != [], "no empty tools array"
    provider = settings.provider
    if provider == "openai":
        check_no_unknown_openai_keys(payload)
        assert "max_tokens" not in payload
    for message in payload["messages"]:
        assert message["role"] != "developer", "no developer role"
        if message["role"] != "assistant":
            continue
        assert message.get("tool_calls") != [], "never tool_calls: []"
        if message["content"] is None:
            assert message.get("tool_calls"), "content null only beside tool calls"
        if settings.reasoning_policy == "never":
            assert not set(message) & REASONING_KEYS, "no reasoning for this preset"
        if settings.reasoning_policy == "every_message":
            assert isinstance(message.get("reasoning_content"), str), "DeepSeek reasoning_content"
        if provider == "mistral":
            for call in message.get("tool_calls", []):
                assert re.fullmatch(r"[A-Za-z0-9]{9}", call["id"]), "Mistral ids: 9 alphanumerics"
    if settings.reasoning_policy == "anchored":
        last_user = max(
            (i for i, m in enumerate(payload["messages"]) if m["role"] == "user"), default=-1
        )
        for message in payload["messages"][: last_user + 1]:
            assert not set(message) & REASONING_KEYS, "rule 7: no reasoning before the last user"


def check_anthropic_payload(payload: dict[str, Any], settings: RequestSettings) -> None:
    assert payload["model"] == settings.model and payload["stream"] is True
    assert isinstance(payload["max_tokens"], int)
    thinking = payload.get("thinking")
    if thinking is not None:
        budget = thinking["budget_tokens"]
        assert 1024 <= budget < payload["max_tokens"], "thinking budget in [1024, max_tokens)"
    assert "tools" not in payload or payload["tools"], "no empty tools array"
    messages = payload["messages"]
    assert messages[0]["role"] == "user", "first message is the user's"
    seen_ids: set[str] = set()
    for index, message in enumerate(messages):
        if index:
            assert message["role"] != messages[index - 1]["role"], f"roles alternate at {index}"
        blocks = message["content"]
        assert blocks, f"message {index} has content"
        kinds = [block["type"] for block in blocks]
        for block in blocks:
            if block["type"] == "text":
                assert block["text"].strip(), "no empty or whitespace-only text blocks"
        if message["role"] == "assistant":
            thinking_count = sum(k in ("thinking", "redacted_thinking") for k in kinds)
            assert all(k in ("thinking", "redacted_thinking") for k in kinds[:thinking_count])
            uses = [block for block in blocks if block["type"] == "tool_use"]
            for use in uses:
                assert isinstance(use["input"], dict), "tool_use.input is an object"
                assert re.fullmatch(r"[A-Za-z0-9_-]+", use["id"]), "tool_use id pattern"
                assert use["id"] not in seen_ids, "tool_use ids are unique"
                seen_ids.add(use["id"])
            if uses:
                answer = messages[index + 1]["content"]
                leading = [b["tool_use_id"] for b in answer[: len(uses)]]
                assert leading == [use["id"] for use in uses], "tool_result blocks first, in order"
                rest = answer[len(uses) :]
                assert all(b["type"] != "tool_result" for b in rest)
        else:
            kinds_after_results = kinds[sum(k == "tool_result" for k in kinds) :]
            assert "tool_result" not in kinds_after_results, "tool_result blocks come first"
            assert not {"thinking", "redacted_thinking", "tool_use"} & set(kinds)
    assert messages[-1]["role"] == "user", "the payload ends with a user message"


def check_gemini_payload(payload: dict[str, Any], settings: RequestSettings) -> None:
    assert "model" not in payload and "stream" not in payload, "the model goes in the URL"
    contents = payload["contents"]
    assert contents[0]["role"] == "user"
    for index, content in enumerate(contents):
        assert content["role"] in ("user", "model")
        assert content["parts"], f"content {index} has at least one part"
        if index:
            assert content["role"] != contents[index - 1]["role"], f"roles alternate at {index}"
        calls = [p["functionCall"] for p in content["parts"] if "functionCall" in p]
        if content["role"] == "model":
            assert not any("functionResponse" in p for p in content["parts"])
        for call in calls:
            assert isinstance(call["args"], dict), "functionCall args are an object"
        if calls:
            answer = contents[index + 1]["parts"]
            responses = [p["functionResponse"] for p in answer if "functionResponse" in p]
            assert [r["name"] for r in responses] == [c["name"] for c in calls], (
                "one functionResponse per functionCall, in order, in one content"
            )
            assert all("functionResponse" in p for p in answer[: len(calls)])
        elif content["role"] == "user" and index:
            previous_calls = [p for p in contents[index - 1]["parts"] if "functionCall" in p]
            responses = [p for p in content["parts"] if "functionResponse" in p]
            assert len(responses) == len(previous_calls), "no functionResponse without its call"
    assert contents[-1]["role"] == "user"
    generation = payload.get("generationConfig", {})
    if settings.max_tokens is not None:
        assert generation["maxOutputTokens"] == settings.max_tokens


def check_payload(payload: dict[str, Any], settings: RequestSettings) -> list[dict[str, Any]]:
    """Every section-4 invariant for the settings' dialect; returns the neutral view."""
    dialect = dialect_of(settings)
    if dialect == "anthropic":
        check_anthropic_payload(payload, settings)
    elif dialect == "gemini":
        check_gemini_payload(payload, settings)
    else:
        check_openai_payload(payload, settings)
    view = neutral_view(payload, dialect)
    check_rules(view)
    return view


# Payload against the history it came from ------------------------------------------------


def _not_json(name: str) -> Any:
    raise ValueError(name)


def well_formed(call: ToolCall) -> bool:
    """Rules 1-2 restated: empty means {}; otherwise strict JSON (no NaN), an object."""
    arguments = call.arguments if call.arguments.strip() else "{}"
    try:
        return isinstance(json.loads(arguments, parse_constant=_not_json), dict)
    except ValueError:
        return False


def check_against_history(
    view: list[dict[str, Any]], history: Sequence[Item], settings: RequestSettings
) -> None:
    """Rule 2 skips exactly the malformed calls; rule 3 keeps every later turn."""
    sent_calls = sum(len(entry["calls"]) for entry in view if entry["role"] == "assistant")
    good_calls = sum(isinstance(i, ToolCall) and well_formed(i) for i in history)
    assert sent_calls == good_calls, "every well-formed call is sent, no malformed one"
    user_text = "\n".join(entry["text"] for entry in view if entry["role"] == "user")
    for item in history:
        if isinstance(item, UserMessage) and item.text.strip():
            assert item.text in user_text, "rule 3: turns after an orphan are kept"
    for entry in view:
        if entry["role"] == "assistant":
            # Generated texts hold no blank line: one inside is where messages were joined.
            parts = entry["text"].split("\n\n")
            assert all(a != b for a, b in pairwise(parts)), "rule 5: duplicate kept"
    last = history[-1]
    if isinstance(last, UserMessage) and last.text.strip():
        assert view[-1]["role"] == "user" and view[-1]["text"].endswith(last.text)


# Item factories for table tests: explicit ids so reports can be compared exactly.


def user(item_id: str, text: str, images: Sequence[str] = ()) -> UserMessage:
    return UserMessage(id=item_id, text=text, images=list(images))


def said(
    item_id: str,
    text: str,
    provider: str | None = None,
    model: str | None = None,
    signature: str | None = None,
) -> AssistantMessage:
    return AssistantMessage(
        id=item_id, text=text, provider=provider, model=model, thought_signature=signature
    )


def thought(
    item_id: str, text: str, provider: str | None = None, model: str | None = None, **opaque: Any
) -> Reasoning:
    return Reasoning(id=item_id, text=text, provider=provider, model=model, **opaque)


def call(
    item_id: str,
    call_id: str,
    name: str = "read_file",
    arguments: str = "{}",
    provider: str | None = None,
    model: str | None = None,
    signature: str | None = None,
) -> ToolCall:
    return ToolCall(
        id=item_id,
        call_id=call_id,
        name=name,
        arguments=arguments,
        provider=provider,
        model=model,
        thought_signature=signature,
    )


def output(item_id: str, call_id: str, text: str = "ok", is_error: bool = False) -> ToolOutput:
    return ToolOutput(id=item_id, call_id=call_id, output=text, is_error=is_error)


def settings_for(provider: str, model: str = "m1", **overrides: Any) -> RequestSettings:
    preset = PRESETS[provider]
    return RequestSettings(
        provider=provider,
        model=model,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
        **overrides,
    )
