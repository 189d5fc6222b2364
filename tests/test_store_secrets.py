"""API keys never reach the history: a whole session run with known fake keys (in the
environment and in a config file), then the database files and every export are grepped."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.loopback import openai_text_stream, openai_tool_call_stream

pytestmark = pytest.mark.timeout(60)

ENV_KEY = "sk-FAKE-env-key-0123456789abcdef"
CONFIG_KEY = "sk-FAKE-config-key-fedcba9876543210"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_keys_never_reach_the_database_or_any_export(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[providers.work]\npreset = "openai"\nbase_url = "{loopback.base_url}"\n'
        f'api_key = "{CONFIG_KEY}"\n'
    )
    config.chmod(0o600)

    # Session 1: a tool loop with the key from the environment, then a resumed turn.
    loopback.add_stream(openai_tool_call_stream("call_1", "no_such_tool", '{"x": 1}'))
    loopback.add_stream(openai_text_stream("The tool was not there.", pieces=4))
    loopback.add_stream(openai_text_stream("Second answer.", pieces=2))
    base = [
        "--provider",
        "openai",
        "--base-url",
        loopback.base_url,
        "--model",
        "m",
        "--data-dir",
        str(data),
    ]
    code, _, err = _run(capsys, "--print", "use a tool", *base)
    assert code == 0, err
    code, _, err = _run(capsys, "--print", "again", "--continue", *base)
    assert code == 0, err
    # Session 2: the key from the config file.
    loopback.add_stream(openai_text_stream("Configured.", pieces=2))
    code, _, err = _run(
        capsys,
        "--print",
        "hello",
        "--provider",
        "work",
        "--model",
        "m",
        "--config",
        str(config),
        "--data-dir",
        str(data),
    )
    assert code == 0, err

    sent = [request.headers.get("authorization", "") for request in loopback.requests]
    assert sent == [f"Bearer {ENV_KEY}"] * 3 + [f"Bearer {CONFIG_KEY}"]

    outputs = _every_export(capsys, data, tmp_path)
    stored = [path.read_bytes() for path in data.iterdir() if path.is_file()]
    assert any(b"The tool was not there." in blob for blob in stored)  # grep finds text
    for key in (ENV_KEY, CONFIG_KEY):
        for blob in stored:
            assert key.encode() not in blob
        for text in outputs:
            assert key not in text
    # The exports really hold the sessions (so the grep above means something).
    joined = "\n".join(outputs)
    for text in (
        "use a tool",
        "no_such_tool",
        "The tool was not there.",
        "Second answer.",
        "Configured.",
    ):
        assert text in joined


def _every_export(capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path) -> list[str]:
    def sessions(*args: str) -> str:
        code, out, err = _run(capsys, "sessions", *args, "--data-dir", str(data))
        assert code == 0, err
        return out

    listing = sessions("list", "--json")
    outputs = [listing, sessions("list"), sessions("search", "answer")]
    ids = [entry["id"] for entry in json.loads(listing)]
    assert len(ids) == 2
    for session_id in ids:
        outputs.append(sessions("show", session_id))
        for fmt in ("md", "json"):
            outputs.append(sessions("export", session_id, "--format", fmt))
            target = tmp_path / f"{session_id}.{fmt}"
            sessions("export", session_id, "--format", fmt, "-o", str(target))
            outputs.append(target.read_text())
    assert os.listdir(data)  # the database is there
    return outputs
