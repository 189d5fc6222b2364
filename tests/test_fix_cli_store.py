"""The history store's messages: what a failure to reach the file is, and where it is."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import NamedTuple

import pytest

from llmx_tui.store.connection import access_problem

pytestmark = pytest.mark.timeout(30)


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda _: DiskUsage(10**9, 10**9, 0))


def readonly_error(tmp_path: Path) -> sqlite3.OperationalError:
    """The error SQLite really gives for a write to a database opened read-only."""
    database = tmp_path / "history.db"
    sqlite3.connect(database).execute("CREATE TABLE t (x)").connection.commit()
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("a read-only database took a write")


def coded(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


def test_a_read_only_database_on_a_full_disk_is_not_called_a_full_disk(
    tmp_path: Path, full_disk: None
) -> None:
    error = readonly_error(tmp_path)
    assert error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_READONLY  # type: ignore[attr-defined]
    assert access_problem(error, tmp_path / "history.db") == str(error)


@pytest.mark.parametrize(
    "code", [sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY]
)
def test_permission_and_open_errors_say_what_they_are_whatever_the_free_space(
    tmp_path: Path, full_disk: None, code: int
) -> None:
    assert access_problem(coded("no way in", code), tmp_path / "history.db") == "no way in"


@pytest.mark.parametrize("code", [sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL])
def test_io_errors_on_a_full_disk_still_say_the_disk_is_full(
    tmp_path: Path, full_disk: None, code: int
) -> None:
    problem = access_problem(coded("boom", code), tmp_path / "history.db")
    assert problem == f"the disk holding {tmp_path} is full (boom); free some space and try again"


def test_a_data_folder_that_is_a_dangling_symlink_says_where_it_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Commonly a folder on a drive that is not mounted: "it is a file" sent the user
    looking for a file that is not there."""
    from llmx_tui.cli_sessions import main

    missing = tmp_path / "unmounted-drive" / "llmx"
    link = tmp_path / "data"
    link.symlink_to(missing)
    said = (
        f"llmx-tui: cannot use {link} as the data folder: it is a symlink to {missing}, "
        "which does not exist\n"
    )
    assert main(["list", "--data-dir", str(link)]) == 1
    assert capsys.readouterr().err == said
    assert main(["list", "--data-dir", str(link / "sub")]) == 1  # the link is further up
    assert capsys.readouterr().err == (
        f"llmx-tui: cannot create the data folder {link / 'sub'}: {link} is a symlink to "
        f"{missing}, which does not exist\n"
    )
    assert link.is_symlink() and not missing.exists()  # nothing made at either end


def test_a_data_folder_that_is_a_symlink_to_a_folder_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from llmx_tui.cli_sessions import main

    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "data"
    link.symlink_to(real)
    assert main(["list", "--data-dir", str(link)]) == 0
    assert capsys.readouterr().out == "No sessions yet.\n"
    assert (real / "history.db").is_file()


def test_a_lone_surrogate_in_a_search_hit_is_one_replacement_character(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The index holds the bytes SQLite made of the escape (three, not UTF-8): each
    showed as its own U+FFFD."""
    from llmx_tui.cli_sessions import main

    source = tmp_path / "session.json"
    # Written as JSON escapes: a lone high surrogate, and a pair that makes an emoji.
    source.write_text(
        '{"format": "llmx-tui.session/1", "title": "t", "items": ['
        '{"type": "user_message", "text": "hi \\ud83d there"},'
        '{"type": "assistant_message", "text": "ok \\ud83d\\ude00 there too"}]}'
    )
    assert main(["import", str(source), "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["search", "there", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "hi \ufffd «there»" in out
    assert "ok \U0001f600 «there» too" in out
    assert main(["search", "there", "--json", "--data-dir", str(tmp_path)]) == 0
    snippets = sorted(hit["snippet"] for hit in json.loads(capsys.readouterr().out))
    assert snippets == ["hi \ufffd «there»", "ok \U0001f600 «there» too"]
