"""Helpers shared by the tools tests (no tests here): calls, a scripted gate, a runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmx_tui.core.items import ToolCall
from llmx_tui.engine.tools import (
    ApprovalGate,
    ApprovalRequest,
    Decision,
    ToolRegistry,
    ToolResult,
    execute_tool_call,
)


def tool_call(name: str, arguments: dict[str, Any] | str, call_id: str = "call_1") -> ToolCall:
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return ToolCall(call_id=call_id, name=name, arguments=raw)


class ScriptedGate(ApprovalGate):
    """Answers with the scripted decisions in order and records every question."""

    def __init__(self, *decisions: Decision) -> None:
        super().__init__()
        self.decisions = list(decisions)
        self.requests: list[ApprovalRequest] = []

    async def decide(self, request: ApprovalRequest) -> Decision:
        self.requests.append(request)
        if not self.decisions:
            raise AssertionError(f"unexpected approval request: {request.description}")
        return self.decisions.pop(0)


async def run_tool(
    registry: ToolRegistry,
    name: str,
    arguments: dict[str, Any] | str,
    gate: ApprovalGate | None = None,
) -> ToolResult:
    return await execute_tool_call(
        tool_call(name, arguments), registry=registry, approvals=gate or ScriptedGate()
    )


def make_registry(working_dir: Path, **options: Any) -> ToolRegistry:
    return ToolRegistry.with_builtins(working_dir, **options)
