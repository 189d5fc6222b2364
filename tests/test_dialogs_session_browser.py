"""SessionBrowser against a real store: list, fuzzy filter, full-text search, open, rename,
delete (confirmed), export, fork; untrusted titles shown literally."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, Static

from llmx_tui.core.items import AssistantMessage, Reasoning, UserMessage
from llmx_tui.store import queries
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.sqlite import SessionStore
from llmx_tui.ui.dialogs.confirm import ConfirmDialog
from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from tests.test_dialogs_harness import SIZE, DialogHost, steady, workers_done
from tests.ui_helpers import burst, screen_text

START = 1_763_900_000.0  # 2025-11-23 12:13 UTC

CONVERSATIONS: list[tuple[str | None, str | None, list[tuple[str, str]]]] = [
    (
        "Trip plans for Lisbon",
        "gpt-4o-mini",
        [
            ("Plan three days in Lisbon", "Day one: Alfama and the castle."),
            ("Where to eat pastel de nata?", "Manteigaria near Chiado."),
        ],
    ),
    (
        "Rust borrow checker",
        "claude-sonnet-4-5",
        [
            ("Why does the borrow checker reject this loop?", "You hold a mutable borrow."),
        ],
    ),
    (
        "[bold]Markup[/] in a title",
        "deepseek-reasoner",
        [
            ("Say [red]hi[/]", "hi"),
        ],
    ),
    (None, None, [("untitled chat about sourdough starter", "Feed it daily.")]),
]


def build_history(path: Path) -> list[str]:
    """Sessions with fixed timestamps, oldest first; returns their ids."""
    ticks = iter(range(10_000))
    with pytest.MonkeyPatch.context() as patch:
        clock = SimpleNamespace(time=lambda: START + 600 * next(ticks))
        patch.setattr(queries, "time", clock)
        return _fill(SessionStore.open(path))


def _fill(store: SessionStore) -> list[str]:
    ids = []
    for title, model, turns in CONVERSATIONS:
        session = store.create_session(title=title, provider="openai", model=model)
        items: list = []
        for turn, (question, answer) in enumerate(turns, start=1):
            items += [UserMessage(text=question, turn=turn, created=START)]
            if model == "deepseek-reasoner":
                items += [Reasoning(text="thinking about greetings", turn=turn, created=START)]
            items += [AssistantMessage(text=answer, turn=turn, created=START)]
        store.append_items(session, items)
        if title is None:  # the store titles sessions from the first message; keep this one bare
            store.update_session(session, title=None)
        ids.append(session)
    store.close()
    return ids


@pytest.fixture
def utc() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


@pytest.fixture
async def history(tmp_path: Path, utc: None) -> AsyncIterator[tuple[AsyncSessionStore, list[str]]]:
    ids = build_history(tmp_path / "history.db")
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    try:
        yield store, ids
    finally:
        await store.close()


def table(app: DialogHost) -> DataTable:
    return app.screen.query_one("#browser-table", DataTable)


def titles(app: DialogHost) -> list[str]:
    grid = table(app)
    return [str(grid.get_row_at(i)[0]) for i in range(grid.row_count)]


async def type_filter(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Set the filter at once (typing key by key is covered by the fuzzy filter test)."""
    pilot.app.screen.query_one("#browser-filter", Input).value = text
    await settle(pilot)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):  # the browser is pushed once the store has opened
        if isinstance(pilot.app.screen, SessionBrowser | ConfirmDialog):
            break
        await pilot.pause(0.01)
    await workers_done(pilot)


async def test_lists_sessions_newest_first_with_date_model_size(history, tmp_path) -> None:
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = table(app)
        rows = [[str(cell) for cell in grid.get_row_at(i)] for i in range(grid.row_count)]
    assert rows == [
        ["Untitled", "2025-11-23 13:33", "—", "2"],
        ["[bold]Markup[/] in a title", "2025-11-23 13:03", "deepseek-reasoner", "3"],
        ["Rust borrow checker", "2025-11-23 12:43", "claude-sonnet-4-5", "2"],
        ["Trip plans for Lisbon", "2025-11-23 12:23", "gpt-4o-mini", "4"],
    ]


async def test_fuzzy_filter_over_titles_and_open(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"rbc")
        await settle(pilot)
        assert titles(app) == ["Rust borrow checker"]
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [ids[1]]


async def test_full_text_search_by_prefix_and_by_toggle(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "/nata")
        await settle(pilot)
        assert titles(app) == ["Trip plans for Lisbon"]
        assert "nata" in str(table(app).get_row_at(0)[1])
        await type_filter(pilot, "")
        await pilot.press("ctrl+t")
        await type_filter(pilot, "mutable")
        assert titles(app) == ["Rust borrow checker"]
        assert "Full-text" in str(app.screen.query_one("#browser-status", Static).render())
        await pilot.press("down", "enter")
        await pilot.pause()
    assert app.results == [ids[1]]


async def test_rename_inline(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "r")  # focus the list, move to the second row
        editor = app.screen.query_one("#browser-rename", Input)
        assert editor.has_focus and editor.value == "[bold]Markup[/] in a title"
        editor.value = "Greetings"
        await pilot.press("enter")
        await settle(pilot)
        assert not editor.display
        assert "Greetings" in titles(app)
    assert (await store.get_session(ids[2])).title == "Greetings"


async def test_rename_typed_in_one_burst_renames_and_never_opens(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")  # focus the list, move to the second row
        burst(pilot, "r", "ctrl+u", "Y", "r", "2", "enter")  # the second r is typed, not a rename
        await pilot.pause()
        await settle(pilot)
        assert app.results == []  # still browsing: enter saved the title, opened nothing
        assert not app.screen.query_one("#browser-rename", Input).display
        assert "Yr2" in titles(app)
    assert (await store.get_session(ids[2])).title == "Yr2"


async def test_delete_asks_first(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert len(titles(app)) == 4
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert titles(app) == [
            "[bold]Markup[/] in a title",
            "Rust borrow checker",
            "Trip plans for Lisbon",
        ]
    assert [s.id for s in await store.list_sessions()] == [ids[2], ids[1], ids[0]]


async def test_open_session_is_marked_and_not_deletable(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path, current_session_id=ids[1]))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Rust borrow checker  (open)" in titles(app)
        await type_filter(pilot, "rust")
        await pilot.press("down", "d")
        await pilot.pause()
        assert isinstance(app.screen, SessionBrowser)
        assert any("open in the chat" in n.message for n in app._notifications)
    assert len(await store.list_sessions()) == 4


async def test_delete_question_shows_the_title_literally(history, tmp_path) -> None:
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "markup")
        await pilot.press("down", "d")
        await pilot.pause()
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "“[bold]Markup[/] in a title” (3 items)" in question


async def test_export_markdown_and_json_never_overwrite(history, tmp_path) -> None:
    store, ids = history
    out = tmp_path / "out"
    out.mkdir()
    app = DialogHost(lambda: SessionBrowser(store, export_dir=out))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "lisbon")
        await pilot.press("down", "e", "e", "j")
        await settle(pilot)
        messages = [n.message for n in app._notifications]
    files = sorted(p.name for p in out.iterdir())
    stem = f"trip-plans-for-lisbon-{ids[0][:8]}"
    assert files == [f"{stem}-2.md", f"{stem}.json", f"{stem}.md"]
    markdown = (out / f"{stem}.md").read_text()
    assert markdown.startswith("# Trip plans for Lisbon") and "pastel de nata" in markdown
    assert json.loads((out / f"{stem}.json").read_text())["title"] == "Trip plans for Lisbon"
    assert f"Exported to {out / (stem + '.md')}" in messages


async def test_fork_copies_the_whole_session(history, tmp_path) -> None:
    store, ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "rust")
        await pilot.press("down", "f")
        await settle(pilot)
        assert sorted(titles(app)) == ["Rust borrow checker", "Rust borrow checker (fork)"]
    sessions = await store.list_sessions()
    fork = next(s for s in sessions if s.title == "Rust borrow checker (fork)")
    assert fork.id not in ids and fork.item_count == 2


async def test_escape_clears_the_filter_then_closes(history, tmp_path) -> None:
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "zzz")
        await settle(pilot)
        assert titles(app) == []
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 4 and app.results == []
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_list_keys_are_hidden_while_typing_in_the_filter(history, tmp_path) -> None:
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.check_action("delete", ()) is False
        await pilot.press("d")  # typed into the filter, not a delete
        assert screen.query_one("#browser-filter", Input).value == "d"
        await pilot.press("backspace", "down")
        assert screen.check_action("delete", ()) is True


class BrowserHost(App[None]):
    """Opens the store on the app's own loop (snapshot tests run their own loop)."""

    CSS = DialogHost.CSS

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield Static("host app behind the dialog")

    async def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.store = await AsyncSessionStore.open(self.db)
        await self.push_screen(SessionBrowser(self.store, export_dir=self.db.parent))

    async def on_unmount(self) -> None:
        await self.store.close()


def test_snapshot_session_browser(snap_compare, tmp_path, utc) -> None:
    build_history(tmp_path / "history.db")

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await steady(pilot)

    assert snap_compare(BrowserHost(tmp_path / "history.db"), terminal_size=SIZE, run_before=ready)


def test_snapshot_session_browser_search(snap_compare, tmp_path, utc) -> None:
    build_history(tmp_path / "history.db")

    async def search(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await type_filter(pilot, "/borrow")
        await settle(pilot)
        await pilot.press("down")
        await steady(pilot)

    assert snap_compare(BrowserHost(tmp_path / "history.db"), terminal_size=SIZE, run_before=search)


async def test_a_search_hit_after_a_long_word_shows_the_match(tmp_path, utc) -> None:
    plain = SessionStore.open(tmp_path / "history.db")
    title = "A long paste of letters, and one needle"  # a wide Session column
    session = plain.create_session(title=title, provider="openai", model="m")
    plain.append_items(session, [UserMessage(text="L" * 400 + " then the needle, at last")])
    plain.close()
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await type_filter(pilot, "/needle")
            await settle(pilot)
            match = table(app).get_row_at(0)[1]
            row = next(line for line in screen_text(app).splitlines() if title in line)
    finally:
        await store.close()
    assert "then the needle" in row  # in view at 80 columns, not cut off with the L run
    assert str(match).endswith("then the needle, at last") and len(str(match)) <= 70
    highlighted = [str(match)[span.start : span.end] for span in match.spans]
    assert highlighted == ["needle"]


async def test_long_lists_are_capped_and_say_so(history, tmp_path, monkeypatch) -> None:
    from llmx_tui.ui.dialogs import session_browser

    monkeypatch.setattr(session_browser, "MAX_ROWS", 2)
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(titles(app)) == 2
        status = str(app.screen.query_one("#browser-status", Static).render())
        assert "first 2 of 4 matching sessions" in status


async def test_a_failing_search_is_reported_and_the_app_keeps_running(history, tmp_path) -> None:
    from llmx_tui.store.errors import StoreError

    store, _ = history

    async def broken_search(*args: object, **kwargs: object) -> list:
        raise StoreError("the history database is damaged")

    store.search = broken_search  # type: ignore[method-assign]
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_filter(pilot, "/x")
        await settle(pilot)
        status = str(app.screen.query_one("#browser-status", Static).render())
        assert "Search failed: the history database is damaged" in status
        await pilot.press("escape", "escape")
        await pilot.pause()
    assert app.results == [None]


async def test_at_80_columns_the_keys_and_the_filter_hint_fit(history, tmp_path) -> None:
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "↓ to the list" in screen_text(app)
        assert screen_text(app).splitlines()[-1].strip() == "esc Close  ^t Full text"
        await pilot.press("down")  # the list: every key it offers, and still esc
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert footer.startswith(" esc Close") and footer.endswith("^t Full text")
        for key in ("r Rename", "d Delete", "e .md", "j .json", "f Fork", "/ Filter"):
            assert key in footer


async def test_a_long_error_wraps_so_its_cause_stays_readable(history, tmp_path) -> None:
    from llmx_tui.store.errors import StoreError

    store, _ = history
    path = tmp_path / "a-folder-with-a-rather-long-name" / "data" / "history.db"

    async def damaged(*args: object, **kwargs: object) -> list:
        raise StoreError(f"the history database {path} is damaged (file is not a database)")

    store.list_sessions = damaged  # type: ignore[method-assign]
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = " ".join(line.strip(" █") for line in screen_text(app).splitlines())
    assert "Could not read sessions: the history database" in shown
    assert "is damaged (file is not a database)" in shown


async def test_the_filter_takes_ctrl_u_then_new_text_typed_in_one_burst(history, tmp_path) -> None:
    store, _ids = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(pilot, *"old", "ctrl+u", *"new")
        await pilot.pause()
        await settle(pilot)
        assert app.screen.query_one("#browser-filter", Input).value == "new"
