"""MCP server configuration: ``[mcp.servers.NAME]`` tables in the config file.

Kept apart from the client so loading settings never imports the MCP SDK.
"""

from __future__ import annotations

import shlex

from pydantic import BaseModel, ConfigDict, Field


class McpServerConfig(BaseModel):
    """One stdio MCP server: the command to start it, its arguments and extra env."""

    # A misspelt key (``arg = [...]``) is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str
    args: list[str] = Field(default_factory=list)
    # Added to a minimal inherited environment (PATH, HOME, ...); the app's own
    # API keys are not passed on unless listed here.
    env: dict[str, str] = Field(default_factory=dict)

    def command_line(self) -> str:
        return shlex.join([self.command, *self.args])


class McpConfig(BaseModel):
    """The ``[mcp]`` table: ``servers`` maps a server name to its config."""

    model_config = ConfigDict(extra="forbid")

    servers: dict[str, McpServerConfig] = Field(default_factory=dict)
