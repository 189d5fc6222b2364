"""The SQL behind SessionStore: small functions over a connection, no transactions.

The caller (SessionStore) owns transactions; these only read and write rows.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llmx_tui.core.events import Usage
from llmx_tui.core.items import Item, UserMessage
from llmx_tui.core.surrogates import encodable
from llmx_tui.store.errors import AmbiguousSessionIdError, SessionNotFoundError
from llmx_tui.store.item_rows import item_row_json, storable_text
from llmx_tui.store.models import Draft, SearchHit, SessionInfo

if TYPE_CHECKING:
    from llmx_tui.store.sqlite import DraftCheckpoint

_TITLE_LENGTH = 60
# Longest search snippet, in characters, marks included: `sessions search` prints it whole
# to a pipe or a file (and in --json); a terminal clips it to its width (clip_snippet).
SNIPPET_WIDTH = 120
_SESSION_SELECT = """
    SELECT s.id, s.title, s.created, s.updated, s.provider, s.model, s.system_prompt, s.demo,
           s.input_tokens, s.cached_input_tokens, s.output_tokens, s.reasoning_tokens,
           s.item_count
    FROM sessions s
"""


def _info(row: tuple[Any, ...]) -> SessionInfo:
    session_id, title, created, updated, provider, model, system_prompt, demo, *counts = row
    inputs, cached, outputs, reasoning, item_count = counts
    return SessionInfo(
        session_id,
        title,
        created,
        updated,
        provider,
        model,
        system_prompt,
        bool(demo),
        inputs,
        cached,
        outputs,
        reasoning,
        item_count,
    )


def insert_session(
    conn: sqlite3.Connection,
    session_id: str,
    *,
    title: str | None,
    provider: str | None,
    model: str | None,
    system_prompt: str | None,
    demo: bool,
) -> None:
    now = time.time()
    conn.execute(
        "INSERT INTO sessions (id, title, created, updated, provider, model, system_prompt,"
        " demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            storable_text(title),
            now,
            now,
            storable_text(provider),
            storable_text(model),
            storable_text(system_prompt),
            int(demo),
        ),
    )


def require_session(conn: sqlite3.Connection, session_id: str) -> None:
    if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is None:
        raise SessionNotFoundError(f"no session with id {session_id}")


def session_info(conn: sqlite3.Connection, session_id: str) -> SessionInfo:
    row = conn.execute(_SESSION_SELECT + " WHERE s.id = ?", (session_id,)).fetchone()
    if row is None:
        raise SessionNotFoundError(f"no session with id {session_id}")
    return _info(row)


def list_sessions(
    conn: sqlite3.Connection, limit: int | None, demo: bool | None = None
) -> list[SessionInfo]:
    """Newest first; ``demo``: None for every session, else only demo or only real ones."""
    where, values = ("", []) if demo is None else (" WHERE s.demo = ?", [int(demo)])
    rows = conn.execute(
        _SESSION_SELECT + where + " ORDER BY s.updated DESC, s.created DESC LIMIT ?",
        (*values, -1 if limit is None else limit),
    ).fetchall()
    return [_info(row) for row in rows]


def update_session(
    conn: sqlite3.Connection, session_id: str, changes: dict[str, Any], *, touch: bool = True
) -> None:
    """``touch``: the change is activity, and the session moves to the top of the list
    (a new model, a system prompt); a new title alone is not."""
    require_session(conn, session_id)
    # Column names come from a fixed set of keyword arguments, never from input.
    assignments = ", ".join(f"{column} = ?" for column in [*changes, *(["updated"] * touch)])
    if not assignments:
        return  # nothing to change
    values = [storable_text(value) for value in changes.values()]
    conn.execute(
        f"UPDATE sessions SET {assignments} WHERE id = ?",
        (*values, *([time.time()] * touch), session_id),
    )


def delete_session(conn: sqlite3.Connection, session_id: str) -> None:
    require_session(conn, session_id)
    # Items first so the FTS trigger runs for each; the cascade would also do it.
    conn.execute("DELETE FROM drafts WHERE session_id = ?", (session_id,))
    conn.execute("DELETE FROM items WHERE session_id = ?", (session_id,))
    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


def resolve_prefix(conn: sqlite3.Connection, prefix: str) -> str:
    prefix = prefix.strip()
    if not prefix:
        raise SessionNotFoundError("a session id cannot be empty")
    if conn.execute("SELECT 1 FROM sessions WHERE id = ?", (prefix,)).fetchone():
        return prefix
    # substr comparison instead of LIKE: ids are hex, but input may hold % or _.
    rows = conn.execute(
        "SELECT id FROM sessions WHERE substr(id, 1, ?) = ? ORDER BY updated DESC LIMIT 6",
        (len(prefix), prefix.lower()),
    ).fetchall()
    if not rows:
        raise SessionNotFoundError(f"no session id starts with {prefix!r}")
    if len(rows) > 1:
        shown = ", ".join(row[0][: len(prefix) + 4] for row in rows[:5])
        more = " ..." if len(rows) > 5 else ""
        raise AmbiguousSessionIdError(
            f"{prefix!r} matches several sessions ({shown}{more}); type more of the id"
        )
    return str(rows[0][0])


def insert_items(conn: sqlite3.Connection, session_id: str, items: Sequence[Item]) -> None:
    seq = conn.execute(
        "SELECT coalesce(max(seq), -1) + 1 FROM items WHERE session_id = ?", (session_id,)
    ).fetchone()[0]
    for item in items:
        cursor = conn.execute(
            # An item saved already (by id) is skipped; any other failure is raised, never
            # ignored (OR IGNORE also dropped an item whose "created" was NaN, silently).
            "INSERT INTO items (id, session_id, seq, turn, kind, json, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, id) DO NOTHING",
            (item.id, session_id, seq, item.turn, item.type, item_row_json(item), item.created),
        )
        seq += cursor.rowcount
    title = _title_from(items)
    conn.execute(
        "UPDATE sessions SET updated = ?, title = coalesce(title, ?) WHERE id = ?",
        (time.time(), title, session_id),
    )


def _title_from(items: Sequence[Item]) -> str | None:
    for item in items:
        if isinstance(item, UserMessage):
            words = " ".join(item.text.split())
            if words:
                words = storable_text(words) or ""
                if len(words) <= _TITLE_LENGTH:
                    return words
                return words[: _TITLE_LENGTH - 1].rstrip() + "…"
    return None


def item_jsons(conn: sqlite3.Connection, session_id: str, last: int | None) -> list[str]:
    if last is None:
        rows = conn.execute(
            "SELECT json FROM items WHERE session_id = ? ORDER BY seq", (session_id,)
        ).fetchall()
        return [row[0] for row in rows]
    rows = conn.execute(
        "SELECT json FROM items WHERE session_id = ? ORDER BY seq DESC LIMIT ?",
        (session_id, max(last, 0)),
    ).fetchall()
    return [row[0] for row in reversed(rows)]


def item_jsons_upto(conn: sqlite3.Connection, session_id: str, count: int) -> list[str]:
    rows = conn.execute(
        "SELECT json FROM items WHERE session_id = ? ORDER BY seq LIMIT ?", (session_id, count)
    ).fetchall()
    return [row[0] for row in rows]


def get_draft(conn: sqlite3.Connection, session_id: str) -> Draft | None:
    row = conn.execute(
        "SELECT session_id, turn, text, reasoning, provider, model, pid, updated"
        " FROM drafts WHERE session_id = ?",
        (session_id,),
    ).fetchone()
    return Draft(*row) if row else None


def put_draft(conn: sqlite3.Connection, session_id: str, draft: DraftCheckpoint, pid: int) -> None:
    if not draft.text and not draft.reasoning:
        delete_draft(conn, session_id)
        return
    conn.execute(
        "INSERT OR REPLACE INTO drafts (session_id, turn, text, reasoning, provider, model,"
        " pid, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            draft.turn,
            draft.text,
            draft.reasoning,
            draft.provider,
            draft.model,
            pid,
            time.time(),
        ),
    )


def delete_draft(conn: sqlite3.Connection, session_id: str) -> None:
    conn.execute("DELETE FROM drafts WHERE session_id = ?", (session_id,))


def add_usage(conn: sqlite3.Connection, session_id: str, usage: Usage) -> None:
    conn.execute(
        "UPDATE sessions SET input_tokens = input_tokens + ?,"
        " cached_input_tokens = cached_input_tokens + ?, output_tokens = output_tokens + ?,"
        " reasoning_tokens = reasoning_tokens + ? WHERE id = ?",
        (
            usage.input_tokens or 0,
            usage.cached_input_tokens or 0,
            usage.output_tokens or 0,
            usage.reasoning_tokens or 0,
            session_id,
        ),
    )


def fts_query(text: str) -> str:
    """User words as FTS5 phrases ANDed together (no query syntax leaks through);
    the last word also matches as a prefix, for search as you type."""
    words = re.findall(r"\w+", text)
    if not words:
        return ""
    phrases = [f'"{word}"' for word in words]
    phrases[-1] += "*"
    return " ".join(phrases)


def search(
    conn: sqlite3.Connection, match: str, limit: int, mark: tuple[str, str]
) -> list[SearchHit]:
    # The index holds what SQLite's json_extract made of a lone surrogate's escape: bytes
    # that are not UTF-8. Read leniently, so such an item's snippet shows one U+FFFD.
    previous = conn.text_factory
    conn.text_factory = _lenient_text
    try:
        rows = _search_rows(conn, match, limit, mark)
    finally:
        conn.text_factory = previous
    return [
        SearchHit(
            session_id,
            title,
            item_id,
            number,
            kind,
            clip_around_match(snippet, *mark, SNIPPET_WIDTH),
            rank,
        )
        for session_id, title, item_id, number, kind, snippet, rank in rows
    ]


def _lenient_text(data: bytes) -> str:
    # The three bytes of a surrogate are one character gone, so one U+FFFD (and a pair
    # written as two such runs is its character again), not one U+FFFD per byte.
    try:
        return encodable(data.decode("utf-8", "surrogatepass"))
    except UnicodeDecodeError:  # bytes no encoder made: each shown as U+FFFD
        return data.decode("utf-8", "replace")


def _search_rows(
    conn: sqlite3.Connection, match: str, limit: int, mark: tuple[str, str]
) -> list[Any]:
    return conn.execute(
        """
        SELECT i.session_id, s.title, i.id, i.seq + 1, i.kind,
               snippet(items_fts, 0, ?, ?, '…', 12), items_fts.rank
        FROM items_fts
        JOIN items i ON i.pk = items_fts.rowid
        JOIN sessions s ON s.id = i.session_id
        WHERE items_fts MATCH ?
        ORDER BY items_fts.rank
        LIMIT ?
        """,
        (mark[0], mark[1], match, limit),
    ).fetchall()


def clip_around_match(text: str, start: str, end: str, width: int, lead: int | None = None) -> str:
    """``text`` on one line, at most ``width`` characters, with its first match (between
    the ``start`` and ``end`` marks) in view: within the first ``lead`` characters when
    given, else after a third of the spare room. FTS5's snippet() counts tokens, not
    characters: one long token before the match (a run of letters, a base64 blob) would
    otherwise push the match past where a display cuts."""
    flat = " ".join(text.split())
    first = flat.find(start)
    if len(flat) <= width and (lead is None or first <= lead):
        return flat
    if first < 0:
        return flat[: width - 1] + "…"
    close = flat.find(end, first + len(start))
    room = width - 2  # an ellipsis may go on each side
    if close < 0 or close + len(end) - first > room:  # the match alone fills the room
        return "…" + flat[first : first + room - len(end)] + end + "…"
    spare = room - (close + len(end) - first)
    left = max(0, first - (spare // 3 if lead is None else min(lead, spare)))
    if left:  # start at a word if one starts shortly after the cut
        space = flat.find(" ", left - 1, min(first, left + 10))
        left = space + 1 if space >= 0 else left
    right = min(len(flat), left + room)
    return ("…" if left else "") + flat[left:right] + ("…" if right < len(flat) else "")
