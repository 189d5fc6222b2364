"""Browse saved sessions: fuzzy filter over titles, full-text search, open, rename,
delete (confirmed), export (Markdown or JSON into the working folder), fork.

``SessionBrowser(store, *, export_dir=None, current_session_id=None)`` dismisses
with the id of the session to open, or None when closed. The session the app
has open (``current_session_id``) is marked and cannot be deleted from here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.events import DescendantFocus, Key
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.errors import StoreError
from llmx_tui.store.export import session_to_markdown
from llmx_tui.store.models import SessionInfo
from llmx_tui.ui.dialogs.confirm import ConfirmDialog
from llmx_tui.ui.dialogs.session_rows import (
    MARK_END,
    MARK_START,
    Row,
    export_path,
    search_rows,
    session_rows,
    title_of,
    write_export,
)
from llmx_tui.ui.widgets.bound_keys import run_bound_key

LIST_COLUMNS = ("Title", "Updated", "Model", "Items")
SEARCH_COLUMNS = ("Session", "Match", "Where", "Items")
SEARCH_PREFIX = "/"
MAX_ROWS = 300  # a table of thousands re-renders slowly; typing narrows it instead
SEARCH_DELAY = 0.15  # seconds of quiet typing before a full-text query runs
# Actions that need the list focused (their keys are letters the filter would type).
_LIST_ACTIONS = {"rename", "delete", "export_markdown", "export_json", "fork", "focus_filter"}


class _Field(Input):
    """An Input that runs its own key bindings (ctrl+u, enter...) the moment their key
    arrives (``bound_keys``): in a burst, the letters typed after ctrl+u landed first
    and were then wiped, and enter saved what was left."""

    async def _on_key(self, event: Key) -> None:
        await run_bound_key(self, event)


class SessionBrowser(ModalScreen[str | None]):
    CSS_PATH = "session_browser.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # First, so the footer shows it even when the window is too narrow for the rest.
        Binding("escape", "close", "Close", id="sessions.close"),
        Binding("enter", "open", "Open", id="sessions.open"),
        # Priority: the action runs before the keys typed right after it are routed,
        # so they land in the title field, not in the table (which would open on enter).
        Binding("r", "rename", "Rename", priority=True, id="sessions.rename"),
        Binding("d", "delete", "Delete", id="sessions.delete"),
        # Each with its own label (grouped, the footer read "e j Export": which is which?),
        # the file type it writes: "Export .md" and "Export .json" leave no room at 80
        # columns for the keys after them. The tooltip says the rest.
        Binding(
            "e",
            "export_markdown",
            ".md",
            tooltip="Export the session as Markdown",
            id="sessions.export_md",
        ),
        Binding(
            "j",
            "export_json",
            ".json",
            tooltip="Export the session as JSON",
            id="sessions.export_json",
        ),
        Binding("f", "fork", "Fork", id="sessions.fork"),
        Binding("slash", "focus_filter", "Filter", id="sessions.filter"),
        Binding("ctrl+t", "toggle_search", "Full text", id="sessions.full_text"),
        # Shadowed in the footer by the filter's own (inert) down key: the placeholder says it.
        Binding("down", "focus_list", "List", show=False, id="sessions.list"),
    ]

    def __init__(
        self,
        store: AsyncSessionStore,
        *,
        export_dir: Path | None = None,
        current_session_id: str | None = None,
    ) -> None:
        super().__init__()
        self._store = store
        self._export_dir = export_dir
        self._current = current_session_id
        self._sessions: list[SessionInfo] = []
        self._full_text = False
        self._renaming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="browser-box"):
            yield Static(Content("Sessions"), id="browser-title")
            yield _Field(id="browser-filter")
            yield _Field(id="browser-rename", placeholder="New title; enter saves, esc cancels")
            yield DataTable(id="browser-table", cursor_type="row", zebra_stripes=True)
            yield Static(Content("Loading sessions…"), id="browser-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#browser-rename", Input).display = False
        self._update_placeholder()
        self.query_one("#browser-filter", Input).focus()
        self.reload()

    # -- state -----------------------------------------------------------
    @property
    def query_text(self) -> str:
        return self.query_one("#browser-filter", Input).value

    @property
    def searching(self) -> bool:
        return self._full_text or self.query_text.startswith(SEARCH_PREFIX)

    @property
    def selected_id(self) -> str | None:
        table = self.query_one("#browser-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _info(self, session_id: str | None) -> SessionInfo | None:
        return next((s for s in self._sessions if s.id == session_id), None)

    def _say(self, message: str) -> None:
        self.query_one("#browser-status", Static).update(Content(message))

    def _update_placeholder(self) -> None:
        self.query_one("#browser-filter", Input).placeholder = (
            "Search the text of every session · ↓ to the list"
            if self._full_text
            else "Filter titles · start with / to search all text · ↓ to the list"
        )

    # -- loading and showing ----------------------------------------------
    @work(exclusive=True, group="sessions-load")
    async def reload(self, select: str | None = None) -> None:
        try:
            self._sessions = await self._store.list_sessions()
        except StoreError as exc:
            self._say(f"Could not read sessions: {exc}")
            return
        await self._refresh_rows(select)

    async def _refresh_rows(self, select: str | None = None) -> None:
        if self.searching:
            query = self.query_text.removeprefix(SEARCH_PREFIX).strip()
            try:
                hits = await self._store.search(query, limit=200, mark=(MARK_START, MARK_END))
            except StoreError as exc:  # an unhandled worker error would quit the app
                self._say(f"Search failed: {exc}")
                return
            by_id = {s.id: s for s in self._sessions}
            self._show(search_rows(hits, by_id), SEARCH_COLUMNS, select)
            count = self._count()
            found = f"{count} matching session{'' if count == 1 else 's'}"
            self._say(f"Full-text search · {found if query else 'type to search every message'}")
        else:
            rows = session_rows(self._sessions, self.query_text.strip(), current=self._current)
            self._show(rows, LIST_COLUMNS, select)
            shown = f"{len(rows)} of {len(self._sessions)} sessions"
            if len(rows) > MAX_ROWS:
                shown = f"first {MAX_ROWS} of {len(rows)} matching sessions (type to narrow)"
            self._say(f"{shown} · enter opens")

    def _count(self) -> int:
        return self.query_one("#browser-table", DataTable).row_count

    def _show(self, rows: list[Row], columns: tuple[str, ...], select: str | None) -> None:
        table = self.query_one("#browser-table", DataTable)
        previous = select or self.selected_id
        rows = rows[:MAX_ROWS]
        table.clear(columns=True)
        table.add_columns(*columns)
        for row in rows:
            table.add_row(*row.cells, key=row.session_id)
        ids = [row.session_id for row in rows]
        if previous in ids:
            table.move_cursor(row=ids.index(previous))

    @on(Input.Changed, "#browser-filter")
    def _filter_changed(self) -> None:
        self._update_rows()

    @work(exclusive=True, group="sessions-filter")
    async def _update_rows(self) -> None:
        if self.searching:
            await asyncio.sleep(SEARCH_DELAY)  # cancelled by the next keystroke
        await self._refresh_rows()

    # -- focus and footer ---------------------------------------------------
    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._renaming is not None:
            return action == "close"  # enter belongs to the title field
        try:
            table = self.query_one("#browser-table", DataTable)
        except NoMatches:  # asked before the screen is composed
            return True
        if action in _LIST_ACTIONS:
            if not table.has_focus:
                return False  # hidden: while the filter has focus these keys type text
            if action == "focus_filter" or table.row_count:
                return True
            return None  # shown dimmed: nothing selected
        if action == "focus_list":
            return not table.has_focus
        return True

    def action_focus_list(self) -> None:
        self.query_one("#browser-table", DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#browser-filter", Input).focus()

    def action_toggle_search(self) -> None:
        self._full_text = not self._full_text
        self._update_placeholder()
        self._update_rows()

    def action_close(self) -> None:
        if self._renaming is not None:
            self._end_rename()
        elif self.query_text:
            self.query_one("#browser-filter", Input).value = ""
            self.action_focus_filter()
        elif self.is_active:  # dismiss() closes the top screen: never one opened over this
            self.dismiss(None)

    # -- open ------------------------------------------------------------
    @on(Input.Submitted, "#browser-filter")
    @on(DataTable.RowSelected, "#browser-table")
    def action_open(self) -> None:
        if self._renaming is not None:  # enter queued for the table before the field had focus
            return
        if self.selected_id is not None and self.is_active:
            self.dismiss(self.selected_id)

    # -- rename ----------------------------------------------------------
    def action_rename(self) -> None:
        info = self._info(self.selected_id)
        if info is None:
            return
        self._renaming = info.id
        editor = self.query_one("#browser-rename", Input)
        editor.value = info.title or ""
        editor.display = True
        self.set_focus(editor)  # at once: Widget.focus() waits behind keys already queued
        self._say(f"Renaming “{title_of(info)}”")
        self.refresh_bindings()

    @on(Input.Submitted, "#browser-rename")
    async def _rename_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        session_id, title = self._renaming, event.value
        if session_id is None:
            return
        try:
            await self._store.rename(session_id, title)
        except StoreError as exc:
            self._say(str(exc))
            return
        self._end_rename()
        self.reload(select=session_id)

    def _end_rename(self) -> None:
        self._renaming = None
        self.query_one("#browser-rename", Input).display = False
        self.query_one("#browser-table", DataTable).focus()
        self.refresh_bindings()

    # -- delete ----------------------------------------------------------
    def action_delete(self) -> None:
        info = self._info(self.selected_id)
        if info is None:
            return
        if info.id == self._current:
            self.notify(
                "This session is open in the chat; start a new chat to delete it.",
                severity="warning",
                markup=False,
            )
            return
        question = Content.from_markup(
            "Delete the session “$title” ($count items)? This cannot be undone.",
            title=title_of(info),
            count=str(info.item_count),
        )

        async def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                await self._store.delete(info.id)
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.notify(f"Deleted “{title_of(info)}”", markup=False)
            self.reload()

        self.app.push_screen(ConfirmDialog(question, confirm_label="Delete"), confirmed)

    # -- export ----------------------------------------------------------
    async def action_export_markdown(self) -> None:
        await self._export("md")

    async def action_export_json(self) -> None:
        await self._export("json")

    async def _export(self, extension: str) -> None:
        info = self._info(self.selected_id)
        if info is None:
            return
        directory = self._export_dir or Path.cwd()
        try:
            if extension == "md":
                items = await self._store.export_items(info.id)
                content: str | dict[str, object] = session_to_markdown(info, items)
            else:
                content = await self._store.export_json(info.id)
            path = await asyncio.to_thread(
                lambda: write_export(export_path(directory, info, extension), content)
            )
        except (StoreError, OSError) as exc:
            self.notify(f"Export failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Exported to {path}", markup=False)

    # -- fork ------------------------------------------------------------
    async def action_fork(self) -> None:
        info = self._info(self.selected_id)
        if info is None:
            return
        if info.item_count == 0:
            self.notify("Nothing to fork: the session is empty.", markup=False)
            return
        try:
            new_id = await self._store.fork(info.id, info.item_count)
        except StoreError as exc:
            self.notify(f"Fork failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Forked “{title_of(info)}” into a new session", markup=False)
        self.reload(select=new_id)
