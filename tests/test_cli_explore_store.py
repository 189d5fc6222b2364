"""A full disk is no damage to the history database.

On a full disk SQLite cannot grow its shared-memory file and says "disk I/O error"
(SQLITE_IOERR_SHMSIZE) on the first read. Every command then said "the history
database ... is corrupt (disk I/O error)", even `sessions list`: alarming and wrong,
the file was fine. Errors about reaching the file now say what they are, and a full
disk says so.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from llmx_tui.cli_sessions import main
from llmx_tui.store import connection
from llmx_tui.store.connection import access_problem

pytestmark = pytest.mark.timeout(30)

SHMSIZE = 4874  # SQLITE_IOERR_SHMSIZE: the extended code a full disk gave


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


class Usage(NamedTuple):
    total: int
    used: int
    free: int


def disk(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda _: Usage(10**9, 10**9 - free, free))


class _FailingFirstRead:
    """A connection whose first query fails as it does on a full disk."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self._real = real

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "PRAGMA user_version":
            raise sqlite_error("disk I/O error", SHMSIZE)
        return self._real.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class _Sqlite:
    """The sqlite3 module as connection.py sees it, its connections failing."""

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    def connect(self, *args: Any, **kwargs: Any) -> _FailingFirstRead:
        return _FailingFirstRead(sqlite3.connect(*args, **kwargs))


def test_sessions_list_on_a_full_disk_says_so_not_corrupt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["list", "--data-dir", str(tmp_path)]) == 0  # the file is made, and fine
    capsys.readouterr()
    monkeypatch.setattr(connection, "sqlite3", _Sqlite())
    disk(monkeypatch, free=0)
    assert main(["list", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"llmx-tui: cannot read the history database {tmp_path / 'history.db'}: the disk "
        f"holding {tmp_path} is full (disk I/O error); free some space and try again\n"
    )

    disk(monkeypatch, free=10**8)  # an I/O error with room left: said as it is
    assert main(["list", "--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.endswith("history.db: disk I/O error\n")


@pytest.mark.parametrize(
    ("code", "free", "said"),
    [
        (SHMSIZE, 0, "the disk holding {folder} is full (boom); free some space"),
        (sqlite3.SQLITE_FULL, 100, "the disk holding {folder} is full (boom)"),
        (sqlite3.SQLITE_READONLY, 10**8, "boom"),
        (sqlite3.SQLITE_CORRUPT, 0, None),  # damage is damage, whatever the free space
        (sqlite3.SQLITE_NOTADB, 0, None),
    ],
)
def test_which_errors_are_about_reaching_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, free: int, said: str | None
) -> None:
    disk(monkeypatch, free)
    problem = access_problem(sqlite_error("boom", code), tmp_path / "history.db")
    if said is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith(said.format(folder=tmp_path))


def test_a_file_where_the_data_folder_goes_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was "the history database notes/history.db cannot be read (Not a directory); it
    was left untouched" (there is no such file), or "[Errno 20] Not a directory: ..."."""
    blocker = tmp_path / "notes"
    blocker.write_text("my notes")
    assert main(["list", "--data-dir", str(blocker)]) == 1
    assert capsys.readouterr().err == (
        f"llmx-tui: cannot use {blocker} as the data folder: it is a file, not a folder\n"
    )
    assert main(["list", "--data-dir", str(blocker / "sub" / "deeper")]) == 1
    assert capsys.readouterr().err == (
        f"llmx-tui: cannot create the data folder {blocker / 'sub' / 'deeper'}: "
        f"{blocker} is a file, not a folder\n"
    )
    assert blocker.read_text() == "my notes"


def test_a_debug_log_that_cannot_be_written_is_a_warning_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmx_tui.cli import main as llmx_main

    (tmp_path / "llmx-tui.log").mkdir()  # where the log file goes
    monkeypatch.setenv("LLMX_TUI_LOG", "debug")
    monkeypatch.setattr(logging.getLogger("llmx_tui"), "handlers", [])  # left as found
    code = llmx_main(["--print", "hi", "--data-dir", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "llmx-tui: warning: no debug log (LLMX_TUI_LOG): cannot write "
        f"{tmp_path / 'llmx-tui.log'}: Is a directory"
    )
    assert (code, err[1:]) == (1, [err[1]]) and "no provider configured" in err[1]


def test_a_damaged_item_row_is_named_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A row whose JSON is no item (a hand edit, a damaged disk) made `sessions show`
    "unexpected error: ValidationError ..." and `--resume` a traceback."""
    from llmx_tui.cli import main as llmx_main
    from llmx_tui.core.items import UserMessage
    from llmx_tui.store.errors import StoreError
    from llmx_tui.store.sqlite import SessionStore

    path = tmp_path / "history.db"
    with SessionStore.open(path) as store:
        session_id = store.create_session(title="t")
        store.append_items(session_id, [UserMessage(text=str(n)) for n in range(4)])
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE items SET json = '{bad' WHERE seq = 2")
    damaged = f"the history database {path} is damaged: session {session_id[:8]}'s item 3"

    assert main(["show", session_id, "--data-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith(f"llmx-tui: {damaged} cannot be read (")
    resume = ["--resume", session_id, "-p", "x", "--base-url", "http://127.0.0.1:9/v1"]
    assert llmx_main([*resume, "--model", "m", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"llmx-tui: error: {damaged}") and err.count("\n") == 1
    with SessionStore.open(path) as store:
        with pytest.raises(StoreError, match="item 3 cannot be read"):
            store.load_items(session_id, last=2)  # numbered in the session, not the rows
        assert [item.text for item in store.load_items(session_id, last=1)] == ["3"]  # type: ignore[union-attr]
