"""`--demo`: scripted turns through the real client, engine, tools and store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.conftest import CORPUS


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["--demo", "--json", *args])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def test_demo_runs_recorded_reasoning_then_an_approved_tool_loop(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = ["--data-dir", str(tmp_path / "data")]
    code, lines = run(capsys, "--print", "hello", *data)
    assert code == 0
    [first] = [line for line in lines if line["type"] == "response_completed"]
    recorded = json.loads(
        (CORPUS / "openai-chat__together-r1-think-tags__pydantic-ai.expected.json").read_text()
    )
    assert first["text"] == recorded["text"] and first["reasoning"] == recorded["reasoning"]

    code, lines = run(capsys, "--continue", "--print", "show me a tool", "--yes", *data)
    assert code == 0
    [result] = [line for line in lines if line["type"] == "tool_result"]
    assert result["name"] == "run_shell" and result["status"] == "done"
    assert "hello from a harmless demo tool" in result["output"]
    final = [line for line in lines if line["type"] == "response_completed"][-1]
    assert "hello from a harmless demo tool" in final["text"]
    assert "| step | what happened |" in final["text"]

    assert main(["sessions", "list", "--json", *data]) == 0
    sessions = json.loads(capsys.readouterr().out)
    assert len(sessions) == 1 and sessions[0]["model"] == "demo"


def test_demo_tool_call_is_denied_without_approval(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = ["--data-dir", str(tmp_path / "data")]
    assert run(capsys, "--print", "one", *data)[0] == 0
    code, lines = run(capsys, "--continue", "--print", "two", *data)
    assert code == 0
    [result] = [line for line in lines if line["type"] == "tool_result"]
    assert result["status"] == "denied"
