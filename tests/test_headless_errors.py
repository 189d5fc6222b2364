"""Headless mode: expected failures are one line on stderr with exit 1, never a traceback."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest

from llmx_tui.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def damaged_copy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    """A data dir whose history.db has its pages past the header overwritten."""
    good = tmp_path / "good"
    code, _out, err = run_cli(capsys, "--demo", "--print", "hi", "--data-dir", str(good))
    assert code == 0, err
    damaged = tmp_path / "damaged"
    shutil.copytree(good, damaged)
    for extra in ("history.db-wal", "history.db-shm"):
        (damaged / extra).unlink(missing_ok=True)
    database = damaged / "history.db"
    data = bytearray(database.read_bytes())
    for offset in range(4096, len(data), 3):
        data[offset] = 0xAB
    database.write_bytes(bytes(data))
    return damaged


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_history_database_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    damaged = damaged_copy(capsys, tmp_path)
    before = digest(damaged / "history.db")
    code, out, err = run_cli(capsys, "--demo", "--print", "hi", "--data-dir", str(damaged))
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    [line] = [line for line in err.splitlines() if line.startswith("llmx-tui: error:")]
    assert "history.db is damaged" in line
    assert digest(damaged / "history.db") == before  # never modified


def test_a_prompt_that_is_not_utf8_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for errors in ("surrogateescape", "strict"):  # a C.UTF-8 stdin, an en_US.UTF-8 one
        undecodable = io.TextIOWrapper(io.BytesIO(b"hi \xff\xfe"), errors=errors)
        monkeypatch.setattr("sys.stdin", undecodable)
        code, out, err = run_cli(capsys, "--demo", "--print", "-", "--data-dir", str(tmp_path))
        assert (code, out) == (1, "")
        assert err == "llmx-tui: error: the prompt is not valid UTF-8 text\n"
