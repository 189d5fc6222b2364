"""Chat Completions request bodies for every OpenAI-style preset.

The history is normalised by ``providers.history``; this module only writes
the wire shapes and applies each preset's own rules (PAYLOAD-RULES section 2).
Unknown providers get the strict form: no reasoning fields, no stream_options,
no reasoning effort.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from llmx_tui.core.items import Item, Reasoning
from llmx_tui.providers.base import ReportEntry, RequestSettings, ToolSpec
from llmx_tui.providers.history import compact_history
from llmx_tui.providers.history_ids import (
    VALID_TOOL_NAMES,
    ShapeId,
    mistral_id,
    openai_id,
    tool_name,
)
from llmx_tui.providers.history_model import (
    CompactAssistant,
    CompactUser,
    cyclic_gc_paused,
    joined_reasoning_text,
    replay_details,
)
from llmx_tui.providers.registry import PRESETS
from llmx_tui.providers.surrogates import mended_text

EffortStyle = Literal["none", "reasoning_effort", "openai_reasoning_models", "openrouter", "ollama"]

_OPENAI_REASONING_MODEL = re.compile(r"^(o1|o3|o4)(-|$)|^gpt-5(?!.*-chat)")
_OLLAMA_EFFORTS = {
    "none": "none",
    "minimal": "low",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "xhigh": "high",
    "max": "high",
}


@dataclass(frozen=True)
class PresetRules:
    max_tokens_key: str = "max_tokens"
    effort: EffortStyle = "none"
    stream_options: bool = False
    # A user message may not follow tool messages: an assistant message goes between.
    assistant_after_tools: bool = False
    # Call names in the history must match ``^[A-Za-z0-9_-]{1,64}$`` (``tool_name``).
    strict_names: bool = False
    # The tool-call id shape the server accepts (None: any id, sent as saved).
    shape_id: ShapeId | None = None


_EFFORT_BY_PRESET: dict[str, EffortStyle] = {
    "openai": "openai_reasoning_models",
    "openrouter": "openrouter",
    "ollama": "ollama",
    "groq": "reasoning_effort",
    "xai": "reasoning_effort",
    "together": "reasoning_effort",
    "vllm": "reasoning_effort",
    "llamacpp": "reasoning_effort",
    "lmstudio": "reasoning_effort",
}


# What goes between tool results and the user message that follows them, for servers that
# reject the pair (Mistral: "Unexpected role 'user' after role 'tool'"). It is left when a
# turn stopped on its tool results (the step limit, a cancel, a failed step).
BRIDGE_TEXT = "(The turn stopped after these tool results.)"

# Mistral: exactly 9 alphanumerics; OpenAI: at most 40 characters. Ids from another
# provider are reshaped consistently (a call and its result alike).
_ID_SHAPES: dict[str, ShapeId] = {"mistral": mistral_id, "openai": openai_id}


def preset_rules(provider: str) -> PresetRules:
    preset = PRESETS.get(provider)
    if preset is None or preset.dialect != "openai-chat":
        return PresetRules()  # unknown server: the strict form
    return PresetRules(
        max_tokens_key="max_completion_tokens" if provider == "openai" else "max_tokens",
        effort=_EFFORT_BY_PRESET.get(provider, "none"),
        stream_options=preset.supports_stream_options,
        assistant_after_tools=provider == "mistral",
        strict_names=provider == "openai",
        shape_id=_ID_SHAPES.get(provider),
    )


def is_openai_reasoning_model(model: str) -> bool:
    return bool(_OPENAI_REASONING_MODEL.match(model.removeprefix("openai/")))


@cyclic_gc_paused()
def build_payload(
    history: Sequence[Item], settings: RequestSettings
) -> tuple[dict[str, Any], list[ReportEntry]]:
    """The Chat Completions request body for ``history`` and what was changed to make it legal."""
    rules = preset_rules(settings.provider)
    compact = compact_history(history, settings, rules.shape_id)
    report = compact.report
    messages: list[dict[str, Any]] = []
    if settings.system_prompt and settings.system_prompt.strip():
        # "system", never "developer": DeepSeek and most servers reject the latter.
        system = mended_text(settings.system_prompt, None, "system prompt", report)
        messages.append({"role": "system", "content": system})
    write_messages(
        messages,
        compact.steps,
        settings,
        report if rules.strict_names else None,
        report if rules.assistant_after_tools else None,
    )
    payload: dict[str, Any] = {"model": settings.model, "messages": messages, "stream": True}
    if settings.include_usage and rules.stream_options:
        payload["stream_options"] = {"include_usage": True}
    add_generation_settings(payload, settings, rules, report)
    if settings.tools:
        payload["tools"] = [tool_entry(tool) for tool in settings.tools]
    payload.update(settings.extra_body)
    return payload, report


def write_messages(
    messages: list[dict[str, Any]],
    steps: list[CompactUser | CompactAssistant],
    settings: RequestSettings,
    name_report: list[ReportEntry] | None = None,
    bridge_report: list[ReportEntry] | None = None,
) -> None:
    """One message per user step; per assistant step, one message and one per result.

    With ``name_report`` call names are sent in the strict shape (``tool_name``), each
    change reported there; with ``bridge_report`` a user message never follows tool
    messages directly (``BRIDGE_TEXT``).

    Runs once per step of the whole history on every request, hence one loop
    with the common shapes written inline.
    """
    policy = settings.reasoning_policy
    anchored = policy == "anchored"
    # The field every assistant message carries (DeepSeek), else "".
    every_message = policy == "every_message" and (settings.reasoning_field or "reasoning_content")
    append = messages.append
    valid_names = VALID_TOOL_NAMES
    for step in steps:
        if type(step) is not list:  # a user step (a test on list lets the type checker narrow)
            item_id, text, images = step
            if bridge_report is not None and messages and messages[-1]["role"] == "tool":
                append(bridge_message(item_id, bridge_report))
            append({"role": "user", "content": text} if not images else user_message(text, images))
            continue
        segments, calls, reasoning, _, text = step
        if text is None:
            text = "\n\n".join([segment.text for segment in segments])
        # content is null only beside tool calls; tool_calls is never an empty list.
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if calls:
            entries = []
            for item, name, arguments, _, wire_id, _, _, _ in calls:
                if name_report is not None and name not in valid_names:
                    name = shaped_name(item, name, name_report)
                function = {"name": name, "arguments": arguments}
                entries.append({"id": wire_id, "type": "function", "function": function})
            message["tool_calls"] = entries
        if every_message:
            # DeepSeek thinking mode rejects an assistant message without the field.
            message[every_message] = (
                reasoning[0].text if len(reasoning) == 1 else (joined_reasoning_text(reasoning))
            )
        elif reasoning and anchored:
            add_reasoning(message, reasoning, settings)
        append(message)
        for call in calls:
            append({"role": "tool", "tool_call_id": call[4], "content": call[5]})


def shaped_name(item: Item, name: str, report: list[ReportEntry]) -> str:
    """The call's name in the strict shape, reported when it changed."""
    shaped = tool_name(name)
    if shaped != name:
        report.append(
            ReportEntry(item.id, "tool-name-format", "changed", f"name {name!r} sent as {shaped!r}")
        )
    return shaped


def bridge_message(item_id: str, report: list[ReportEntry]) -> dict[str, Any]:
    """The assistant message that goes between tool results and the user message
    ``item_id`` (servers that reject the pair)."""
    report.append(
        ReportEntry(
            item_id,
            "tool-then-user",
            "synthesised",
            "an assistant message between the tool results and this message",
        )
    )
    return {"role": "assistant", "content": BRIDGE_TEXT}


def user_message(text: str, images: Sequence[str]) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    if text.strip():
        parts.append({"type": "text", "text": text})
    parts.extend({"type": "image_url", "image_url": {"url": url}} for url in images)
    return {"role": "user", "content": parts}


def add_reasoning(
    message: dict[str, Any], reasoning: list[Reasoning], settings: RequestSettings
) -> None:
    policy = settings.reasoning_policy
    if policy == "every_message":
        # DeepSeek thinking mode rejects an assistant message without the field.
        field = settings.reasoning_field or "reasoning_content"
        message[field] = joined_reasoning_text(reasoning)
        return
    if policy != "anchored" or not reasoning:
        return
    field = settings.reasoning_field or "reasoning"
    if field != "reasoning_details":
        text = joined_reasoning_text(reasoning)
        if text:
            message[field] = text
        return
    # OpenRouter: the provider-native details verbatim, else the plain text.
    details = [detail for item in reasoning for detail in replay_details(item) or ()]
    text = joined_reasoning_text([item for item in reasoning if not replay_details(item)])
    if details:
        message["reasoning_details"] = details
    if text:
        message["reasoning"] = text


def add_generation_settings(
    payload: dict[str, Any],
    settings: RequestSettings,
    rules: PresetRules,
    report: list[ReportEntry],
) -> None:
    reasoning_model = rules.effort == "openai_reasoning_models" and is_openai_reasoning_model(
        settings.model
    )
    if settings.max_tokens is not None:
        payload[rules.max_tokens_key] = settings.max_tokens
    if settings.temperature is not None:
        if reasoning_model:
            report.append(
                ReportEntry(
                    None,
                    "unsupported-parameter",
                    "dropped",
                    f"{settings.model} does not take a temperature",
                )
            )
        else:
            payload["temperature"] = settings.temperature
    effort = settings.reasoning_effort
    if not effort:
        return
    if rules.effort == "openrouter":
        payload["reasoning"] = {"effort": effort}
    elif rules.effort == "ollama":
        payload["reasoning_effort"] = _OLLAMA_EFFORTS.get(effort, "medium")
    elif rules.effort == "reasoning_effort" or reasoning_model:
        payload["reasoning_effort"] = effort
    else:
        report.append(
            ReportEntry(
                None,
                "unsupported-parameter",
                "dropped",
                f"reasoning effort is not sent to {settings.provider}/{settings.model}",
            )
        )


def tool_entry(tool: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name}
    if tool.description:
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    return {"type": "function", "function": function}
