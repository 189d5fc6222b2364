"""Messages API request bodies (PAYLOAD-RULES section 2, ``anthropic``).

Roles alternate strictly: tool results open the next user message, a user
message that follows them joins it after the results. Thinking blocks of the
current tool loop go back verbatim, first in their assistant message; earlier
turns drop them (all of a message's blocks, never some).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmx_tui.core.items import Item, Reasoning
from llmx_tui.providers.base import ReportEntry, RequestSettings, ToolSpec
from llmx_tui.providers.history import compact_history
from llmx_tui.providers.history_ids import VALID_TOOL_NAMES, anthropic_id, tool_name
from llmx_tui.providers.history_model import (
    LEADING_USER_TEXT,
    STEP_INCOMPLETE,
    STEP_REASONING,
    CompactAssistant,
    CompactUser,
    compact_first_item_id,
    cyclic_gc_paused,
    reasoning_signature,
    replay_details,
    split_data_url,
)
from llmx_tui.providers.surrogates import mended_text

DEFAULT_MAX_TOKENS = 8192
MIN_THINKING_BUDGET = 1024
# Share of max_tokens given to thinking per effort (never below the 1024 floor).
_BUDGET_SHARE = {
    "minimal": 0.0,
    "low": 0.25,
    "medium": 0.5,
    "high": 0.75,
    "xhigh": 0.875,
    "max": 0.875,
}


@cyclic_gc_paused()
def build_payload(
    history: Sequence[Item], settings: RequestSettings
) -> tuple[dict[str, Any], list[ReportEntry]]:
    """The Messages API request body for ``history`` and what was changed to make it legal."""
    compact = compact_history(history, settings, anthropic_id)
    report = compact.report
    messages = write_messages(compact.steps, report)
    if messages and messages[0]["role"] != "user":
        messages.insert(
            0, {"role": "user", "content": [{"type": "text", "text": LEADING_USER_TEXT}]}
        )
        first = compact.steps[0]
        report.append(
            ReportEntry(
                compact_first_item_id(first) if first.__class__ is list else None,
                "leading-assistant",
                "synthesised",
                "the history must start with a user message",
            )
        )
    max_tokens = settings.max_tokens or DEFAULT_MAX_TOKENS
    payload: dict[str, Any] = {
        "model": settings.model,
        "max_tokens": max_tokens,
        "messages": messages,
        "stream": True,
    }
    if settings.system_prompt and settings.system_prompt.strip():
        payload["system"] = mended_text(settings.system_prompt, None, "system prompt", report)
    thinking = thinking_config(settings.reasoning_effort, max_tokens, report)
    if thinking is not None and loop_lacks_thinking(messages):
        # Thinking on needs the loop's last assistant message to open with its
        # (signed) thinking; when it cannot (model switch, cut stream) this
        # request goes without thinking rather than being rejected.
        thinking = None
        report.append(
            ReportEntry(
                None,
                "thinking-budget",
                "changed",
                "thinking is off for this request: the tool loop's last assistant message "
                "has no thinking block to replay",
            )
        )
    if thinking is not None:
        payload["thinking"] = thinking
    if settings.temperature is not None:
        if thinking is None:
            payload["temperature"] = settings.temperature
        else:
            report.append(
                ReportEntry(
                    None,
                    "unsupported-parameter",
                    "dropped",
                    "temperature cannot be set while thinking",
                )
            )
    if settings.tools:
        payload["tools"] = [tool_entry(tool) for tool in settings.tools]
    payload.update(settings.extra_body)
    return payload, report


def write_messages(
    steps: list[CompactUser | CompactAssistant], report: list[ReportEntry]
) -> list[dict[str, Any]]:
    """Alternating messages: an assistant step's results open the next user message, and a
    user step that follows them joins it (as any two adjacent messages of one role do).

    Runs once per step of the whole history on every request, hence one loop
    with the common shapes written inline.
    """
    messages: list[dict[str, Any]] = []
    append = messages.append
    last_role = ""
    for step in steps:
        if type(step) is not list:  # a user step (a test on list lets the type checker narrow)
            _, text, images = step
            if images:
                blocks = user_blocks(text, images)
            elif text.strip():
                blocks = [{"type": "text", "text": text}]
            else:
                blocks = []
            if last_role == "user":
                messages[-1]["content"].extend(blocks)
            else:
                append({"role": "user", "content": blocks})
                last_role = "user"
            continue
        segments, calls, reasoning, _, text = step
        blocks = thinking_blocks(step, report) if reasoning else []
        if text is None:  # several segments: a block each
            blocks += [{"type": "text", "text": segment.text} for segment in segments]
        elif segments:
            blocks.append({"type": "text", "text": text})
        for item, name, _, parsed, wire_id, _, _, _ in calls:
            if name not in VALID_TOOL_NAMES:  # the documented tool-name pattern, for history too
                shaped = tool_name(name)
                if shaped != name:
                    report.append(
                        ReportEntry(
                            item.id,
                            "tool-name-format",
                            "changed",
                            f"name {name!r} sent as {shaped!r}",
                        )
                    )
                    name = shaped
            blocks.append({"type": "tool_use", "id": wire_id, "name": name, "input": parsed})
        if last_role == "assistant":
            messages[-1]["content"].extend(blocks)
        else:
            append({"role": "assistant", "content": blocks})
            last_role = "assistant"
        if calls:
            results = []
            for _, _, _, _, wire_id, result, is_error, _ in calls:
                block: dict[str, Any] = {"type": "tool_result", "tool_use_id": wire_id}
                if result.strip():  # whitespace-only text is rejected; an absent content is not
                    block["content"] = result
                if is_error:
                    block["is_error"] = True
                results.append(block)
            append({"role": "user", "content": results})
            last_role = "user"
    return messages


def user_blocks(text: str, images: Sequence[str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if text.strip():
        blocks.append({"type": "text", "text": text})
    for url in images:
        inline = split_data_url(url)
        if inline is None:
            blocks.append({"type": "image", "source": {"type": "url", "url": url}})
        else:
            blocks.append(
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": inline[0], "data": inline[1]},
                }
            )
    return blocks


def thinking_blocks(step: CompactAssistant, report: list[ReportEntry]) -> list[dict[str, Any]]:
    """The step's thinking blocks verbatim, or none if any one cannot be replayed."""
    blocks: list[dict[str, Any]] = []
    reasoning = step[STEP_REASONING]
    for item in reasoning:
        replay = replay_blocks(item)
        if replay is None:
            step[STEP_INCOMPLETE] = True
            break
        blocks.extend(replay)
    if not step[STEP_INCOMPLETE]:
        return blocks
    for item in reasoning:
        report.append(
            ReportEntry(
                item.id,
                "unreplayable-reasoning",
                "dropped_reasoning",
                "a message's thinking blocks go back all together or not at all",
            )
        )
    return []


def replay_blocks(item: Reasoning) -> list[dict[str, Any]] | None:
    details = replay_details(item)
    if details:
        return details if all(_is_signed_block(block) for block in details) else None
    signature = reasoning_signature(item)
    if signature:
        return [{"type": "thinking", "thinking": item.text, "signature": signature}]
    if item.encrypted:
        return [{"type": "redacted_thinking", "data": item.encrypted}]
    return None


def _is_signed_block(block: dict[str, Any]) -> bool:
    if block.get("type") == "thinking":
        return bool(block.get("signature"))
    if block.get("type") == "redacted_thinking":
        return bool(block.get("data"))
    return False


def loop_lacks_thinking(messages: list[dict[str, Any]]) -> bool:
    """Inside a tool loop, does the last assistant message miss its thinking?"""
    if len(messages) < 2 or messages[-1]["content"][0]["type"] != "tool_result":
        return False
    return messages[-2]["content"][0]["type"] not in ("thinking", "redacted_thinking")


def thinking_config(
    effort: str | None, max_tokens: int, report: list[ReportEntry]
) -> dict[str, Any] | None:
    """``budget_tokens`` must be at least 1024 and below ``max_tokens``."""
    if not effort or effort == "none":
        return None
    budget = max(MIN_THINKING_BUDGET, int(max_tokens * _BUDGET_SHARE.get(effort, 0.5)))
    if budget >= max_tokens:
        report.append(
            ReportEntry(
                None,
                "thinking-budget",
                "changed",
                f"max_tokens {max_tokens} leaves no room for thinking "
                f"(at least {MIN_THINKING_BUDGET}); thinking is off",
            )
        )
        return None
    return {"type": "enabled", "budget_tokens": budget}


def tool_entry(tool: ToolSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": tool.name}
    if tool.description:
        entry["description"] = tool.description
    entry["input_schema"] = tool.parameters
    return entry
