"""A tiny stdio MCP server for the tests, built with the mcp SDK's MCPServer.

Run as ``python tests/fixtures_mcp_server.py [MODE]``. Modes other than the
default make it misbehave the ways a real server can: ``crash`` exits at once
with a message on stderr, ``hang`` never answers initialize. With
``FIXTURE_CAN_EXIT`` set it also offers ``exit_now``, which ends the process
mid-call (a server that dies after starting).
"""

from __future__ import annotations

import os
import sys
import time

from pydantic import BaseModel


class Point(BaseModel):
    x: int
    y: int


def serve() -> None:
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("fixture", log_level="ERROR")

    @server.tool(description="Echo the text back, prefixed with the server's FIXTURE_TAG.")
    def echo(text: str) -> str:
        return f"{os.environ.get('FIXTURE_TAG', '')}{text}"

    @server.tool()
    def add(a: int, b: int = 2) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def norm1(point: Point, scale: float | None = None) -> str:
        """Manhattan length of a point (a nested model, to exercise $ref schemas)."""
        return str((abs(point.x) + abs(point.y)) * (scale or 1))

    @server.tool()
    async def slow(seconds: float) -> str:
        """Sleeps, then answers."""
        import anyio

        await anyio.sleep(seconds)
        return "woke up"

    @server.tool()
    def fail(reason: str) -> str:
        """Always fails."""
        raise ValueError(reason)

    if os.environ.get("FIXTURE_CAN_EXIT"):

        @server.tool()
        def exit_now(code: int) -> str:
            """Exits the server process at once, as a crash would."""
            print(f"fixture: exiting with {code} on request", file=sys.stderr, flush=True)
            os._exit(code)

    server.run()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if mode == "crash":
        print("fixture: refusing to start (crash mode)", file=sys.stderr, flush=True)
        sys.exit(7)
    elif mode == "hang":
        time.sleep(60)
    else:
        serve()
