"""Tools the model can call: registry, built-ins, approval policy, MCP client."""

from llmx_tui.engine.tools.approval import (
    ApprovalGate,
    ApprovalRequest,
    AutoApprove,
    AutoDeny,
    BusApprovalGate,
    Decision,
    headless_gate,
)
from llmx_tui.engine.tools.base import (
    DEFAULT_MAX_OUTPUT_BYTES,
    PreparedCall,
    PydanticTool,
    Tool,
    ToolContext,
    ToolError,
)
from llmx_tui.engine.tools.execute import ToolResult, ToolStatus, execute_tool_call
from llmx_tui.engine.tools.mcp_client import McpManager
from llmx_tui.engine.tools.mcp_config import McpConfig, McpServerConfig
from llmx_tui.engine.tools.registry import ToolRegistry, builtin_tools

__all__ = [
    "DEFAULT_MAX_OUTPUT_BYTES",
    "ApprovalGate",
    "ApprovalRequest",
    "AutoApprove",
    "AutoDeny",
    "BusApprovalGate",
    "Decision",
    "McpConfig",
    "McpManager",
    "McpServerConfig",
    "PreparedCall",
    "PydanticTool",
    "Tool",
    "ToolContext",
    "ToolError",
    "ToolRegistry",
    "ToolResult",
    "ToolStatus",
    "builtin_tools",
    "execute_tool_call",
    "headless_gate",
]
