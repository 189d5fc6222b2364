"""search_text: matches, bounds, skipped files, and approval outside the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmx_tui.engine.tools import ToolRegistry
from llmx_tui.engine.tools.search import SearchLimits, SearchTextTool
from tests.test_tools_support import ScriptedGate, make_registry, run_tool


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("import os\ndef main():\n    return TODO\n")
    (root / "pkg" / "b.txt").write_text("nothing here\nTODO: later\n")
    return root


def registry_with_limits(workdir: Path, limits: SearchLimits) -> ToolRegistry:
    return ToolRegistry(workdir, tools=[SearchTextTool(limits)])


async def test_matches_are_listed_as_path_line_text(workdir: Path) -> None:
    result = await run_tool(make_registry(workdir), "search_text", {"pattern": "TODO"})
    assert result.status == "done"
    assert result.output.splitlines() == ["pkg/a.py:3:     return TODO", "pkg/b.txt:2: TODO: later"]


async def test_glob_and_ignore_case_narrow_the_search(workdir: Path) -> None:
    result = await run_tool(
        make_registry(workdir),
        "search_text",
        {"pattern": "todo", "glob": "*.txt", "ignore_case": True},
    )
    assert result.output.splitlines() == ["pkg/b.txt:2: TODO: later"]


async def test_no_match_says_so(workdir: Path) -> None:
    result = await run_tool(make_registry(workdir), "search_text", {"pattern": "zzz"})
    assert result.output.startswith("No matches for /zzz/ in 2 files")


async def test_binary_files_and_git_are_skipped(workdir: Path) -> None:
    (workdir / "image.bin").write_bytes(b"TODO\x00\x00binary")
    (workdir / ".git").mkdir()
    (workdir / ".git" / "config").write_text("TODO in git\n")
    result = await run_tool(make_registry(workdir), "search_text", {"pattern": "TODO"})
    assert "image.bin" not in result.output and ".git" not in result.output
    assert "1 binary" in result.output


async def test_max_matches_stops_with_a_note(workdir: Path) -> None:
    (workdir / "many.txt").write_text("hit\n" * 50)
    result = await run_tool(
        make_registry(workdir), "search_text", {"pattern": "hit", "max_matches": 5}
    )
    lines = result.output.splitlines()
    assert len([line for line in lines if line.startswith("many.txt:")]) == 5
    assert "stopped at 5 matches" in result.output


async def test_max_files_bound(workdir: Path) -> None:
    for n in range(6):
        (workdir / f"f{n}.txt").write_text("x\n")
    registry = registry_with_limits(workdir, SearchLimits(max_files=3))
    result = await run_tool(registry, "search_text", {"pattern": "x"})
    assert "stopped after 3 files" in result.output
    assert len([line for line in result.output.splitlines() if ":1: x" in line]) <= 3


async def test_max_total_bytes_bound(workdir: Path) -> None:
    for n in range(4):
        (workdir / f"f{n}.txt").write_text("y" * 100 + "\n")
    registry = registry_with_limits(workdir, SearchLimits(max_total_bytes=150))
    result = await run_tool(registry, "search_text", {"pattern": "y"})
    assert "stopped after reading" in result.output


async def test_files_over_the_size_limit_are_skipped(workdir: Path) -> None:
    (workdir / "big.txt").write_text("TODO\n" * 100)
    registry = registry_with_limits(workdir, SearchLimits(max_file_bytes=100))
    result = await run_tool(registry, "search_text", {"pattern": "TODO"})
    assert "big.txt" not in result.output.split("[")[0]
    assert "1 larger than the size limit" in result.output


async def test_long_lines_are_clipped(workdir: Path) -> None:
    (workdir / "wide.txt").write_text("TODO" + "z" * 1000 + "\n")
    registry = registry_with_limits(workdir, SearchLimits(max_line_chars=20))
    result = await run_tool(registry, "search_text", {"pattern": "TODO", "glob": "wide.txt"})
    assert result.output == "wide.txt:1: TODO" + "z" * 16 + " [line cut]"


async def test_an_invalid_regex_is_an_error_output(workdir: Path) -> None:
    result = await run_tool(make_registry(workdir), "search_text", {"pattern": "("})
    assert result.is_error and "invalid regular expression" in result.output


async def test_searching_outside_needs_approval(workdir: Path) -> None:
    gate = ScriptedGate("allow_once")
    result = await run_tool(
        make_registry(workdir), "search_text", {"pattern": "TODO", "path": ".."}, gate
    )
    assert result.status == "done" and "TODO" in result.output
    assert "outside the working directory" in gate.requests[0].description
