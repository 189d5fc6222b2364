"""Schema versions of the history database, applied forward at open.

``PRAGMA user_version`` holds the number of migrations applied. A migration is
a list of statements run inside one IMMEDIATE transaction together with the
version bump, so two processes opening a fresh file never both apply it.
Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3

# "llmx" in ASCII: marks the file as ours so a foreign SQLite file is refused.
APPLICATION_ID = 0x6C6C6D78

# Item kinds whose text is searchable.
SEARCHABLE_KINDS = ("user_message", "assistant_message", "reasoning")

_V1 = [
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        provider TEXT,
        model TEXT,
        system_prompt TEXT,
        demo INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        cached_input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0
    )
    """,
    "CREATE INDEX sessions_by_updated ON sessions (updated DESC)",
    """
    CREATE TABLE items (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        turn INTEGER NOT NULL,
        kind TEXT NOT NULL,
        json TEXT NOT NULL,
        created REAL NOT NULL,
        UNIQUE (session_id, seq),
        UNIQUE (session_id, id)
    )
    """,
    # The checkpoint of the step being streamed: at most one per session.
    """
    CREATE TABLE drafts (
        session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
        turn INTEGER NOT NULL,
        text TEXT NOT NULL,
        reasoning TEXT NOT NULL,
        provider TEXT,
        model TEXT,
        pid INTEGER NOT NULL,
        updated REAL NOT NULL
    )
    """,
    # rowid = items.pk; kept in step with items by the triggers below, so
    # every writer (any process, any code path) keeps the index right.
    """
    CREATE VIRTUAL TABLE items_fts USING fts5 (
        text, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER items_fts_insert AFTER INSERT ON items
    WHEN new.kind IN ({", ".join(repr(kind) for kind in SEARCHABLE_KINDS)})
    BEGIN
        INSERT INTO items_fts (rowid, text)
        VALUES (new.pk, coalesce(json_extract(new.json, '$.text'), ''));
    END
    """,
    """
    CREATE TRIGGER items_fts_delete AFTER DELETE ON items
    BEGIN
        DELETE FROM items_fts WHERE rowid = old.pk;
    END
    """,
]

# A stored item count, so listing many long sessions never counts their items.
_V2 = [
    "ALTER TABLE sessions ADD COLUMN item_count INTEGER NOT NULL DEFAULT 0",
    """
    UPDATE sessions
    SET item_count = (SELECT count(*) FROM items WHERE items.session_id = sessions.id)
    """,
    """
    CREATE TRIGGER items_count_insert AFTER INSERT ON items
    BEGIN
        UPDATE sessions SET item_count = item_count + 1 WHERE id = new.session_id;
    END
    """,
    """
    CREATE TRIGGER items_count_delete AFTER DELETE ON items
    BEGIN
        UPDATE sessions SET item_count = item_count - 1 WHERE id = old.session_id;
    END
    """,
]

MIGRATIONS: list[list[str]] = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version() -> int:
    """The version this code writes (read at call time, so tests can add a migration)."""
    return len(MIGRATIONS)


def apply_migrations(conn: sqlite3.Connection) -> None:
    """Bring the schema to schema_version(). The caller holds no transaction."""
    target = schema_version()
    if conn.execute("PRAGMA user_version").fetchone()[0] >= target:
        return  # the common case: no write lock needed
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Read again inside the write lock: another process may have migrated.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        for version in range(current, target):
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
        if current < target:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
