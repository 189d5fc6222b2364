"""read_file, list_directory and write_file: results, bounds, and when they ask first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_tools_support import ScriptedGate, make_registry, run_tool


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


async def test_read_file_returns_the_text_without_asking(workdir: Path) -> None:
    (workdir / "notes.txt").write_text("alpha\nbeta\ngamma\n")
    gate = ScriptedGate()  # any approval request would fail the test
    result = await run_tool(make_registry(workdir), "read_file", {"path": "notes.txt"}, gate)
    assert (result.status, result.is_error) == ("done", False)
    assert result.output == "alpha\nbeta\ngamma\n"
    assert gate.requests == []


async def test_read_file_offset_and_limit_select_lines_and_say_how_to_continue(
    workdir: Path,
) -> None:
    (workdir / "long.txt").write_text("".join(f"line {n}\n" for n in range(1, 11)))
    result = await run_tool(
        make_registry(workdir), "read_file", {"path": "long.txt", "offset": 3, "limit": 2}
    )
    assert result.output.startswith("line 3\nline 4\n")
    assert "line 5" not in result.output
    assert "offset=5" in result.output


async def test_read_file_last_page_has_no_continuation_note(workdir: Path) -> None:
    (workdir / "short.txt").write_text("one\ntwo\n")
    result = await run_tool(
        make_registry(workdir), "read_file", {"path": "short.txt", "offset": 2, "limit": 5}
    )
    assert result.output == "two\n"


async def test_read_file_offset_past_the_end_says_so(workdir: Path) -> None:
    (workdir / "short.txt").write_text("one\ntwo\n")
    result = await run_tool(make_registry(workdir), "read_file", {"path": "short.txt", "offset": 9})
    assert "only 2 lines" in result.output


async def test_read_file_cuts_a_giant_line_instead_of_reading_it_whole(workdir: Path) -> None:
    (workdir / "wide.txt").write_text("a" * 5000 + "\nnext\n")
    registry = make_registry(workdir, max_output_bytes=1000)
    result = await run_tool(registry, "read_file", {"path": "wide.txt", "limit": 1})
    shown = 1000 - 256  # the cap less room for the notes
    assert result.output.startswith("a" * shown + f" [line cut: {5000 - shown} more bytes]\n")
    assert "output truncated" not in result.output
    assert "offset=2" in result.output
    second = await run_tool(registry, "read_file", {"path": "wide.txt", "offset": 2})
    assert second.output == "next\n"


async def test_read_file_stops_before_the_output_cap_and_says_where_to_go_on(
    workdir: Path,
) -> None:
    (workdir / "many.txt").write_text("".join(f"{n:09d}\n" for n in range(1, 500)))
    registry = make_registry(workdir, max_output_bytes=1000)
    result = await run_tool(registry, "read_file", {"path": "many.txt"})
    lines = result.output.splitlines()
    assert lines[0] == "000000001" and "output truncated" not in result.output
    shown = len(lines) - 1
    assert lines[-1] == (
        f"[showing lines 1-{shown}; more lines follow: call read_file with offset={shown + 1}]"
    )
    assert lines[-2] == f"{shown:09d}"


async def test_read_file_refuses_binary_files(workdir: Path) -> None:
    (workdir / "blob.bin").write_bytes(b"\x89PNG\x00\x01\x02" * 10)
    result = await run_tool(make_registry(workdir), "read_file", {"path": "blob.bin"})
    assert result.is_error and result.status == "failed"
    assert "binary" in result.output


async def test_read_file_missing_file_is_an_error_output(workdir: Path) -> None:
    result = await run_tool(make_registry(workdir), "read_file", {"path": "nope.txt"})
    assert result.is_error and "no such file" in result.output


async def test_read_file_rejects_a_zero_offset_without_running(workdir: Path) -> None:
    result = await run_tool(make_registry(workdir), "read_file", {"path": "x", "offset": 0})
    assert result.is_error and "offset" in result.output


async def test_read_file_outside_the_working_directory_needs_approval(
    workdir: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("outside\n")
    gate = ScriptedGate("deny")
    result = await run_tool(make_registry(workdir), "read_file", {"path": "../secret.txt"}, gate)
    assert result.status == "denied" and "outside" not in result.output
    [request] = gate.requests
    assert str(secret) in request.description
    assert "outside the working directory" in request.description

    gate = ScriptedGate("allow_once")
    result = await run_tool(make_registry(workdir), "read_file", {"path": str(secret)}, gate)
    assert result.output == "outside\n" and len(gate.requests) == 1


async def test_a_symlink_leading_outside_counts_as_outside(workdir: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "data.txt").write_text("linked\n")
    os.symlink(tmp_path / "elsewhere", workdir / "link")
    gate = ScriptedGate("deny")
    result = await run_tool(make_registry(workdir), "read_file", {"path": "link/data.txt"}, gate)
    assert result.status == "denied"
    assert str(tmp_path / "elsewhere" / "data.txt") in gate.requests[0].description


async def test_dot_dot_that_stays_inside_needs_no_approval(workdir: Path) -> None:
    (workdir / "sub").mkdir()
    (workdir / "top.txt").write_text("top\n")
    result = await run_tool(make_registry(workdir), "read_file", {"path": "sub/../top.txt"})
    assert result.output == "top\n"


async def test_list_directory_marks_dirs_sizes_and_links(workdir: Path) -> None:
    (workdir / "src").mkdir()
    (workdir / "a.txt").write_text("12345")
    os.symlink("a.txt", workdir / "alias")
    result = await run_tool(make_registry(workdir), "list_directory", {})
    assert result.output.splitlines() == ["a.txt  (5 bytes)", "alias -> a.txt", "src/"]


async def test_list_directory_of_an_empty_dir_and_a_missing_one(workdir: Path) -> None:
    (workdir / "empty").mkdir()
    registry = make_registry(workdir)
    assert (await run_tool(registry, "list_directory", {"path": "empty"})).output == (
        "[empty directory]"
    )
    missing = await run_tool(registry, "list_directory", {"path": "missing"})
    assert missing.is_error and "no such directory" in missing.output


async def test_list_directory_outside_needs_approval(workdir: Path) -> None:
    gate = ScriptedGate("deny")
    result = await run_tool(make_registry(workdir), "list_directory", {"path": ".."}, gate)
    assert result.status == "denied" and len(gate.requests) == 1


async def test_write_file_asks_with_the_exact_path_and_byte_count(workdir: Path) -> None:
    gate = ScriptedGate("allow_once")
    content = "héllo\n"  # 7 bytes of UTF-8
    result = await run_tool(
        make_registry(workdir), "write_file", {"path": "out/new.txt", "content": content}, gate
    )
    assert result.status == "done"
    assert (workdir / "out" / "new.txt").read_text(encoding="utf-8") == content
    [request] = gate.requests
    assert request.name == "write_file"
    assert f"Write 7 bytes to {workdir / 'out' / 'new.txt'}" in request.description
    assert "creating a new file" in request.description


async def test_write_file_writes_half_an_emoji_as_a_replacement_character(workdir: Path) -> None:
    """A model that escapes non-ASCII can send a lone surrogate (``"\\ud83d"``): no UTF-8
    file can hold it, so it is written as U+FFFD and the question and answer say so."""
    gate = ScriptedGate("allow_once")
    content = "tada \ud83d!\n"
    result = await run_tool(
        make_registry(workdir), "write_file", {"path": "note.txt", "content": content}, gate
    )
    assert result.status == "done"
    assert (workdir / "note.txt").read_text(encoding="utf-8") == "tada \ufffd!\n"
    assert "U+FFFD" in gate.requests[0].description
    assert "U+FFFD" in result.output


async def test_write_file_describes_replacing_an_existing_file(workdir: Path) -> None:
    (workdir / "f.txt").write_text("old content")
    gate = ScriptedGate("allow_once")
    await run_tool(make_registry(workdir), "write_file", {"path": "f.txt", "content": "new"}, gate)
    assert "replacing the existing 11-byte file" in gate.requests[0].description
    assert (workdir / "f.txt").read_text() == "new"


async def test_write_file_denied_leaves_the_disk_untouched(workdir: Path) -> None:
    gate = ScriptedGate("deny")
    result = await run_tool(
        make_registry(workdir), "write_file", {"path": "f.txt", "content": "x"}, gate
    )
    assert result.status == "denied" and result.is_error
    assert "denied" in result.output
    assert not (workdir / "f.txt").exists()


async def test_write_file_onto_a_directory_fails_before_asking(workdir: Path) -> None:
    (workdir / "d").mkdir()
    gate = ScriptedGate()
    result = await run_tool(
        make_registry(workdir), "write_file", {"path": "d", "content": ""}, gate
    )
    assert result.status == "failed" and "directory" in result.output
    assert gate.requests == []
