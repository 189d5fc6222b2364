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

from llmx_tui.core.items import AssistantMessage, Item, Reasoning, ToolCall
from llmx_tui.providers.base import ReportEntry, RequestSettings, ToolSpec
from llmx_tui.providers.history import compact_history
from llmx_tui.providers.history_model import (
    LEADING_USER_TEXT,
    CompactHistory,
    compact_first_item_id,
    cyclic_gc_paused,
    is_same_owner,
    reasoning_signature,
    split_data_url,
)
from llmx_tui.providers.surrogates import mended_text

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
    compact = compact_history(history, settings)
    report = compact.report
    contents = write_contents(compact, settings)
    if contents and contents[0]["role"] != "user":
        # A function-call turn must follow a user turn.
        contents.insert(0, {"role": "user", "parts": [{"text": LEADING_USER_TEXT}]})
        first = compact.steps[0]
        report.append(
            ReportEntry(
                compact_first_item_id(first) if first.__class__ is list else None,
                "leading-assistant",
                "synthesised",
                "the history must start with a user turn",
            )
        )
    payload: dict[str, Any] = {"contents": contents}
    if settings.system_prompt and settings.system_prompt.strip():
        system = mended_text(settings.system_prompt, None, "system prompt", report)
        payload["systemInstruction"] = {"parts": [{"text": system}]}
    if settings.tools:
        payload["tools"] = [{"functionDeclarations": [declaration(t) for t in settings.tools]}]
    config = generation_config(settings)
    if config:
        payload["generationConfig"] = config
    payload.update(settings.extra_body)
    return payload, report


def write_contents(compact: CompactHistory, settings: RequestSettings) -> list[dict[str, Any]]:
    """Alternating contents: a step's function responses form one user content, and a
    user step that follows them joins it (as any two adjacent contents of one role do).

    Runs once per step of the whole history on every request, hence one loop
    with the common shapes written inline.
    """
    report = compact.report
    loop_start = compact.loop_start
    signatures_checked = validates_signatures(settings.model)
    contents: list[dict[str, Any]] = []
    append = contents.append
    last_role = ""
    for index, step in enumerate(compact.steps):
        if type(step) is not list:  # a user step (a test on list lets the type checker narrow)
            _, text, images = step
            if images:
                parts = user_parts(text, images)
            elif text.strip():
                parts = [{"text": text}]
            else:
                parts = []
            if last_role == "user":
                contents[-1]["parts"].extend(parts)
            else:
                append({"role": "user", "parts": parts})
                last_role = "user"
            continue
        # The model content: thoughts, text parts, then function calls, each signed
        # where its signature may go back (``sign``).
        segments, calls, reasoning, _, text = step
        current_loop = index >= loop_start
        parts = thought_parts(reasoning, report) if reasoning else []
        for message in segments:
            part: dict[str, Any] = {"text": message.text if text is None else text}
            signature = message.thought_signature
            if signature:
                sign(part, message, signature, current_loop, settings, report)
            parts.append(part)
        first_call = len(parts)
        for item, name, _, parsed, _, _, _, signature in calls:
            part = {"functionCall": {"name": name, "args": parsed}}
            if signature:
                sign(part, item, signature, current_loop, settings, report)
            parts.append(part)
        if calls and current_loop and signatures_checked:
            vouch_for_unsigned_call(parts[first_call], calls[0][0].id, report)
        if last_role == "model":
            contents[-1]["parts"].extend(parts)
        else:
            append({"role": "model", "parts": parts})
            last_role = "model"
        if calls:
            responses = []
            for _, name, _, _, _, result, is_error, _ in calls:
                response = {"error": result} if is_error else {"output": result}
                responses.append({"functionResponse": {"name": name, "response": response}})
            append({"role": "user", "parts": responses})
            last_role = "user"
    return contents


def user_parts(text: str, images: Sequence[str]) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if text.strip():
        parts.append({"text": text})
    for url in images:
        inline = split_data_url(url)
        if inline is None:
            suffix = url.rsplit(".", 1)[-1].lower()
            parts.append(
                {"fileData": {"fileUri": url, "mimeType": _IMAGE_TYPES.get(suffix, "image/jpeg")}}
            )
        else:
            parts.append({"inlineData": {"mimeType": inline[0], "data": inline[1]}})
    return parts


def thought_parts(reasoning: list[Reasoning], report: list[ReportEntry]) -> list[dict[str, Any]]:
    """Thoughts go back with their signature; reasoning is already limited to this turn
    and this model."""
    parts: list[dict[str, Any]] = []
    for item in reasoning:
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
    signature: str,
    current_loop: bool,
    settings: RequestSettings,
    report: list[ReportEntry],
) -> None:
    """Rule 6 for a signed item: the signature is replayed on its own part, to its own
    model, this turn only."""
    if not current_loop:
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
