"""generateContent request bodies (PAYLOAD-RULES section 2, ``gemini``).

Roles are ``user`` and ``model`` and alternate; every function call of a step
is answered by one ``functionResponse`` part each, in call order, in ONE
content. ``thoughtSignature`` goes back on the exact part it came on (text,
thought or function call), for the current turn and the same model only. The
model name goes in the URL, so the body has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmx_tui.core.items import AssistantMessage, Item, ToolCall
from llmx_tui.providers.base import ReportEntry, RequestSettings, ToolSpec
from llmx_tui.providers.history import normalise_history
from llmx_tui.providers.history_model import (
    LEADING_USER_TEXT,
    AssistantStep,
    PairedCall,
    UserStep,
    cyclic_gc_paused,
    is_same_owner,
    reasoning_signature,
    split_data_url,
)

UNSIGNED_CALL_SIGNATURE = "skip_thought_signature_validator"
_THINKING_BUDGET = {
    "minimal": 512,
    "low": 1024,
    "medium": 8192,
    "high": 24576,
    "xhigh": -1,
    "max": -1,
}
_IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "heic": "image/heic",
}


@cyclic_gc_paused()
def build_payload(
    history: Sequence[Item], settings: RequestSettings
) -> tuple[dict[str, Any], list[ReportEntry]]:
    """The generateContent request body for ``history`` and what was changed to make it legal."""
    normalised = normalise_history(history, settings)
    report = normalised.report
    contents: list[dict[str, Any]] = []
    for step in normalised.steps:
        if isinstance(step, UserStep):
            append_parts(contents, "user", user_parts(step))
            continue
        append_parts(contents, "model", model_parts(step, settings, report))
        if step.calls:
            append_parts(contents, "user", [function_response(call) for call in step.calls])
    if contents and contents[0]["role"] != "user":
        # A function-call turn must follow a user turn.
        contents.insert(0, {"role": "user", "parts": [{"text": LEADING_USER_TEXT}]})
        first = normalised.steps[0]
        report.append(
            ReportEntry(
                first.first_item_id() if isinstance(first, AssistantStep) else None,
                "leading-assistant",
                "synthesised",
                "the history must start with a user turn",
            )
        )
    payload: dict[str, Any] = {"contents": contents}
    if settings.system_prompt and settings.system_prompt.strip():
        payload["systemInstruction"] = {"parts": [{"text": settings.system_prompt}]}
    if settings.tools:
        payload["tools"] = [{"functionDeclarations": [declaration(t) for t in settings.tools]}]
    config = generation_config(settings)
    if config:
        payload["generationConfig"] = config
    payload.update(settings.extra_body)
    return payload, report


def append_parts(contents: list[dict[str, Any]], role: str, parts: list[dict[str, Any]]) -> None:
    """Adjacent contents of one role become one: roles must alternate."""
    if contents and contents[-1]["role"] == role:
        contents[-1]["parts"].extend(parts)
    else:
        contents.append({"role": role, "parts": parts})


def user_parts(step: UserStep) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if step.text.strip():
        parts.append({"text": step.text})
    for url in step.images:
        inline = split_data_url(url)
        if inline is None:
            suffix = url.rsplit(".", 1)[-1].lower()
            parts.append(
                {"fileData": {"fileUri": url, "mimeType": _IMAGE_TYPES.get(suffix, "image/jpeg")}}
            )
        else:
            parts.append({"inlineData": {"mimeType": inline[0], "data": inline[1]}})
    return parts


def model_parts(
    step: AssistantStep, settings: RequestSettings, report: list[ReportEntry]
) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for item in step.reasoning:  # already limited to this turn and this model
        signature = reasoning_signature(item)
        if signature:
            parts.append({"text": item.text, "thought": True, "thoughtSignature": signature})
        else:
            report.append(
                ReportEntry(
                    item.id,
                    "unreplayable-reasoning",
                    "dropped_reasoning",
                    "a thought without a signature is not sent back",
                )
            )
    for message in step.segments:
        part: dict[str, Any] = {"text": message.text}
        if message.thought_signature:
            sign(part, message, step, settings, report)
        parts.append(part)
    first_call = len(parts)
    for call in step.calls:
        item = call.item
        part = {"functionCall": {"name": item.name, "args": call.parsed}}
        if item.thought_signature:
            sign(part, item, step, settings, report)
        parts.append(part)
    if step.calls and step.current_loop and validates_signatures(settings.model):
        vouch_for_unsigned_call(parts[first_call], step.calls[0].item.id, report)
    return parts


def validates_signatures(model: str) -> bool:
    """Gemini 3 rejects a current-turn function call without a signature."""
    return model.removeprefix("models/").startswith("gemini-3")


def vouch_for_unsigned_call(part: dict[str, Any], item_id: str, report: list[ReportEntry]) -> None:
    """A step's first call must carry a signature on Gemini 3. A call from another
    model has none: Google documents this placeholder for such histories."""
    if "thoughtSignature" in part:
        return
    part["thoughtSignature"] = UNSIGNED_CALL_SIGNATURE
    report.append(
        ReportEntry(
            item_id,
            "missing-thought-signature",
            "synthesised",
            "the placeholder signature Google documents for calls from other models",
        )
    )


def sign(
    part: dict[str, Any],
    item: AssistantMessage | ToolCall,
    step: AssistantStep,
    settings: RequestSettings,
    report: list[ReportEntry],
) -> None:
    """Rule 6 for a signed item: the signature is replayed on its own part, to its own
    model, this turn only."""
    signature = item.thought_signature
    if not step.current_loop:
        report.append(
            ReportEntry(
                item.id,
                "earlier-turn-reasoning",
                "dropped_reasoning",
                "thoughtSignature of an earlier turn",
            )
        )
    elif not is_same_owner(item, settings):
        report.append(
            ReportEntry(
                item.id,
                "foreign-reasoning",
                "dropped_reasoning",
                f"thoughtSignature made by {item.provider}/{item.model}",
            )
        )
    else:
        part["thoughtSignature"] = signature


def function_response(call: PairedCall) -> dict[str, Any]:
    key = "error" if call.is_error else "output"
    return {"functionResponse": {"name": call.item.name, "response": {key: call.result_text}}}


def declaration(tool: ToolSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": tool.name}
    if tool.description:
        entry["description"] = tool.description
    # Full JSON Schema (pydantic output has $defs, titles...): the OpenAPI-subset
    # ``parameters`` field would reject it.
    entry["parametersJsonSchema"] = tool.parameters
    return entry


def generation_config(settings: RequestSettings) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if settings.max_tokens is not None:
        config["maxOutputTokens"] = settings.max_tokens
    if settings.temperature is not None:
        config["temperature"] = settings.temperature
    effort = settings.reasoning_effort
    if effort and effort != "none":
        if settings.model.startswith("gemini-3"):
            level = "low" if effort in ("minimal", "low") else "high"
            config["thinkingConfig"] = {"thinkingLevel": level, "includeThoughts": True}
        else:
            config["thinkingConfig"] = {
                "thinkingBudget": _THINKING_BUDGET.get(effort, 8192),
                "includeThoughts": True,
            }
    return config
