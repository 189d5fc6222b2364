"""Wires the tools layer to the turn engine: registry, MCP servers, approval gate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from llmx_tui.config import Settings
from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import ToolCall
from llmx_tui.engine.tools.approval import ApprovalGate, BusApprovalGate, headless_gate
from llmx_tui.engine.tools.base import ToolResult
from llmx_tui.engine.tools.execute import execute_tool_call
from llmx_tui.engine.tools.registry import ToolRegistry
from llmx_tui.providers.base import ToolSpec


class RegistryToolRunner:
    """The engine's ToolRunner: runs calls through the registry and the approval gate."""

    def __init__(self, registry: ToolRegistry, approvals: ApprovalGate) -> None:
        self.registry = registry
        self.approvals = approvals

    def specs(self) -> tuple[ToolSpec, ...]:
        return self.registry.specs()

    def stop_requested(self) -> bool:
        """The user denied a call and asked to end the turn (asking clears it)."""
        return self.approvals.take_stop()

    def forget_session(self) -> None:
        """Another session begins: its tools must be allowed again."""
        self.approvals.forget_session()

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        return await execute_tool_call(
            call, registry=self.registry, approvals=self.approvals, on_start=on_start
        )


def builtin_tool_runner(
    settings: Settings,
    bus: EventBus,
    *,
    working_dir: Path,
    interactive: bool,
    auto_approve: bool,
) -> RegistryToolRunner:
    """The built-in tools behind the approval gate (no MCP servers: nothing to await)."""
    registry = ToolRegistry.with_builtins(working_dir, max_output_bytes=settings.tools.output_cap)
    gate: ApprovalGate = (
        BusApprovalGate(bus) if interactive and not auto_approve else headless_gate(auto_approve)
    )
    gate.allow_always(settings.tools.always_allow)
    return RegistryToolRunner(registry, gate)


async def build_tool_runner(
    settings: Settings,
    bus: EventBus,
    *,
    working_dir: Path,
    interactive: bool,
    auto_approve: bool,
) -> tuple[RegistryToolRunner, list[str], Callable[[], Awaitable[Any]] | None]:
    """The runner, problems to show once (MCP servers that failed), and a closer."""
    runner = builtin_tool_runner(
        settings, bus, working_dir=working_dir, interactive=interactive, auto_approve=auto_approve
    )
    problems: list[str] = []
    closer = None
    if settings.mcp.servers:
        from llmx_tui.engine.tools.mcp_client import McpManager

        manager = McpManager(settings.mcp.servers, cwd=working_dir)
        await manager.start()
        runner.registry.register_all(manager.tools)
        problems.extend(manager.problems)
        closer = manager.close
    return runner, problems, closer
