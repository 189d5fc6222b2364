"""Headless mode reports what the app shows as notices when it opens: one stderr line each."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from llmx_tui.cli import main


def run_demo(
    capsys: pytest.CaptureFixture[str], config: Path, data_dir: Path
) -> tuple[int, str, str]:
    args = ["--demo", "--json", "--print", "hi", "--data-dir", str(data_dir)]
    code = main(["--config", str(config), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("llmx-tui: warning: ")]


def assert_json_only(out: str) -> None:
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[-1]["type"] == "turn_completed"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_readable_config_with_a_literal_key_is_warned_about(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[providers.x]\npreset = "openai"\napi_key = "sk-test-not-a-real-key"\n')
    config.chmod(0o644)
    code, out, err = run_demo(capsys, config, tmp_path / "data")
    assert code == 0
    assert_json_only(out)
    [warning] = warnings(err)
    assert f"{config} holds an api_key and is readable by other users" in warning
    assert "sk-test-not-a-real-key" not in err


def test_an_mcp_server_that_fails_to_start_is_one_warning_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    script = "import sys; sys.stderr.write('boom\\nline two\\n'); sys.exit(3)"
    config.write_text(
        f"[mcp.servers.bad]\ncommand = {json.dumps(sys.executable)}\n"
        f'args = ["-c", {json.dumps(script)}]\n'
    )
    code, out, err = run_demo(capsys, config, tmp_path / "data")
    assert code == 0
    assert_json_only(out)
    [warning] = warnings(err)
    assert "MCP server 'bad'" in warning and "failed to start" in warning
    assert warning.endswith("boom | line two")
