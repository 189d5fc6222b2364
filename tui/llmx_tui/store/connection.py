"""Opening the history file safely, and retrying writes another process holds up.

Before SQLite touches an existing file we check its header bytes and then its
identity and schema version; anything wrong raises StoreOpenError naming the
file, and the file is left exactly as it was (never recreated over it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from llmx_tui.store.errors import StoreOpenError
from llmx_tui.store.migrations import APPLICATION_ID, apply_migrations, schema_version

T = TypeVar("T")

_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_WAL_HEADER_SIZE = 32  # a write-ahead log this size or smaller holds no pages
BUSY_TIMEOUT_S = 10.0
# Beyond the busy handler: a few retries for the cases it does not cover
# (WAL recovery, checkpoints racing with a writer in another process).
_RETRIES = 8


def run_with_retry(operation: Callable[[], T]) -> T:
    """Run ``operation``, retrying on SQLITE_BUSY/LOCKED with a growing pause."""
    delay = 0.02
    for attempt in range(_RETRIES + 1):
        try:
            return operation()
        except sqlite3.OperationalError as exc:
            if attempt == _RETRIES or not _is_busy(exc):
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


# SQLite's primary result codes for trouble reaching the file, not in its content.
_ACCESS_CODES = frozenset(
    {
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_PERM,
    }
)
# Of those, the ones a full disk gives. Less free space than this beside the file, at
# one of them: the disk is full. (SQLite says "disk I/O error" when it cannot grow its
# shared-memory file on a full disk.) No permission is no permission, however full.
_SPACE_CODES = frozenset({sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL})
_LOW_SPACE = 1 << 20


def access_problem(exc: sqlite3.Error, path: Path) -> str | None:
    """What to tell the user when ``exc`` is about reaching the file (a full disk, an I/O
    error, no permission) rather than what it holds; None for any other error."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None or code & 0xFF not in _ACCESS_CODES:
        return None
    if code & 0xFF in _SPACE_CODES and disk_is_full(path.parent):
        return f"the disk holding {path.parent} is full ({exc}); free some space and try again"
    return str(exc)


def disk_is_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < _LOW_SPACE
    except OSError:
        return False


def open_database(path: Path) -> sqlite3.Connection:
    """A migrated connection to ``path`` (created with mode 0600 if missing)."""
    _create_if_missing(path)
    _check_header(path)
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,  # we manage transactions explicitly
        )
    except sqlite3.Error as exc:
        raise StoreOpenError(f"cannot open the history database {path}: {exc}") from exc
    try:
        _check_identity(conn, path)
        run_with_retry(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL survives a killed process; only power loss may drop the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        run_with_retry(lambda: apply_migrations(conn))
    except StoreOpenError:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        problem = access_problem(exc, path) or str(exc)
        raise StoreOpenError(f"cannot use the history database {path}: {problem}") from exc
    return conn


def _create_if_missing(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            link = _dangling_link(folder)
            if link is not None:  # often a folder on a drive that is not mounted
                where = f"cannot use {folder} as the data folder: it is"
                if link != folder:
                    where = f"cannot create the data folder {folder}: {link} is"
                raise StoreOpenError(
                    f"{where} a symlink to {os.readlink(link)}, which does not exist"
                ) from None
            if isinstance(exc, FileExistsError):  # a file where the folder goes
                raise StoreOpenError(
                    f"cannot use {folder} as the data folder: it is a file, not a folder"
                ) from None
            raise StoreOpenError(
                f"cannot create the data folder {folder}: {_reason(exc, folder)}"
            ) from exc
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreOpenError(
            f"cannot create the history database {path}: {_reason(exc, path)}"
        ) from exc
    os.close(fd)


def _dangling_link(folder: Path) -> Path | None:
    """The first of ``folder`` and the folders above it that is a symlink to nothing."""
    for path in (folder, *folder.parents):
        if path.is_symlink() and not path.exists():
            return path
    return None


def _reason(exc: OSError, path: Path) -> str:
    """``exc`` in words: which parent is a file rather than a folder, or the file it is
    about when that is not ``path``."""
    if isinstance(exc, NotADirectoryError):
        blocker = next((up for up in path.parents if up.exists() and not up.is_dir()), None)
        if blocker is not None:
            return f"{blocker} is a file, not a folder"
    reason = exc.strerror or str(exc)
    if exc.filename is not None and Path(exc.filename) != path:
        reason += f" ({exc.filename})"
    return reason


def _check_header(path: Path) -> None:
    log = path.parent / (path.name + "-wal")
    problem = _header_problem(path, logged=_has_frames(log))
    if problem and log.exists():
        # Another process may be in the middle of a checkpoint: look again.
        time.sleep(0.05)
        problem = _header_problem(path, logged=_has_frames(log))
    if problem:
        raise StoreOpenError(f"the history database {path} {problem}; it was left untouched")


def _has_frames(log: Path) -> bool:
    """The write-ahead log holds pages (more than its 32-byte header)."""
    try:
        return log.stat().st_size > _WAL_HEADER_SIZE
    except OSError:
        return False


def _header_problem(path: Path, *, logged: bool = False) -> str | None:
    """What is wrong with the file's header bytes, or None (an empty file is fine).

    ``logged``: a write-ahead log with pages sits beside the file. A checkpoint cut
    short (a full disk, a kill) leaves the file shorter than its header says while
    the log still holds the pages, and SQLite reads them from it: the page count is
    then no sign of damage (SQLite itself reports real damage when it reads).
    """
    try:
        if path.is_dir():
            return "is a directory"
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if size == 0:
        return None
    if not header.startswith(_MAGIC):
        if _MAGIC.startswith(header):
            return "is truncated (incomplete header)"
        return "is not an SQLite database"
    if len(header) < _HEADER_SIZE:
        return "is truncated (incomplete header)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "is corrupt (invalid page size in the header)"
    if size % page_size:
        return "is truncated (its size is not a whole number of pages)"
    header_pages = int.from_bytes(header[28:32], "big")
    header_pages_valid = header[24:28] == header[92:96]
    if header_pages_valid and header_pages and size < header_pages * page_size and not logged:
        return f"is truncated ({size // page_size} of {header_pages} pages present)"
    return None


def _check_identity(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a foreign or newer database before anything writes to it."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        problem = access_problem(exc, path)
        if problem is not None:  # a full disk is no damage to the file
            raise StoreOpenError(f"cannot read the history database {path}: {problem}") from exc
        raise StoreOpenError(
            f"the history database {path} is corrupt ({exc}); it was left untouched"
        ) from exc
    if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
        raise StoreOpenError(
            f"{path} is an SQLite database but not an llmx-tui history; it was left untouched"
        )
    if version > schema_version():
        raise StoreOpenError(
            f"the history database {path} has schema version {version}, newer than this "
            f"llmx-tui understands ({schema_version()}); upgrade llmx-tui. "
            "The file was left untouched"
        )
