"""--print on stderr: tool names and server messages never drive the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream

pytestmark = pytest.mark.timeout(30)

# Sets the window title, clears the screen, turns text red, reverses what follows.
EVIL = "\x1b]0;OWNED\x07\x1b[2J\x1b[31m\u202e"
CONTROLS = ("\x1b", "\x07", "\u202e")


def _run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, base_url: str, *extra: str
) -> tuple[int, str]:
    argv = ["--print", "go", "--base-url", base_url, "--model", "m", "--data-dir", str(tmp_path)]
    code = main([*argv, *extra])
    return code, capsys.readouterr().err


def _error_reply(status: int) -> Reply:
    body = json.dumps({"error": {"message": f"quota {EVIL}gone"}}).encode()
    return Reply(status=status, body=body, content_type="application/json")


def test_a_tool_name_from_the_model_is_neutralised_in_the_notes(
    loopback: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    loopback.add_stream(openai_tool_call_stream("c1", f"run_shell{EVIL}", '{"command": "true"}'))
    loopback.add_stream(openai_text_stream("done"))
    code, err = _run(capsys, tmp_path, loopback.base_url)
    assert code == 0
    assert not any(control in err for control in CONTROLS), repr(err)
    notes = err.splitlines()
    assert notes[0].startswith("[llmx-tui] tool call run_shell")
    assert notes[1].startswith("[llmx-tui] tool run_shell") and "<U+202E>" in notes[1]


@pytest.mark.parametrize("mode", [[], ["--json"]])
def test_a_server_error_message_is_one_neutralised_line(
    loopback: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path, mode: list[str]
) -> None:
    loopback.add(_error_reply(400))
    code, err = _run(capsys, tmp_path, loopback.base_url, *mode)
    assert code == 1
    [line] = err.splitlines()
    assert line.startswith("llmx-tui: error: HTTP 400 Bad Request from 127.0.0.1")
    assert line.endswith("quota <U+202E>gone"), repr(line)


def test_a_retry_reason_from_the_server_is_neutralised(
    loopback: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    loopback.add(_error_reply(503))
    loopback.add_stream(openai_text_stream("fine"))
    code, err = _run(capsys, tmp_path, loopback.base_url)
    assert code == 0
    [note] = err.splitlines()
    assert note.startswith("[llmx-tui] retrying in ") and "quota <U+202E>gone" in note
    assert not any(control in err for control in CONTROLS), repr(err)
