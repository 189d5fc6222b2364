"""McpManager: starts the configured stdio MCP servers and owns their lifetimes.

Each server lives in its own task that enters the SDK's ``stdio_client`` and
``ClientSession`` contexts, initializes, lists tools, then waits to be told to
stop; the SDK's cancel scopes must be entered and left in the same task, and a
crash stays contained in that task. Servers start in parallel; one that fails
(bad command, crash, timeout) becomes a human-readable problem and the rest
keep working. The MCP SDK is imported only when a server is started.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from llmx_tui.engine.tools.base import ToolError
from llmx_tui.engine.tools.mcp_config import McpServerConfig
from llmx_tui.engine.tools.mcp_tools import McpTool, prefixed_name

logger = logging.getLogger(__name__)

DEFAULT_STARTUP_TIMEOUT = 15.0
DEFAULT_CALL_TIMEOUT = 300.0
# Enough for the SDK's own shutdown sequence (close stdin, SIGTERM, SIGKILL).
_STOP_TIMEOUT = 10.0
_STDERR_TAIL_BYTES = 400


class McpServer:
    """One configured server and, once started, its live session."""

    def __init__(
        self, name: str, config: McpServerConfig, *, cwd: Path | None, call_timeout: float
    ) -> None:
        self.name = name
        self.config = config
        self.cwd = cwd
        self.call_timeout = call_timeout
        self.problem: str | None = None
        self.tools: list[Any] = []  # mcp.types.Tool as listed by the server
        self._session: Any = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # The server's stderr goes here, not onto the terminal; its tail explains failures.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()

    def describe(self) -> str:
        return self.config.command_line()

    @property
    def running(self) -> bool:
        return self._session is not None

    async def start(self, timeout: float) -> bool:
        """True once initialized and listed; False (with ``problem`` set) on failure."""
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._serve(ready, timeout), name=f"mcp:{self.name}")
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if ready.done() and not ready.cancelled():
            return True
        await self._task
        return False

    async def _serve(self, ready: asyncio.Future[None], timeout: float) -> None:
        import anyio
        from mcp import ClientSession, StdioServerParameters, stdio_client

        params = StdioServerParameters(
            command=self.config.command,
            args=list(self.config.args),
            env=dict(self.config.env) or None,
            cwd=self.cwd,
        )
        try:
            async with (
                stdio_client(params, errlog=self._stderr) as (read, write),  # type: ignore[arg-type]
                ClientSession(read, write) as session,
            ):
                with anyio.fail_after(timeout):
                    await session.initialize()
                    self.tools = await _list_all_tools(session)
                self._session = session
                ready.set_result(None)
                await self._stop.wait()
        except Exception as exc:
            if not ready.done():
                self.problem = self._failure(exc, timeout)
            else:
                logger.warning("MCP server %s stopped: %s", self.name, _leaf(exc))
        finally:
            self._session = None

    async def call_tool(self, tool_name: str, arguments: dict[str, Any]) -> Any:
        session = self._session
        if session is None:
            raise ToolError(self.problem or f"the MCP server {self.name!r} is not running")
        try:
            return await session.call_tool(
                tool_name, arguments, read_timeout_seconds=self.call_timeout
            )
        except Exception as exc:
            if not _connection_closed(exc):
                raise
            self._stopped()
            raise ToolError(self.problem or "") from None

    def _stopped(self) -> None:
        """The server went away after starting (exited, crashed, was killed): it is no
        longer running, and every later call says why at once."""
        self._session = None
        self._stop.set()  # lets the serving task leave the SDK's contexts
        message = (
            f"the MCP server {self.name!r} ({self.describe()}) has stopped: it closed the "
            "connection; its tools are unavailable until llmx-tui is restarted"
        )
        stderr = self._stderr_tail()
        self.problem = f"{message}\nIts last output on stderr:\n{stderr}" if stderr else message
        logger.warning("MCP server %s stopped (connection closed)", self.name)

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None and not self._task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._task), _STOP_TIMEOUT)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self._task
        self._stderr.close()

    def _failure(self, exc: BaseException, timeout: float) -> str:
        leaf = _leaf(exc)
        if isinstance(leaf, TimeoutError):
            reason = f"no answer to initialize within {timeout:g} s"
        elif str(leaf) == "Connection closed":
            reason = "it closed the connection (exited?) before initializing"
        elif isinstance(leaf, OSError):
            reason = f"could not start {self.config.command!r}: {leaf.strerror or leaf}"
        else:
            reason = f"{type(leaf).__name__}: {leaf}"
        message = f"MCP server {self.name!r} ({self.describe()}) failed to start: {reason}"
        stderr = self._stderr_tail()
        return f"{message}\nIts last output on stderr:\n{stderr}" if stderr else message

    def _stderr_tail(self) -> str:
        # pread leaves the offset the child shares with us untouched.
        fd = self._stderr.fileno()
        size = os.fstat(fd).st_size
        start = max(size - _STDERR_TAIL_BYTES, 0)
        return os.pread(fd, size - start, start).decode("utf-8", errors="replace").strip()


async def _list_all_tools(session: Any) -> list[Any]:
    from mcp.types import PaginatedRequestParams

    listing = await session.list_tools()
    tools = list(listing.tools)
    while listing.next_cursor:
        listing = await session.list_tools(
            params=PaginatedRequestParams(cursor=listing.next_cursor)
        )
        tools.extend(listing.tools)
    return tools


def _connection_closed(exc: BaseException) -> bool:
    """The SDK's error for a server that has gone away (its stdio closed)."""
    from mcp.types import CONNECTION_CLOSED

    error = getattr(_leaf(exc), "error", None)
    return getattr(error, "code", None) == CONNECTION_CLOSED


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (possibly nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


class McpManager:
    """``async with McpManager(configs) as mcp:`` then ``mcp.tools`` and ``mcp.problems``."""

    def __init__(
        self,
        servers: Mapping[str, McpServerConfig],
        *,
        cwd: Path | str | None = None,
        startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
    ) -> None:
        self.startup_timeout = startup_timeout
        workdir = Path(cwd) if cwd is not None else None
        self.servers = [
            McpServer(name, config, cwd=workdir, call_timeout=call_timeout)
            for name, config in servers.items()
        ]
        self.tools: tuple[McpTool, ...] = ()
        self.problems: tuple[str, ...] = ()

    async def __aenter__(self) -> McpManager:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        await asyncio.gather(*(server.start(self.startup_timeout) for server in self.servers))
        self.problems = tuple(server.problem for server in self.servers if server.problem)
        self.tools = tuple(self._build_tools())

    async def close(self) -> None:
        await asyncio.gather(*(server.stop() for server in self.servers))

    def running(self) -> list[str]:
        return [server.name for server in self.servers if server.running]

    def _build_tools(self) -> list[McpTool]:
        tools: list[McpTool] = []
        taken: set[str] = set()
        for server in self.servers:
            if not server.running:
                continue
            for listed in server.tools:
                name = prefixed_name(server.name, listed.name, taken)
                taken.add(name)
                tools.append(
                    McpTool(
                        name=name,
                        remote_name=listed.name,
                        description=listed.description or "",
                        input_schema=listed.input_schema,
                        server=server,
                    )
                )
        return tools
