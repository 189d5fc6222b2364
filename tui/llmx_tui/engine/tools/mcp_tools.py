"""MCP tools as registry tools: prefixed names, cleaned schemas, text results.

An MCP tool can do anything its server can, so every call needs approval,
and the approval names the server, the command that started it, the tool and
the exact arguments.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Protocol

from llmx_tui.engine.tools.base import PreparedCall, Tool, ToolContext, ToolError
from llmx_tui.engine.tools.schema import clean_parameters

MAX_TOOL_NAME = 64
_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9_-]")


class McpCaller(Protocol):
    """The running server a tool belongs to."""

    name: str

    def describe(self) -> str: ...

    async def call_tool(self, tool_name: str, arguments: dict[str, Any]) -> Any: ...


def prefixed_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``{server}__{tool}``, made to fit ``^[a-zA-Z0-9_-]{1,64}$`` and unique among ``taken``."""
    original = f"{server}__{tool}"
    name = _NOT_ALLOWED.sub("_", original)
    if len(name) <= MAX_TOOL_NAME and name not in taken:
        return name
    # Too long or clashing after the character cleanup: a short hash keeps it unique.
    digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:8]
    return f"{name[: MAX_TOOL_NAME - len(digest) - 1]}_{digest}"


class McpTool(Tool):
    def __init__(
        self,
        *,
        name: str,
        remote_name: str,
        description: str,
        input_schema: dict[str, Any] | None,
        server: McpCaller,
    ) -> None:
        self.name = name
        self.remote_name = remote_name
        self.server = server
        label = f"[MCP server {server.name}]"
        self.description = f"{label} {description.strip()}" if description.strip() else label
        self._parameters = clean_parameters(input_schema)

    @property
    def parameters(self) -> dict[str, Any]:
        return self._parameters

    def prepare(self, arguments: dict[str, Any], context: ToolContext) -> PreparedCall:
        shown = json.dumps(arguments, ensure_ascii=False, sort_keys=True)
        description = (
            f"Call the tool {self.remote_name!r} of the MCP server {self.server.name!r} "
            f"({self.server.describe()}) with arguments {shown}"
        )

        async def run() -> str:
            result = await self.server.call_tool(self.remote_name, arguments)
            return render_result(result)

        return PreparedCall(description, needs_approval=True, run=run)


def render_result(result: Any) -> str:
    """A CallToolResult as text; raises ToolError when the server flagged an error."""
    parts = [_render_block(block) for block in getattr(result, "content", None) or []]
    text = "\n".join(part for part in parts if part)
    structured = getattr(result, "structured_content", None)
    if not text and structured is not None:
        text = json.dumps(structured, ensure_ascii=False)
    if getattr(result, "is_error", False):
        raise ToolError(text or "the MCP tool reported an error without details")
    return text or "[no output]"


def _render_block(block: Any) -> str:
    kind = getattr(block, "type", None)
    if kind == "text":
        return str(block.text)
    if kind in ("image", "audio"):
        size = len(getattr(block, "data", "") or "")
        return f"[{kind}: {getattr(block, 'mime_type', 'unknown type')}, {size} base64 characters]"
    if kind == "resource_link":
        return f"[resource link: {getattr(block, 'uri', '')}]"
    if kind == "resource":
        resource = getattr(block, "resource", None)
        text = getattr(resource, "text", None)
        if text is not None:
            return str(text)
        return f"[binary resource: {getattr(resource, 'uri', '')}]"
    return f"[{kind or 'unknown'} content]"
