"""Strict per-dialect payload validators: PAYLOAD-RULES.md as pure functions.

Each validator reads a built payload and raises ``Violation`` (an
AssertionError) naming what the provider would reject. Written apart from
``tests/payload_validators.py`` so the two check each other. Opaque values in
generated histories (signatures, encrypted data, details) are markers starting
with "~" that name their owner, so a replay to the wrong provider, model or
part can be found by searching the payload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    Reasoning,
    ToolCall,
    UserMessage,
)
from llmx_tui.providers.anthropic.payload import build_payload as anthropic_payload
from llmx_tui.providers.base import RequestSettings
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


# OpenAI's pattern for function names, enforced on the history's calls too.
OPENAI_TOOL_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
            if rs.provider == "mistral":  # 'Unexpected role user after role tool'
                require(previous != "tool", f"mistral: user message after tool results at {index}")
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
        if rs.provider == "openai":  # string_above_max_length
            require(len(call_id) <= 40, f"openai id of at most 40 characters: {call_id!r}")
        require(call_id not in seen_ids, f"tool call id {call_id!r} used twice")
        seen_ids.add(call_id)
        ids.append(call_id)
        function = call["function"]
        require(isinstance(function.get("name"), str), "function name")
        if rs.provider == "openai":  # 'function.name: string does not match pattern'
            require(OPENAI_TOOL_NAME.fullmatch(function["name"]), f"name {function['name']!r}")
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
