"""ToolRegistry: the tools offered to the model, by name, and where they act."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from llmx_tui.engine.tools.base import DEFAULT_MAX_OUTPUT_BYTES, Tool, ToolContext
from llmx_tui.engine.tools.files import ListDirectoryTool, ReadFileTool, WriteFileTool
from llmx_tui.engine.tools.search import SearchTextTool
from llmx_tui.engine.tools.shell import RunShellTool
from llmx_tui.providers.base import ToolSpec

# What every provider accepts as a function name.
TOOL_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def builtin_tools() -> list[Tool]:
    return [ReadFileTool(), ListDirectoryTool(), SearchTextTool(), WriteFileTool(), RunShellTool()]


class ToolRegistry:
    def __init__(
        self,
        working_dir: Path | str,
        *,
        tools: Iterable[Tool] = (),
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
    ) -> None:
        self.context = ToolContext(
            working_dir=Path(working_dir).resolve(), max_output_bytes=max_output_bytes
        )
        self._tools: dict[str, Tool] = {}
        self.register_all(tools)

    @classmethod
    def with_builtins(
        cls, working_dir: Path | str, *, max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES
    ) -> ToolRegistry:
        return cls(working_dir, tools=builtin_tools(), max_output_bytes=max_output_bytes)

    @property
    def working_dir(self) -> Path:
        return self.context.working_dir

    @property
    def max_output_bytes(self) -> int:
        return self.context.max_output_bytes

    def register(self, tool: Tool) -> None:
        if not TOOL_NAME_PATTERN.match(tool.name):
            raise ValueError(f"tool name {tool.name!r} does not match {TOOL_NAME_PATTERN.pattern}")
        if tool.name in self._tools:
            raise ValueError(f"a tool named {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def register_all(self, tools: Iterable[Tool]) -> None:
        for tool in tools:
            self.register(tool)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    def specs(self) -> tuple[ToolSpec, ...]:
        """In registration order, so the payload (and any prompt cache) stays stable."""
        return tuple(
            ToolSpec(name=tool.name, description=tool.description, parameters=tool.parameters)
            for tool in self._tools.values()
        )
