"""Tools the model can call: registry, built-ins, approval policy, MCP client.

Names are loaded on first use (PEP 562): reading the config imports
``mcp_config`` from here, and startup must not pay for the whole package.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE: dict[str, str] = {
    "ApprovalGate": "approval",
    "ApprovalRequest": "approval",
    "AutoApprove": "approval",
    "AutoDeny": "approval",
    "BusApprovalGate": "approval",
    "Decision": "approval",
    "headless_gate": "approval",
    "DEFAULT_MAX_OUTPUT_BYTES": "base",
    "PreparedCall": "base",
    "PydanticTool": "base",
    "Tool": "base",
    "ToolContext": "base",
    "ToolError": "base",
    "ToolResult": "base",
    "ToolStatus": "base",
    "execute_tool_call": "execute",
    "McpManager": "mcp_client",
    "McpConfig": "mcp_config",
    "McpServerConfig": "mcp_config",
    "ToolRegistry": "registry",
    "builtin_tools": "registry",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
