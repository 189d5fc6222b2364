"""`llmx-tui sessions export -o FILE` where FILE is not a plain new file.

The export was written to a temporary file and renamed over FILE: ``-o /dev/full``
(run as root) replaced the device with a regular file and said nothing, a FIFO or
``/dev/stdout`` was replaced the same way, a symlink became a file, and a private
(0600) export was replaced by one anyone could read.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from llmx_tui.cli_sessions import main

pytestmark = pytest.mark.timeout(30)

SESSION = {
    "format": "llmx-tui.session/1",
    "title": "Private notes",
    "items": [{"type": "user_message", "text": "my bank PIN hint"}],
}


@pytest.fixture
def session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    source = tmp_path / "session.json"
    source.write_text(json.dumps(SESSION))
    assert main(["import", str(source), "--data-dir", str(tmp_path)]) == 0
    return capsys.readouterr().out.strip()


def export(tmp_path: Path, session_id: str, target: Path, *extra: str) -> int:
    return main(["export", session_id, "-o", str(target), "--data-dir", str(tmp_path), *extra])


def test_a_fifo_is_written_to_not_replaced(tmp_path: Path, session: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The reader end, opened first and without blocking, so the export's open does not wait.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert export(tmp_path, session, fifo) == 0
        received = os.read(reader, 65536).decode()
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a file"
    assert "my bank PIN hint" in received


def test_a_symlink_keeps_pointing_at_the_export(tmp_path: Path, session: str) -> None:
    real = tmp_path / "exports" / "notes.md"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.md"
    link.symlink_to(real)
    assert export(tmp_path, session, link) == 0
    assert link.is_symlink() and link.resolve() == real
    assert "my bank PIN hint" in real.read_text()
    assert [path.name for path in real.parent.iterdir()] == ["notes.md"]  # no temporary left


def test_a_private_file_stays_private(tmp_path: Path, session: str) -> None:
    target = tmp_path / "notes.json"
    target.write_text("{}")
    target.chmod(0o600)
    assert export(tmp_path, session, target, "--format", "json") == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["title"] == "Private notes"


def test_a_directory_is_refused_in_one_line(
    tmp_path: Path, session: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    assert export(tmp_path, session, folder) == 1
    assert capsys.readouterr().err == f"llmx-tui: cannot write {folder}: Is a directory\n"
    assert list(folder.iterdir()) == []


def test_dash_is_stdout_as_for_import(
    tmp_path: Path,
    session: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``-o -`` wrote a file named "-" in the current folder."""
    monkeypatch.chdir(tmp_path)
    assert export(tmp_path, session, Path("-"), "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Private notes"
    assert not (tmp_path / "-").exists()
