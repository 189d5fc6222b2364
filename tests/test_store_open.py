"""Opening a bad history file: clear StoreOpenError naming the file, bytes untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from llmx_tui.core.items import UserMessage
from llmx_tui.store.errors import StoreOpenError
from llmx_tui.store.migrations import SCHEMA_VERSION
from llmx_tui.store.sqlite import SessionStore


def _valid_database(path: Path, messages: int = 200) -> None:
    with SessionStore.open(path) as store:
        session_id = store.create_session()
        store.append_items(
            session_id, [UserMessage(text=f"message {n} " * 20) for n in range(messages)]
        )


def _refused(path: Path, match: str) -> StoreOpenError:
    before = path.read_bytes()
    with pytest.raises(StoreOpenError, match=match) as caught:
        SessionStore.open(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before, "the file must be left untouched"
    return caught.value


def test_garbage_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"this is my shopping list, not a database\n" * 100)
    _refused(path, "is not an SQLite database")


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    _valid_database(path)
    data = path.read_bytes()
    assert len(data) >= 8 * 4096
    path.write_bytes(data[: len(data) // 2])
    _refused(path, "is truncated")
    path.write_bytes(data[:4100])  # not a whole number of pages
    _refused(path, "is truncated")
    path.write_bytes(data[:50])  # not even a header
    _refused(path, "is truncated")


def test_corrupt_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    _valid_database(path, messages=1)
    data = bytearray(path.read_bytes())
    data[16:18] = b"\x03\x00"  # page size 768: not a power of two
    path.write_bytes(bytes(data))
    _refused(path, "corrupt")


def test_future_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    _valid_database(path, messages=3)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    error = _refused(path, "newer than this llmx-tui")
    assert f"schema version {SCHEMA_VERSION + 5}" in str(error)


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    _refused(path, "not an llmx-tui history")


def test_a_directory_in_the_way_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.mkdir()
    with pytest.raises(StoreOpenError, match="is a directory"):
        SessionStore.open(path)


def test_an_empty_file_becomes_a_database_and_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.touch()
    _valid_database(path, messages=2)
    with SessionStore.open(path) as store:
        [info] = store.list_sessions()
        assert info.item_count == 2
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        journal = store._conn.execute("PRAGMA journal_mode").fetchone()[0]
        foreign_keys = store._conn.execute("PRAGMA foreign_keys").fetchone()[0]
    assert (version, journal, foreign_keys) == (SCHEMA_VERSION, "wal", 1)


def test_the_cli_reports_a_bad_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from llmx_tui.cli_sessions import main

    (tmp_path / "history.db").write_bytes(b"\x00garbage" * 64)
    assert main(["list", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(tmp_path / "history.db") in err and "not an SQLite database" in err


def test_forward_migrations_run_at_open_and_older_code_then_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmx_tui.store import migrations

    path = tmp_path / "history.db"
    _valid_database(path, messages=3)
    added = "ALTER TABLE sessions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0"
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, [added]])
        with SessionStore.open(path) as store:
            version = store._conn.execute("PRAGMA user_version").fetchone()[0]
            columns = [row[1] for row in store._conn.execute("PRAGMA table_info(sessions)")]
            [info] = store.list_sessions()
        assert version == SCHEMA_VERSION + 1 and "pinned" in columns
        assert info.item_count == 3
    # Back to the current code: the migrated file is now "from the future".
    _refused(path, f"schema version {SCHEMA_VERSION + 1}, newer")


def test_damage_inside_the_file_is_one_clear_line_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from llmx_tui.cli_sessions import main

    path = tmp_path / "history.db"
    _valid_database(path)
    with SessionStore.open(path) as store:
        session_id = store.list_sessions()[0].id
    data = bytearray(path.read_bytes())
    for start in range(4096, len(data), 4096):  # every page but the header page
        data[start : start + 4096] = b"\xde\xad" * 2048
    path.write_bytes(bytes(data))
    for command in (["list"], ["show", session_id], ["search", "message"]):
        assert main([*command, "--data-dir", str(tmp_path)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert f"the history database {path} is damaged" in err
    assert path.read_bytes() == bytes(data)


def test_a_version_1_database_is_upgraded_with_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmx_tui.store import migrations

    path = tmp_path / "history.db"
    conn = sqlite3.connect(path, isolation_level=None)
    with monkeypatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        migrations.apply_migrations(conn)
    for session_id, count in (("a", 3), ("b", 0)):
        conn.execute("INSERT INTO sessions (id, created, updated) VALUES (?, 0, 0)", (session_id,))
        for seq in range(count):
            item = UserMessage(text=f"old {seq}")
            conn.execute(
                "INSERT INTO items (id, session_id, seq, turn, kind, json, created)"
                " VALUES (?, ?, ?, 0, 'user_message', ?, 0)",
                (item.id, session_id, seq, item.model_dump_json()),
            )
    conn.close()
    with SessionStore.open(path) as store:
        assert {info.id: info.item_count for info in store.list_sessions()} == {"a": 3, "b": 0}
        store.append_items("a", [UserMessage(text="new")])
        assert store.get_session("a").item_count == 4
        assert sorted(hit.item_number for hit in store.search("old")) == [1, 2, 3]
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION == 2


def test_a_checkpoint_cut_short_is_read_from_the_write_ahead_log(tmp_path: Path) -> None:
    """A checkpoint stopped by a full disk leaves the main file shorter than its header
    says, while the write-ahead log still holds every page: SQLite reads it whole, so
    the history must open (it was refused as "truncated" and the user locked out)."""
    import shutil

    live = tmp_path / "live"
    live.mkdir()
    path = live / "history.db"
    with SessionStore.open(path) as store:
        session_id = store.create_session(title="kept")
        store.append_items(session_id, [UserMessage(text="still here")])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE sessions SET title = 'kept, then renamed'")
    writer.execute("VACUUM")  # every page rewritten: the log holds the whole database
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(path, copy / "history.db")  # while the writer holds the log: as a crash
    shutil.copy(path.with_name("history.db-wal"), copy / "history.db-wal")
    writer.close()
    cut = copy / "history.db"
    data = bytearray(cut.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    assert pages > 1
    # What a checkpoint that wrote page 1 and no more leaves: the header counts every page.
    cut.write_bytes(bytes(data[:page_size]))
    with SessionStore.open(cut) as store:
        [info] = store.list_sessions()
        assert info.title == "kept, then renamed"
        [item] = store.load_items(info.id)
        assert isinstance(item, UserMessage) and item.text == "still here"
    # Without the log the same file is refused, untouched.
    (copy / "history.db-wal").unlink(missing_ok=True)
    (copy / "history.db-shm").unlink(missing_ok=True)
    cut.write_bytes(bytes(data[:page_size]))
    _refused(cut, "is truncated")
