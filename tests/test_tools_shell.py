"""run_shell: output and exit code, approval, output cap, timeout and cancellation kill."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from llmx_tui.engine.tools import AutoApprove
from llmx_tui.engine.tools.shell import CappedOutput, scrubbed_environment
from tests.test_tools_support import ScriptedGate, make_registry, run_tool, tool_call


async def test_runs_in_the_working_directory_after_approval(tmp_path: Path) -> None:
    gate = ScriptedGate("allow_once")
    result = await run_tool(
        make_registry(tmp_path), "run_shell", {"command": "pwd; echo oops >&2; exit 3"}, gate
    )
    assert result.status == "done"
    assert result.output == f"{tmp_path.resolve()}\noops\n\n[exit code 3]"
    [request] = gate.requests
    assert request.description == (
        f"Run in {tmp_path.resolve()} (timeout 60 s):\npwd; echo oops >&2; exit 3"
    )


async def test_denied_command_does_not_run(tmp_path: Path) -> None:
    result = await run_tool(
        make_registry(tmp_path), "run_shell", {"command": "touch made"}, ScriptedGate("deny")
    )
    assert result.status == "denied"
    assert not (tmp_path / "made").exists()


async def test_output_is_capped_keeping_head_and_tail(tmp_path: Path) -> None:
    registry = make_registry(tmp_path, max_output_bytes=2000)
    command = "echo FIRST; head -c 100000 /dev/zero | tr '\\0' x; echo; echo LAST"
    result = await run_tool(registry, "run_shell", {"command": command}, AutoApprove())
    assert result.output.startswith("FIRST\n")
    assert "LAST\n\n[exit code 0]" in result.output
    assert "bytes of output omitted" in result.output
    assert len(result.output.encode()) <= 2000


def test_capped_output_counts_what_it_drops() -> None:
    capped = CappedOutput(10)
    for piece in (b"abc", b"defgh", b"ijklmnop", b"qrst"):
        capped.add(piece)
    assert capped.render() == "abcde\n[... 10 bytes of output omitted ...]\npqrst"
    small = CappedOutput(100)
    small.add(b"all of it")
    assert small.render() == "all of it"


async def test_timeout_kills_the_command_and_says_so(tmp_path: Path) -> None:
    command = "echo started; sleep 30 & echo $! > bg.pid; wait"
    result = await run_tool(
        make_registry(tmp_path), "run_shell", {"command": command, "timeout": 0.5}, AutoApprove()
    )
    assert result.status == "failed" and result.is_error
    assert "started" in result.output and "timed out after 0.5 s" in result.output
    await assert_process_gone(int((tmp_path / "bg.pid").read_text()))


async def test_cancellation_kills_the_command(tmp_path: Path) -> None:
    from llmx_tui.engine.tools import execute_tool_call

    command = "sleep 30 & echo $! > bg.pid; wait"
    call = tool_call("run_shell", {"command": command})
    task = asyncio.create_task(
        execute_tool_call(call, registry=make_registry(tmp_path), approvals=AutoApprove())
    )
    pid_file = tmp_path / "bg.pid"
    while not (pid_file.exists() and pid_file.read_text().strip()):
        await asyncio.sleep(0.01)  # bounded by the test timeout
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await assert_process_gone(int(pid_file.read_text()))


async def assert_process_gone(pid: int) -> None:
    """The process is dead: gone, a zombie, or (on a busy machine) about to act on its SIGKILL."""
    status = Path(f"/proc/{pid}/status")
    for _ in range(500):  # at most ~5 s: a SIGKILLed process is dead once the kernel runs it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        text = status.read_text() if status.exists() else ""
        if not text or "zombie" in text.lower():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"process {pid} still alive after the kill:\n{text}")


async def test_api_keys_do_not_reach_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOMEPROVIDER_API_KEY", "sk-very-secret")
    monkeypatch.setenv("HARMLESS_SETTING", "visible")
    result = await run_tool(make_registry(tmp_path), "run_shell", {"command": "env"}, AutoApprove())
    assert "sk-very-secret" not in result.output
    assert "HARMLESS_SETTING=visible" in result.output


def test_scrubbed_environment_drops_secret_names() -> None:
    env = {"PATH": "/bin", "GITHUB_TOKEN": "t", "MY_SECRET": "s", "OPENAI_API_KEY": "k"}
    assert scrubbed_environment(env) == {"PATH": "/bin"}


async def test_empty_command_is_rejected_before_approval(tmp_path: Path) -> None:
    gate = ScriptedGate()
    result = await run_tool(make_registry(tmp_path), "run_shell", {"command": "  "}, gate)
    assert result.status == "failed" and gate.requests == []


async def test_cancellation_while_the_command_starts_kills_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """asyncio may still be wiring up the pipes when the turn is cancelled, while the
    command has already started a child of its own: that child must die too."""
    from llmx_tui.engine.tools import shell

    pid_file = tmp_path / "bg.pid"
    started = asyncio.Event()
    real_start = asyncio.create_subprocess_shell

    async def slow_start(*args: object, **kwargs: object) -> asyncio.subprocess.Process:
        process = await real_start(*args, **kwargs)  # type: ignore[arg-type]
        while not (pid_file.exists() and pid_file.read_text().strip()):
            await asyncio.sleep(0.01)
        started.set()
        await asyncio.sleep(0.5)  # still "starting" when the cancel arrives
        return process

    monkeypatch.setattr(shell.asyncio, "create_subprocess_shell", slow_start)
    task = asyncio.create_task(
        shell.run_command(
            f"sleep 30 & echo $! > {pid_file}; wait", cwd=tmp_path, timeout=60, limit=1000
        )
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await assert_process_gone(int(pid_file.read_text()))
