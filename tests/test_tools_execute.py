"""execute_tool_call: malformed arguments, unknown tools, crashes, output cap, the policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from llmx_tui.core.items import ToolOutput
from llmx_tui.engine.tools import (
    AutoApprove,
    AutoDeny,
    PreparedCall,
    PydanticTool,
    ToolContext,
    ToolRegistry,
    execute_tool_call,
    headless_gate,
)
from llmx_tui.engine.tools.execute import cap_output, parse_arguments
from tests.test_tools_support import ScriptedGate, make_registry, run_tool, tool_call


class CountArgs(BaseModel):
    text: str = ""


class RecordingTool(PydanticTool[CountArgs]):
    """Records every run; optionally asks for approval, crashes, or returns a lot."""

    name = "record"
    description = "test tool"
    arguments_model: ClassVar[type[BaseModel]] = CountArgs

    def __init__(self, *, approval: bool = False, crash: bool = False, size: int = 0) -> None:
        self.approval = approval
        self.crash = crash
        self.size = size
        self.runs: list[str] = []

    def plan(self, params: CountArgs, context: ToolContext) -> PreparedCall:
        async def run() -> str:
            self.runs.append(params.text)
            if self.crash:
                raise KeyError("boom")
            return "é" * self.size if self.size else f"got {params.text}"

        return PreparedCall(f"record {params.text!r}", needs_approval=self.approval, run=run)


def registry_with(tool: RecordingTool, tmp_path: Path, **options: Any) -> ToolRegistry:
    return ToolRegistry(tmp_path, tools=[tool], **options)


@pytest.mark.parametrize("arguments", ['{"text": "cut', "[1, 2]", '"just a string"', "null"])
async def test_arguments_that_are_not_a_json_object_are_not_executed(
    tmp_path: Path, arguments: str
) -> None:
    tool = RecordingTool()
    result = await run_tool(registry_with(tool, tmp_path), "record", arguments)
    assert (result.status, result.is_error) == ("skipped", True)
    assert "not valid JSON" in result.output and "not executed" in result.output
    assert repr(arguments) in result.output
    assert tool.runs == []


async def test_the_quoted_prefix_of_long_malformed_arguments_is_short(tmp_path: Path) -> None:
    arguments = '{"text": "' + "x" * 5000
    result = await run_tool(registry_with(RecordingTool(), tmp_path), "record", arguments)
    assert result.status == "skipped" and len(result.output) < 500


@pytest.mark.parametrize("arguments", ["", "   \n"])
async def test_empty_arguments_mean_an_empty_object(tmp_path: Path, arguments: str) -> None:
    tool = RecordingTool()
    result = await run_tool(registry_with(tool, tmp_path), "record", arguments)
    assert result.status == "done" and tool.runs == [""]


def test_parse_arguments() -> None:
    assert parse_arguments('{"a": 1}') == {"a": 1}
    assert parse_arguments(" ") == {}
    assert parse_arguments("[]") is None
    assert parse_arguments("{") is None


async def test_unknown_tool_names_the_available_tools(tmp_path: Path) -> None:
    result = await run_tool(make_registry(tmp_path), "delete_everything", {})
    assert (result.status, result.is_error) == ("failed", True)
    assert "delete_everything" in result.output
    for name in ("read_file", "list_directory", "search_text", "write_file", "run_shell"):
        assert name in result.output


async def test_arguments_not_matching_the_parameters_are_an_error(tmp_path: Path) -> None:
    tool = RecordingTool()
    result = await run_tool(registry_with(tool, tmp_path), "record", {"text": ["not", "str"]})
    assert result.status == "failed" and "text" in result.output
    assert tool.runs == []


async def test_an_exception_inside_a_tool_becomes_an_error_output(tmp_path: Path) -> None:
    tool = RecordingTool(crash=True)
    result = await run_tool(registry_with(tool, tmp_path), "record", {"text": "a"})
    assert (result.status, result.is_error) == ("failed", True)
    assert "KeyError" in result.output and "boom" in result.output


async def test_output_is_capped_with_a_note_saying_how_much_was_cut(tmp_path: Path) -> None:
    tool = RecordingTool(size=40_000)  # 80,000 bytes of UTF-8
    result = await run_tool(registry_with(tool, tmp_path), "record", {})
    encoded = result.output.encode("utf-8")
    assert len(encoded) <= 32768
    kept = len(result.output.split("\n[output truncated")[0].encode("utf-8"))
    assert f"[output truncated: {80_000 - kept} of 80000 bytes cut]" in result.output
    assert result.status == "done"


async def test_output_cap_is_configurable(tmp_path: Path) -> None:
    tool = RecordingTool(size=1000)
    result = await run_tool(registry_with(tool, tmp_path, max_output_bytes=500), "record", {})
    assert len(result.output.encode("utf-8")) <= 500 and "output truncated" in result.output


def test_cap_output_never_splits_a_character() -> None:
    capped = cap_output("€" * 200, 300)
    assert capped.startswith("€") and "\ufffd" not in capped
    assert cap_output("short", 300) == "short"


async def test_allow_once_asks_again_next_time(tmp_path: Path) -> None:
    tool = RecordingTool(approval=True)
    registry = registry_with(tool, tmp_path)
    gate = ScriptedGate("allow_once", "allow_once")
    for text in ("a", "b"):
        result = await run_tool(registry, "record", {"text": text}, gate)
        assert result.status == "done"
    assert [r.description for r in gate.requests] == ["record 'a'", "record 'b'"]
    assert tool.runs == ["a", "b"]


async def test_allow_for_session_is_remembered_per_tool_name(tmp_path: Path) -> None:
    tool = RecordingTool(approval=True)
    registry = registry_with(tool, tmp_path)
    gate = ScriptedGate("allow_session")
    for text in ("a", "b", "c"):
        assert (await run_tool(registry, "record", {"text": text}, gate)).status == "done"
    assert len(gate.requests) == 1 and tool.runs == ["a", "b", "c"]
    assert gate.allowed_for_session == frozenset({"record"})


async def test_allow_for_session_of_one_tool_does_not_cover_another(tmp_path: Path) -> None:
    registry = make_registry(tmp_path)
    gate = ScriptedGate("allow_session", "deny")
    await run_tool(registry, "write_file", {"path": "a.txt", "content": "1"}, gate)
    result = await run_tool(registry, "run_shell", {"command": "echo hi"}, gate)
    assert result.status == "denied" and len(gate.requests) == 2


async def test_deny_gives_an_output_saying_the_user_denied_it(tmp_path: Path) -> None:
    tool = RecordingTool(approval=True)
    call = tool_call("record", {"text": "x"}, call_id="call_9")
    result = await execute_tool_call(
        call, registry=registry_with(tool, tmp_path), approvals=ScriptedGate("deny")
    )
    assert (result.status, result.is_error) == ("denied", True)
    assert "user denied" in result.output
    assert tool.runs == []
    item = result.as_item(call)
    assert isinstance(item, ToolOutput) and item.call_id == "call_9" and item.is_error


async def test_auto_approve_runs_everything_and_auto_deny_nothing_that_asks(
    tmp_path: Path,
) -> None:
    tool = RecordingTool(approval=True)
    registry = registry_with(tool, tmp_path)
    assert (await run_tool(registry, "record", {"text": "y"}, AutoApprove())).status == "done"
    denied = await run_tool(registry, "record", {"text": "n"}, AutoDeny())
    assert (denied.status, denied.is_error) == ("denied", True)
    assert "without --yes" in denied.output
    assert tool.runs == ["y"]


async def test_auto_deny_still_runs_read_only_tools_inside(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("fine\n")
    result = await run_tool(make_registry(tmp_path), "read_file", {"path": "f.txt"}, AutoDeny())
    assert result.output == "fine\n"


def test_headless_gate_denies_unless_yes() -> None:
    assert isinstance(headless_gate(auto_approve=False), AutoDeny)
    assert isinstance(headless_gate(auto_approve=True), AutoApprove)
