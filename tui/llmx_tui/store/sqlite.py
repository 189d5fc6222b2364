"""SessionStore: sessions and their items in SQLite (synchronous, stdlib sqlite3).

Every write is one short IMMEDIATE transaction, retried if another process
holds the lock, so two llmx-tui processes can share one database. Items are
append-only; the step being streamed lives in the ``drafts`` table until its
items replace it in the same transaction. Not thread-safe: one thread owns a
store (AsyncSessionStore runs it on a dedicated worker thread).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from llmx_tui.core.events import Usage
from llmx_tui.core.items import Item, new_id
from llmx_tui.store import queries
from llmx_tui.store.connection import access_problem, open_database, run_with_retry
from llmx_tui.store.errors import SessionNotFoundError, StoreError
from llmx_tui.store.item_rows import UnreadableItemError, items_from_row_jsons
from llmx_tui.store.models import Draft, SearchHit, SessionInfo
from llmx_tui.store.session_format import ParsedSession, parse_session, session_to_json

T = TypeVar("T")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
KEEP: Literal["keep"] = "keep"


@dataclass(frozen=True)
class DraftCheckpoint:
    """What to leave in the drafts table; empty text and reasoning means no draft."""

    turn: int
    text: str
    reasoning: str
    provider: str | None = None
    model: str | None = None


class SessionStore:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> SessionStore:
        """Open (creating with mode 0600 if missing) and migrate; raises StoreOpenError."""
        return cls(open_database(Path(path)), Path(path))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in one IMMEDIATE transaction, retrying while another process writes."""

        def attempt() -> T:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            return result

        return self._guard(attempt)

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on one consistent snapshot."""

        def attempt() -> T:
            self._conn.execute("BEGIN")
            try:
                return work(self._conn)
            finally:
                self._conn.execute("COMMIT")

        return self._guard(attempt)

    def _guard(self, attempt: Callable[[], T]) -> T:
        try:
            return run_with_retry(attempt)
        except sqlite3.OperationalError as exc:
            problem = access_problem(exc, self.path) or str(exc)
            raise StoreError(f"history database {self.path}: {problem}") from exc
        except sqlite3.IntegrityError as exc:  # what was given, not the file, is at fault
            raise StoreError(f"history database {self.path}: cannot save: {exc}") from exc
        except sqlite3.DatabaseError as exc:  # damage found past the header checks
            raise StoreError(f"the history database {self.path} is damaged ({exc})") from exc

    # -- sessions ---------------------------------------------------------

    def create_session(
        self,
        *,
        title: str | None = None,
        provider: str | None = None,
        model: str | None = None,
        system_prompt: str | None = None,
        demo: bool = False,
    ) -> str:
        session_id = new_id()
        self._write(
            lambda conn: queries.insert_session(
                conn,
                session_id,
                title=title,
                provider=provider,
                model=model,
                system_prompt=system_prompt,
                demo=demo,
            )
        )
        return session_id

    def get_session(self, session_id: str) -> SessionInfo:
        return self._read(lambda conn: queries.session_info(conn, session_id))

    def update_session(
        self,
        session_id: str,
        *,
        title: str | None = UNSET,
        provider: str | None = UNSET,
        model: str | None = UNSET,
        system_prompt: str | None = UNSET,
        touch: bool = True,
    ) -> None:
        """Change only the fields given; ``touch``: also mark the session as just updated."""
        given = {
            "title": title,
            "provider": provider,
            "model": model,
            "system_prompt": system_prompt,
        }
        changes = {key: value for key, value in given.items() if value is not UNSET}
        self._write(lambda conn: queries.update_session(conn, session_id, changes, touch=touch))

    def rename(self, session_id: str, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            raise StoreError("a session title cannot be empty")
        # A new name is no activity: the session keeps its place in the list.
        self.update_session(session_id, title=title, touch=False)

    def delete(self, session_id: str) -> None:
        self._write(lambda conn: queries.delete_session(conn, session_id))

    def list_sessions(
        self, *, limit: int | None = None, include_demo: bool = True
    ) -> list[SessionInfo]:
        """Newest (most recently updated) first."""
        demo = None if include_demo else False
        return self._read(lambda conn: queries.list_sessions(conn, limit, demo))

    def latest_session_id(self, *, demo: bool | None = None) -> str | None:
        """The most recently updated session: of all (``demo`` None), or only of the demo
        sessions (True) or of the others (False)."""
        sessions = self._read(lambda conn: queries.list_sessions(conn, 1, demo))
        return sessions[0].id if sessions else None

    def resolve_session_id(self, prefix: str) -> str:
        """The one session whose id starts with ``prefix``; clear errors otherwise."""
        return self._read(lambda conn: queries.resolve_prefix(conn, prefix))

    # -- items, drafts and usage --------------------------------------------

    def append_items(self, session_id: str, items: Sequence[Item]) -> None:
        """Append finished items in order; titles an untitled session from its first user
        message. An item whose id is already in the session is skipped (idempotent)."""
        self.record(session_id, items)

    def save_draft(
        self,
        session_id: str,
        *,
        turn: int,
        text: str,
        reasoning: str,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        """Checkpoint the step being streamed (replaces the previous draft)."""
        self.record(session_id, draft=DraftCheckpoint(turn, text, reasoning, provider, model))

    def clear_draft(self, session_id: str) -> None:
        self.record(session_id, draft=None)

    def add_usage(self, session_id: str, usage: Usage) -> None:
        self.record(session_id, usage=usage)

    def record(
        self,
        session_id: str,
        items: Sequence[Item] = (),
        *,
        draft: DraftCheckpoint | Literal["keep"] | None = KEEP,
        usage: Usage | None = None,
    ) -> None:
        """Append items, replace (or with None clear) the draft and add usage, all in ONE
        transaction: a crash never leaves both an item and the draft text it replaced."""

        def work(conn: sqlite3.Connection) -> None:
            queries.require_session(conn, session_id)
            if items:
                queries.insert_items(conn, session_id, items)
            if draft is None:
                queries.delete_draft(conn, session_id)
            elif draft != KEEP:
                queries.put_draft(conn, session_id, draft, os.getpid())
            if usage is not None:
                queries.add_usage(conn, session_id, usage)

        self._write(work)

    def get_draft(self, session_id: str) -> Draft | None:
        return self._read(lambda conn: queries.get_draft(conn, session_id))

    def load_items(self, session_id: str, *, last: int | None = None) -> list[Item]:
        """The session's items in order (the last ``last`` only); a draft is not included."""

        def work(conn: sqlite3.Connection) -> list[str]:
            queries.require_session(conn, session_id)
            return queries.item_jsons(conn, session_id, last)

        jsons = self._read(work)
        try:
            return items_from_row_jsons(jsons)
        except UnreadableItemError as exc:
            if last is not None:  # the rows read were the last ones: number it in the session
                skipped = self.get_session(session_id).item_count - len(jsons)
                exc = UnreadableItemError(skipped + exc.number, exc.reason)
            raise self._unreadable(session_id, exc) from None

    def _unreadable(self, session_id: str, exc: UnreadableItemError) -> StoreError:
        return StoreError(
            f"the history database {self.path} is damaged: session {session_id[:8]}'s {exc}; "
            "the file was left untouched"
        )

    def recover_draft(self, session_id: str, *, force: bool = False) -> list[Item]:
        """Turn a dead step's draft into items: Reasoning and AssistantMessage (when
        non-empty) then TurnError(kind="interrupted"). A draft still owned by another
        live process is left alone unless ``force``. Returns the new items."""

        def work(conn: sqlite3.Connection) -> list[Item]:
            queries.require_session(conn, session_id)
            found = queries.get_draft(conn, session_id)
            if found is None or (not force and _owned_by_other_live_process(found.pid)):
                return []
            items = found.to_items()
            queries.insert_items(conn, session_id, items)
            queries.delete_draft(conn, session_id)
            return items

        return self._write(work)

    # -- search, fork, import, export ---------------------------------------

    def search(
        self, query: str, *, limit: int = 50, mark: tuple[str, str] = ("«", "»")
    ) -> list[SearchHit]:
        """Full-text search over user, assistant and reasoning text, best match first."""
        match = queries.fts_query(query)
        if not match:
            return []
        return self._read(lambda conn: queries.search(conn, match, limit, mark))

    def fork(self, session_id: str, at: int) -> str:
        """A new session holding copies of items 1..``at`` (as `sessions show` numbers them)."""
        new_session = new_id()

        def work(conn: sqlite3.Connection) -> None:
            info = queries.session_info(conn, session_id)
            if not 1 <= at <= info.item_count:
                raise StoreError(f"fork point must be between 1 and {info.item_count}, got {at}")
            jsons = queries.item_jsons_upto(conn, session_id, at)
            try:
                items = items_from_row_jsons(jsons)
            except UnreadableItemError as exc:
                raise self._unreadable(session_id, exc) from None
            copies = [item.model_copy(update={"id": new_id()}) for item in items]
            queries.insert_session(
                conn,
                new_session,
                title=f"{info.title or 'Untitled'} (fork)",
                provider=info.provider,
                model=info.model,
                system_prompt=info.system_prompt,
                demo=info.demo,
            )
            queries.insert_items(conn, new_session, copies)

        self._write(work)
        return new_session

    def import_session(self, data: ParsedSession | dict[str, Any]) -> str:
        """Store an llmx-tui.session/1 session (validated first: all or nothing)."""
        parsed = data if isinstance(data, ParsedSession) else parse_session(data)
        session_id = new_id()

        def work(conn: sqlite3.Connection) -> None:
            queries.insert_session(
                conn,
                session_id,
                title=parsed.title,
                provider=parsed.provider,
                model=parsed.model,
                system_prompt=parsed.system_prompt,
                demo=parsed.demo,
            )
            # Fresh ids: the same file may be imported twice.
            queries.insert_items(
                conn,
                session_id,
                [item.model_copy(update={"id": new_id()}) for item in parsed.items],
            )
            queries.add_usage(conn, session_id, parsed.usage)

        self._write(work)
        return session_id

    def export_items(self, session_id: str, *, include_draft: bool = True) -> list[Item]:
        """The items, plus what an unfinished draft would become (not persisted)."""
        items = self.load_items(session_id)
        draft = self.get_draft(session_id) if include_draft else None
        return items + (draft.to_items() if draft else [])

    def export_json(self, session_id: str, *, include_draft: bool = True) -> dict[str, Any]:
        items = self.export_items(session_id, include_draft=include_draft)
        return session_to_json(self.get_session(session_id), items)


def _owned_by_other_live_process(pid: int) -> bool:
    # On Windows signal 0 would be CTRL_C_EVENT: do not probe, treat the owner as gone.
    if pid == os.getpid() or pid <= 0 or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


__all__ = ["KEEP", "UNSET", "DraftCheckpoint", "SessionNotFoundError", "SessionStore"]
