"""SessionStore: sessions, items, drafts, usage, prefixes, search, fork, delete."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from llmx_tui.core.events import Usage
from llmx_tui.core.items import (
    AssistantMessage,
    Reasoning,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)
from llmx_tui.paths import history_db_path
from llmx_tui.store.errors import AmbiguousSessionIdError, SessionNotFoundError, StoreError
from llmx_tui.store.sqlite import SessionStore


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    opened = SessionStore.open(tmp_path / "data" / "history.db")
    yield opened
    opened.close()


def _conversation() -> list:
    return [
        UserMessage(text="How do  tides\nwork on Earth?", turn=0),
        Reasoning(text="The moon pulls the oceans.", provider="openai", model="m", turn=0),
        AssistantMessage(text="Tides come from lunar gravity.", turn=0),
        ToolCall(call_id="c1", name="read_file", arguments='{"path": "a"}', turn=0),
        ToolOutput(call_id="c1", output="contents", turn=0),
    ]


def test_file_and_folder_are_created_private(tmp_path: Path) -> None:
    path = history_db_path(tmp_path / "new" / "dir")
    SessionStore.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.parent.is_dir()


def test_default_path_follows_the_data_dir_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMX_TUI_DATA_DIR", str(tmp_path / "env-data"))
    SessionStore.open(history_db_path()).close()
    assert (tmp_path / "env-data" / "history.db").is_file()


def test_session_round_trip_and_title_from_first_user_message(store: SessionStore) -> None:
    session_id = store.create_session(
        title=None, provider="openai", model="gpt-x", system_prompt="Be brief."
    )
    store.append_items(session_id, _conversation())
    info = store.get_session(session_id)
    assert info.title == "How do tides work on Earth?"
    assert (info.provider, info.model, info.system_prompt, info.demo) == (
        "openai",
        "gpt-x",
        "Be brief.",
        False,
    )
    assert info.item_count == 5
    assert [type(item).__name__ for item in store.load_items(session_id)] == [
        "UserMessage",
        "Reasoning",
        "AssistantMessage",
        "ToolCall",
        "ToolOutput",
    ]


def test_items_keep_ids_fields_and_order(store: SessionStore) -> None:
    session_id = store.create_session()
    items = _conversation()
    store.append_items(session_id, items[:2])
    store.append_items(session_id, items[2:])
    assert store.load_items(session_id) == items
    assert store.load_items(session_id, last=2) == items[-2:]
    assert store.load_items(session_id, last=0) == []


def test_appending_the_same_item_twice_stores_it_once(store: SessionStore) -> None:
    session_id = store.create_session()
    item = UserMessage(text="once")
    store.append_items(session_id, [item])
    store.append_items(session_id, [item, AssistantMessage(text="reply")])
    assert [i.text for i in store.load_items(session_id)] == ["once", "reply"]


def test_explicit_title_is_not_replaced_and_long_titles_are_cut(store: SessionStore) -> None:
    named = store.create_session(title="Mine")
    store.append_items(named, [UserMessage(text="something else")])
    assert store.get_session(named).title == "Mine"
    long = store.create_session()
    store.append_items(long, [UserMessage(text="word " * 40)])
    title = store.get_session(long).title
    assert title is not None and len(title) <= 60 and title.endswith("…")


def test_update_session_changes_only_given_fields(store: SessionStore) -> None:
    session_id = store.create_session(title="t", provider="p", model="m", system_prompt="s")
    store.update_session(session_id, model="m2")
    info = store.get_session(session_id)
    assert (info.title, info.provider, info.model, info.system_prompt) == ("t", "p", "m2", "s")
    store.update_session(session_id, system_prompt=None)
    assert store.get_session(session_id).system_prompt is None


def test_usage_totals_add_up(store: SessionStore) -> None:
    session_id = store.create_session()
    store.add_usage(session_id, Usage(input_tokens=10, cached_input_tokens=4, output_tokens=3))
    store.add_usage(session_id, Usage(input_tokens=5, output_tokens=2, reasoning_tokens=1))
    assert store.get_session(session_id).usage == Usage(
        input_tokens=15, cached_input_tokens=4, output_tokens=5, reasoning_tokens=1
    )


def test_draft_is_replaced_not_loaded_and_cleared(store: SessionStore) -> None:
    session_id = store.create_session()
    store.append_items(session_id, [UserMessage(text="hi")])
    store.save_draft(session_id, turn=0, text="Hel", reasoning="")
    store.save_draft(session_id, turn=0, text="Hello wor", reasoning="think")
    draft = store.get_draft(session_id)
    assert draft is not None and (draft.text, draft.reasoning) == ("Hello wor", "think")
    assert [item.type for item in store.load_items(session_id)] == ["user_message"]
    store.clear_draft(session_id)
    assert store.get_draft(session_id) is None


def test_recover_draft_keeps_the_text_and_marks_it_interrupted(store: SessionStore) -> None:
    session_id = store.create_session()
    store.append_items(session_id, [UserMessage(text="hi", turn=3)])
    store.save_draft(
        session_id,
        turn=3,
        text="Partial answ",
        reasoning="Some thought",
        provider="openai",
        model="m",
    )
    recovered = store.recover_draft(session_id)
    assert [type(item) for item in recovered] == [Reasoning, AssistantMessage, TurnError]
    reasoning, message, error = recovered
    assert reasoning.text == "Some thought" and message.text == "Partial answ"
    assert message.provider == "openai" and message.model == "m" and message.turn == 3
    assert error.kind == "interrupted" and "interrupted" in error.message
    assert store.load_items(session_id)[1:] == recovered
    assert store.get_draft(session_id) is None
    assert store.recover_draft(session_id) == []


def test_recover_draft_leaves_a_draft_of_a_live_process_alone(store: SessionStore) -> None:
    session_id = store.create_session()
    store.save_draft(session_id, turn=0, text="streaming", reasoning="")
    store._conn.execute("UPDATE drafts SET pid = ?", (os.getppid(),))  # another live process
    assert store.recover_draft(session_id) == []
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    store._conn.execute("UPDATE drafts SET pid = ?", (int(dead.stdout),))
    assert [item.type for item in store.recover_draft(session_id)] == ["assistant_message", "error"]


def test_prefixes_resolve_uniquely_with_clear_errors(store: SessionStore) -> None:
    ids = [store.create_session() for _ in range(20)]
    for session_id in ids:
        assert store.resolve_session_id(session_id[:12]) == session_id
        assert store.resolve_session_id(session_id) == session_id
    with pytest.raises(SessionNotFoundError, match="no session id starts with 'xyz'"):
        store.resolve_session_id("xyz")
    store._conn.execute("UPDATE sessions SET id = 'abc1' WHERE id = ?", (ids[0],))
    store._conn.execute("UPDATE sessions SET id = 'abc2' WHERE id = ?", (ids[1],))
    with pytest.raises(AmbiguousSessionIdError, match="'abc' matches several sessions"):
        store.resolve_session_id("abc")
    with pytest.raises(SessionNotFoundError):
        store.resolve_session_id("%")


def test_list_is_newest_first_and_latest_follows_activity(store: SessionStore) -> None:
    first = store.create_session(title="first")
    second = store.create_session(title="second")
    assert [info.id for info in store.list_sessions()][:2] == [second, first]
    store.append_items(first, [UserMessage(text="new activity")])
    assert store.latest_session_id() == first
    assert store.list_sessions(limit=1)[0].id == first


def test_unknown_session_raises_not_found(store: SessionStore) -> None:
    for call in (
        lambda: store.get_session("nope"),
        lambda: store.load_items("nope"),
        lambda: store.append_items("nope", [UserMessage(text="x")]),
        lambda: store.delete("nope"),
    ):
        with pytest.raises(SessionNotFoundError):
            call()


def test_search_is_ranked_with_snippets_and_safe_for_any_input(store: SessionStore) -> None:
    tides = store.create_session(title="Tides")
    store.append_items(tides, _conversation())
    other = store.create_session(title="Other")
    store.append_items(
        other,
        [
            UserMessage(text="Tell me about the moon, the moon and the moon again"),
            AssistantMessage(text="Unrelated cooking talk"),
            ToolOutput(call_id="x", output="moon in a tool output is not indexed"),
        ],
    )
    hits = store.search("moon")
    assert [(hit.session_id, hit.kind) for hit in hits] == [
        (other, "user_message"),
        (tides, "reasoning"),
    ]
    assert "«moon»" in hits[0].snippet and hits[0].item_number == 1
    assert hits[1].item_number == 2 and hits[1].session_title == "Tides"
    assert [hit.session_id for hit in store.search("lunar grav")] == [tides]  # prefix on last
    assert store.search('"unbalanced AND (quote* NEAR') == []
    assert store.search("   ") == []


def test_search_snippet_shows_the_match_however_long_the_words_around_it(
    store: SessionStore,
) -> None:
    session = store.create_session(title="Long words")
    store.append_items(
        session,
        [
            UserMessage(text="L" * 300 + " and then the needle shows up here"),
            AssistantMessage(text=" ".join(["x" * 40] * 12) + " needle " + "y" * 500),
        ],
    )
    hits = store.search("needle")
    assert len(hits) == 2
    for hit in hits:  # the match in view, with context, short enough for a line
        assert "«needle»" in hit.snippet and len(hit.snippet) <= 120
        assert hit.snippet.startswith("…") and not hit.snippet.startswith("…«")
    assert hits[0].snippet.endswith("then the «needle» shows up here")


def test_fork_copies_items_up_to_n_with_new_ids(store: SessionStore) -> None:
    source = store.create_session(title="Tides", provider="p", model="m", system_prompt="s")
    store.append_items(source, _conversation())
    forked = store.fork(source, 3)
    info = store.get_session(forked)
    assert (info.title, info.provider, info.model, info.system_prompt) == (
        "Tides (fork)",
        "p",
        "m",
        "s",
    )
    original, copy = store.load_items(source)[:3], store.load_items(forked)
    assert [item.model_dump(exclude={"id"}) for item in copy] == [
        item.model_dump(exclude={"id"}) for item in original
    ]
    assert not {item.id for item in copy} & {item.id for item in original}
    assert store.get_session(source).item_count == 5
    for bad in (0, 6):
        with pytest.raises(StoreError, match="between 1 and 5"):
            store.fork(source, bad)


def test_delete_and_rename(store: SessionStore) -> None:
    session_id = store.create_session()
    store.append_items(session_id, _conversation())
    store.save_draft(session_id, turn=0, text="draft", reasoning="")
    store.rename(session_id, "  New\nname ")
    assert store.get_session(session_id).title == "New name"
    with pytest.raises(StoreError, match="cannot be empty"):
        store.rename(session_id, "  ")
    store.delete(session_id)
    with pytest.raises(SessionNotFoundError):
        store.get_session(session_id)
    assert store.search("tides") == []
    remaining = store._conn.execute("SELECT count(*) FROM items").fetchone()[0]
    assert remaining == 0
    assert store._conn.execute("SELECT count(*) FROM drafts").fetchone()[0] == 0


def test_a_rename_keeps_the_sessions_place_in_the_list(store: SessionStore) -> None:
    """Renaming an older session is no activity: it stays where it was, and --continue
    does not pick it over the session last used. A new model still counts."""
    older = store.create_session()
    newer = store.create_session()
    store.append_items(newer, _conversation())
    before = store.get_session(older).updated
    store.rename(older, "A better name")
    assert store.get_session(older).updated == before
    assert store.list_sessions()[0].id == newer
    assert store.latest_session_id() == newer
    store.update_session(older, model="m2")
    assert store.get_session(older).updated >= before
    assert store.latest_session_id() == older


def test_record_writes_items_draft_and_usage_in_one_transaction(store: SessionStore) -> None:
    session_id = store.create_session()
    store.save_draft(session_id, turn=0, text="Hello", reasoning="")
    with pytest.raises(SessionNotFoundError):
        store.record("missing", [AssistantMessage(text="Hello")], draft=None)
    store.record(
        session_id, [AssistantMessage(text="Hello")], draft=None, usage=Usage(output_tokens=2)
    )
    assert store.get_draft(session_id) is None
    assert store.get_session(session_id).output_tokens == 2


def test_a_failed_record_changes_nothing(
    store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmx_tui.store import queries

    session_id = store.create_session()
    store.save_draft(session_id, turn=0, text="Hello", reasoning="")

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "add_usage", broken)
    with pytest.raises(RuntimeError):
        store.record(
            session_id, [AssistantMessage(text="Hello")], draft=None, usage=Usage(output_tokens=2)
        )
    assert store.load_items(session_id) == []
    draft = store.get_draft(session_id)
    assert draft is not None and draft.text == "Hello"


def test_item_count_is_kept_in_step_by_every_writer(store: SessionStore) -> None:
    session_id = store.create_session()
    store.append_items(session_id, _conversation())
    store.append_items(session_id, [UserMessage(text="more")])
    store.save_draft(session_id, turn=1, text="x", reasoning="")
    store.recover_draft(session_id)
    counted = store._conn.execute(
        "SELECT count(*) FROM items WHERE session_id = ?", (session_id,)
    ).fetchone()[0]
    assert store.get_session(session_id).item_count == counted == 8
    assert store.get_session(store.fork(session_id, 4)).item_count == 4
