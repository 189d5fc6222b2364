"""Markdown export: a readable transcript, one heading per turn.

Reasoning goes in <details>, tool calls and outputs in fenced blocks whose
fence is longer than any backtick run inside, so model output can never end
a block early or break the document's structure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

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
from llmx_tui.core.surrogates import encodable
from llmx_tui.store.models import SessionInfo

_ASSISTANT_SIDE = (AssistantMessage, Reasoning, ToolCall, ToolOutput)
_STRUCTURE_TAG = re.compile(r"<(?=/?\s*(details|summary)\b)", re.IGNORECASE)


def session_to_markdown(info: SessionInfo, items: Sequence[Item]) -> str:
    blocks = [f"# {info.title or 'Untitled session'}", _metadata(info)]
    if info.system_prompt:
        blocks += ["## System prompt", fenced(info.system_prompt)]
    turn = 0
    assistant_speaking = False
    for item in items:
        if isinstance(item, UserMessage):
            turn += 1
            blocks += [f"## Turn {turn}", "### You"]
            assistant_speaking = False
        elif isinstance(item, _ASSISTANT_SIDE) and not assistant_speaking:
            blocks.append("### Assistant")
            assistant_speaking = True
        blocks.extend(_item_blocks(item))
    document = "\n\n".join(blocks) + "\n"
    # A lone surrogate (an imported session) cannot be written as UTF-8.
    return encodable(document)


def _metadata(info: SessionInfo) -> str:
    lines = [
        f"- Session: `{info.id}`",
        f"- Created: {_when(info.created)}; updated: {_when(info.updated)}",
    ]
    if info.provider or info.model:
        lines.append(f"- Model: {info.model or 'unknown'} ({info.provider or 'unknown provider'})")
    if info.input_tokens or info.output_tokens:
        lines.append(
            f"- Tokens: {info.input_tokens:,} in ({info.cached_input_tokens:,} cached), "
            f"{info.output_tokens:,} out ({info.reasoning_tokens:,} reasoning)"
        )
    return "\n".join(lines)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _item_blocks(item: Item) -> Iterator[str]:
    if isinstance(item, UserMessage):
        yield item.text
        if item.images:
            yield f"*({len(item.images)} image(s) attached)*"
    elif isinstance(item, AssistantMessage):
        yield item.text
    elif isinstance(item, Reasoning):
        yield _reasoning(item)
    elif isinstance(item, ToolCall):
        yield f"**Tool call** `{_inline(item.name)}` (id `{_inline(item.call_id)}`)"
        yield _arguments(item.arguments)
    elif isinstance(item, ToolOutput):
        status = f", {item.status}" if item.status in ("denied", "skipped", "cancelled") else ""
        status = status or (", failed" if item.is_error else "")
        yield f"**Tool output** (id `{_inline(item.call_id)}`{status})"
        yield fenced(item.output)
    elif isinstance(item, TurnError):
        yield f"> **Error** ({item.kind}): {' '.join(item.message.split())}"
    elif isinstance(item, Cancelled):
        yield "> *Cancelled by the user.*"


def _reasoning(item: Reasoning) -> str:
    if item.text.strip():
        body = _STRUCTURE_TAG.sub("&lt;", item.text)
        return f"<details>\n<summary>Reasoning</summary>\n\n{body}\n\n</details>"
    return "<details>\n<summary>Reasoning (not shown by the provider)</summary>\n</details>"


def _arguments(arguments: str) -> str:
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return "*Arguments (not valid JSON):*\n\n" + fenced(arguments)
    return fenced(json.dumps(parsed, indent=2, ensure_ascii=False), "json")


def _inline(text: str) -> str:
    """Text safe inside a single-backtick code span on one line."""
    return " ".join(text.replace("`", "'").split())


def fenced(text: str, language: str = "") -> str:
    """A fenced code block with a fence longer than any backtick run in ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip(chr(10))}\n{fence}"
