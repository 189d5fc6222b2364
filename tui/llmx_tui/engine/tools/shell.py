"""Built-in run_shell: one command through /bin/sh, bounded in time and output.

The command runs in its own session (process group) so a timeout or a cancel
kills it together with everything it started. Output (stdout and stderr
interleaved) is read as it comes and capped, keeping the head and the tail,
so a chatty command cannot fill memory. Secrets in the environment (API keys,
tokens) are not passed on: anything the command prints goes to the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from llmx_tui.engine.tools.base import PreparedCall, PydanticTool, ToolContext, ToolError

_SECRET_NAME = re.compile(r"API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL", re.IGNORECASE)
_READ_CHUNK = 64 * 1024
# How long a killed process group gets to be reaped before we stop waiting.
_REAP_TIMEOUT = 2.0
_NOTES_ROOM = 256


class RunShellArgs(BaseModel):
    command: str = Field(description="Shell command, run with /bin/sh -c in the working directory.")
    timeout: float = Field(60, ge=0.1, le=600, description="Seconds before the command is killed.")


class RunShellTool(PydanticTool[RunShellArgs]):
    name = "run_shell"
    description = (
        "Run a shell command in the working directory and return its combined stdout and "
        "stderr and exit code. Killed after `timeout` seconds. Always asks the user first."
    )
    arguments_model = RunShellArgs

    def plan(self, params: RunShellArgs, context: ToolContext) -> PreparedCall:
        if not params.command.strip():
            raise ToolError("command is empty")
        cwd = context.working_dir.resolve()
        description = f"Run in {cwd} (timeout {params.timeout:g} s):\n{params.command}"

        # Leave room for the notes so the final output cap never cuts the tail.
        limit = max(context.max_output_bytes - _NOTES_ROOM, 0)

        async def run() -> str:
            return await run_command(params.command, cwd=cwd, timeout=params.timeout, limit=limit)

        return PreparedCall(description, needs_approval=True, run=run)


def scrubbed_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    source = os.environ if environ is None else environ
    return {name: value for name, value in source.items() if not _SECRET_NAME.search(name)}


async def run_command(command: str, *, cwd: Path, timeout: float, limit: int) -> str:
    process = await _start(command, cwd)
    output = CappedOutput(limit)
    timed_out = False
    try:
        async with asyncio.timeout(timeout):
            assert process.stdout is not None
            while chunk := await process.stdout.read(_READ_CHUNK):
                output.add(chunk)
            await process.wait()
    except TimeoutError:
        timed_out = True
    finally:
        # Also on cancellation: never leave the command running behind us.
        if process.returncode is None:
            await _kill_group(process)
    text = output.render() or "[no output]"
    if timed_out:
        raise ToolError(f"{text}\n[timed out after {timeout:g} s; the command was killed]")
    return f"{text}\n{_exit_note(process.returncode)}"


async def _start(command: str, cwd: Path) -> asyncio.subprocess.Process:
    """The command started in its own process group. A cancellation that arrives
    while asyncio is still wiring up the pipes must not leave it running: the
    command may already have started children of its own."""
    starting = asyncio.ensure_future(
        asyncio.create_subprocess_shell(
            command,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            env=scrubbed_environment(),
        )
    )
    try:
        return await asyncio.shield(starting)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await _kill_group(await starting)
        raise


def _exit_note(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"[killed by signal {-returncode}]"
    return f"[exit code {returncode}]"


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), _REAP_TIMEOUT)


class CappedOutput:
    """Keeps the first and last ``limit / 2`` bytes and counts what fell between."""

    def __init__(self, limit: int) -> None:
        self.head_limit = max(limit // 2, 0)
        self.tail_limit = max(limit - self.head_limit, 0)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[: max(len(self.tail) - self.tail_limit, 0)]

    def render(self) -> str:
        omitted = self.total - len(self.head) - len(self.tail)
        head = self.head.decode("utf-8", errors="replace")
        tail = self.tail.decode("utf-8", errors="replace")
        if omitted <= 0:
            return head + tail
        return f"{head}\n[... {omitted} bytes of output omitted ...]\n{tail}"
