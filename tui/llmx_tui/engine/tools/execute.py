"""execute_tool_call: one model tool call in, one ToolResult out, never a crash.

Order of checks: arguments must be a JSON object (else the call is skipped,
not run), the tool must exist, the arguments must fit its parameters, the
call is approved if it needs to be, then it runs. Every failure becomes an
``is_error`` output the model can read; only cancellation propagates.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from llmx_tui.core.items import ToolCall
from llmx_tui.engine.tools.approval import ApprovalGate, ApprovalRequest
from llmx_tui.engine.tools.base import ToolError, ToolResult
from llmx_tui.engine.tools.registry import ToolRegistry

logger = logging.getLogger(__name__)

_QUOTED_PREFIX_CHARS = 120
# Room kept under the cap for the truncation note itself.
_NOTE_ROOM = 120


def parse_arguments(arguments: str) -> dict[str, Any] | None:
    """The arguments object, ``{}`` for empty input, None when not a JSON object."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def cap_output(text: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8 including a note saying how much was cut."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    kept = encoded[: max(max_bytes - _NOTE_ROOM, 0)].decode("utf-8", errors="ignore")
    cut = len(encoded) - len(kept.encode("utf-8"))
    return f"{kept}\n[output truncated: {cut} of {len(encoded)} bytes cut]"


async def execute_tool_call(
    call: ToolCall,
    *,
    registry: ToolRegistry,
    approvals: ApprovalGate,
    on_start: Callable[[], None] | None = None,
) -> ToolResult:
    """``on_start`` is called once the call is approved, just before the tool runs."""
    limit = registry.max_output_bytes
    arguments = parse_arguments(call.arguments)
    if arguments is None:
        return _skipped_malformed(call)
    tool = registry.get(call.name)
    if tool is None:
        available = ", ".join(registry.names()) or "(none)"
        message = f"Error: there is no tool named {call.name!r}. Available tools: {available}."
        return _failed(message, limit)
    try:
        prepared = tool.prepare(arguments, registry.context)
    except ToolError as exc:
        return _failed(f"Error: {exc}", limit)
    except Exception as exc:
        logger.exception("preparing tool %s failed", call.name)
        return _failed(f"Error: {call.name} failed: {type(exc).__name__}: {exc}", limit)
    if prepared.needs_approval:
        request = ApprovalRequest(
            call_id=call.call_id,
            name=call.name,
            arguments=call.arguments,
            description=prepared.description,
        )
        if await approvals.authorize(request) == "deny":
            output = approvals.denial_message(request)
            return ToolResult(output=output, is_error=True, status="denied")
    if on_start is not None:
        on_start()
    try:
        output = await prepared.run()
    except ToolError as exc:
        return _failed(f"Error: {exc}", limit)
    except Exception as exc:
        logger.exception("tool %s failed", call.name)
        return _failed(f"Error: {call.name} failed: {type(exc).__name__}: {exc}", limit)
    return ToolResult(output=cap_output(output, limit), is_error=False, status="done")


def _failed(output: str, limit: int) -> ToolResult:
    return ToolResult(output=cap_output(output, limit), is_error=True, status="failed")


def _skipped_malformed(call: ToolCall) -> ToolResult:
    sent = call.arguments
    prefix = sent[:_QUOTED_PREFIX_CHARS] + ("..." if len(sent) > _QUOTED_PREFIX_CHARS else "")
    return ToolResult(
        output=(
            f"Error: the arguments for {call.name} were not valid JSON (a JSON object is "
            f"required), so the call was not executed. Received: {prefix!r}. "
            "Retry with complete, valid JSON arguments."
        ),
        is_error=True,
        status="skipped",
    )
