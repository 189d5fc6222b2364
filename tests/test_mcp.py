"""MCP over stdio with a real (tiny) server: listing, calling, prefixing, failures."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from llmx_tui.engine.tools import (
    AutoApprove,
    McpConfig,
    McpManager,
    McpServerConfig,
    ToolRegistry,
    execute_tool_call,
)
from llmx_tui.engine.tools.mcp_tools import prefixed_name
from llmx_tui.engine.tools.registry import TOOL_NAME_PATTERN
from tests.test_tools_support import ScriptedGate, run_tool, tool_call

SERVER = str(Path(__file__).with_name("fixtures_mcp_server.py"))


def fixture_server(*args: str, **env: str) -> McpServerConfig:
    return McpServerConfig(command=sys.executable, args=[SERVER, *args], env=env)


@pytest.fixture
async def one_server(tmp_path: Path) -> AsyncIterator[tuple[McpManager, ToolRegistry]]:
    configs = {"fx": fixture_server(FIXTURE_TAG="tag:")}
    async with McpManager(configs, cwd=tmp_path, startup_timeout=30) as manager:
        registry = ToolRegistry.with_builtins(tmp_path)
        registry.register_all(manager.tools)
        yield manager, registry


async def test_tools_are_listed_with_prefixed_names_and_clean_schemas(
    one_server: tuple[McpManager, ToolRegistry],
) -> None:
    manager, registry = one_server
    assert manager.problems == ()
    assert manager.running() == ["fx"]
    specs = {spec.name: spec for spec in registry.specs()}
    assert {"fx__echo", "fx__add", "fx__norm1", "fx__slow", "fx__fail", "read_file"} <= set(specs)
    add = specs["fx__add"]
    assert add.description == "[MCP server fx] Add two integers."
    assert add.parameters == {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "integer", "description": "Default: 2."},
        },
        "required": ["a"],
    }
    # The nested model's $ref is inlined and the Optional collapsed.
    norm = specs["fx__norm1"].parameters
    assert norm["properties"]["point"] == {
        "type": "object",
        "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
        "required": ["x", "y"],
    }
    assert norm["properties"]["scale"] == {"type": "number"}
    assert "$defs" not in str(norm) and "title" not in norm["properties"]["point"]


async def test_calls_need_approval_and_reach_the_server(
    one_server: tuple[McpManager, ToolRegistry],
) -> None:
    _, registry = one_server
    gate = ScriptedGate("allow_once")
    result = await run_tool(registry, "fx__echo", {"text": "hello"}, gate)
    assert (result.status, result.output) == ("done", "tag:hello")  # config env reached it
    [request] = gate.requests
    assert request.name == "fx__echo"
    assert "'echo' of the MCP server 'fx'" in request.description
    assert '{"text": "hello"}' in request.description and SERVER in request.description

    nested = await run_tool(registry, "fx__norm1", {"point": {"x": 3, "y": -4}}, AutoApprove())
    assert nested.output == "7"


async def test_denied_mcp_call_is_not_sent(one_server: tuple[McpManager, ToolRegistry]) -> None:
    _, registry = one_server
    result = await run_tool(registry, "fx__add", {"a": 1}, ScriptedGate("deny"))
    assert result.status == "denied"


async def test_server_side_errors_become_error_outputs(
    one_server: tuple[McpManager, ToolRegistry],
) -> None:
    _, registry = one_server
    failed = await run_tool(registry, "fx__fail", {"reason": "nope"}, AutoApprove())
    assert (failed.status, failed.is_error) == ("failed", True)
    invalid = await run_tool(registry, "fx__add", {"a": "not a number"}, AutoApprove())
    assert invalid.is_error and invalid.status == "failed"


async def test_cancelling_a_call_leaves_the_server_usable(
    one_server: tuple[McpManager, ToolRegistry],
) -> None:
    _, registry = one_server
    call = tool_call("fx__slow", {"seconds": 30})
    task = asyncio.create_task(execute_tool_call(call, registry=registry, approvals=AutoApprove()))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    result = await run_tool(registry, "fx__add", {"a": 1, "b": 1}, AutoApprove())
    assert result.output == "2"


async def test_a_failing_server_is_reported_and_the_others_keep_working(tmp_path: Path) -> None:
    configs = {
        "good": fixture_server(),
        "crashes": fixture_server("crash"),
        "missing": McpServerConfig(command=str(tmp_path / "no-such-server")),
    }
    async with McpManager(configs, startup_timeout=30) as manager:
        assert manager.running() == ["good"]
        problems = "\n".join(manager.problems)
        assert len(manager.problems) == 2
        assert "'crashes'" in problems and "refusing to start (crash mode)" in problems
        assert "'missing'" in problems and "could not start" in problems
        names = {tool.name for tool in manager.tools}
        assert names == {"good__echo", "good__add", "good__norm1", "good__slow", "good__fail"}
        registry = ToolRegistry(tmp_path, tools=manager.tools)
        result = await run_tool(registry, "good__add", {"a": 40}, AutoApprove())
        assert result.output == "42"


async def test_a_server_that_never_answers_times_out(tmp_path: Path) -> None:
    async with McpManager({"slow": fixture_server("hang")}, startup_timeout=0.5) as manager:
        assert manager.tools == ()
        [problem] = manager.problems
        assert "'slow'" in problem and "within 0.5 s" in problem


async def test_calls_after_close_are_error_outputs(tmp_path: Path) -> None:
    async with McpManager({"fx": fixture_server()}, startup_timeout=30) as manager:
        registry = ToolRegistry(tmp_path, tools=manager.tools)
    result = await run_tool(registry, "fx__add", {"a": 1}, AutoApprove())
    assert result.is_error and "not running" in result.output


async def test_a_server_that_dies_after_starting_is_no_longer_running(tmp_path: Path) -> None:
    """Its calls fail at once with why, and the manager stops listing it as running."""
    configs = {"fx": fixture_server(FIXTURE_CAN_EXIT="1"), "other": fixture_server()}
    async with McpManager(configs, startup_timeout=30) as manager:
        registry = ToolRegistry(tmp_path, tools=manager.tools)
        assert manager.running() == ["fx", "other"]
        died = await run_tool(registry, "fx__exit_now", {"code": 3}, AutoApprove())
        assert died.is_error and died.status == "failed"
        assert "'fx'" in died.output and "has stopped" in died.output
        assert "exiting with 3 on request" in died.output  # the tail of its stderr
        assert manager.running() == ["other"]
        again = await asyncio.wait_for(
            run_tool(registry, "fx__add", {"a": 1}, AutoApprove()), timeout=5
        )
        assert again.is_error and "has stopped" in again.output
        still = await run_tool(registry, "other__add", {"a": 40}, AutoApprove())
        assert still.output == "42"


def test_prefixed_names_fit_every_provider() -> None:
    assert prefixed_name("fs", "read") == "fs__read"
    assert prefixed_name("my.server", "do thing!") == "my_server__do_thing_"
    long = prefixed_name("s" * 40, "t" * 40)
    assert TOOL_NAME_PATTERN.match(long) and len(long) == 64
    clash = prefixed_name("a.b", "x", taken={"a_b__x"})
    assert clash != "a_b__x" and TOOL_NAME_PATTERN.match(clash)


def test_config_model() -> None:
    config = McpConfig.model_validate(
        {"servers": {"fs": {"command": "npx", "args": ["-y", "server fs"], "env": {"A": "1"}}}}
    )
    server = config.servers["fs"]
    assert server.command_line() == "npx -y 'server fs'"
    assert McpServerConfig(command="x").args == [] and McpServerConfig(command="x").env == {}
    with pytest.raises(ValueError):
        McpServerConfig.model_validate({"command": "x", "arg": ["typo"]})
