"""The conversation pane: a window of recent entries mounted, older ones on demand.

Textual has no virtualised container, and every mounted widget taxes every
layout pass. So the pane keeps light ``Entry`` records for the whole
conversation and mounts widgets only for the newest ``WINDOW`` of them; when
the user scrolls to the top, the previous ``PAGE`` entries are mounted above.
Beyond ``MAX_MOUNTED`` the oldest mounted widgets are removed again while the
view follows the bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.widget import Widget

from llmx_tui.ui.widgets.follow_scroll import FollowScroll

WINDOW = 40
PAGE = 20
MAX_MOUNTED = 120


@dataclass
class Entry:
    """One conversation row; ``build`` recreates its widget when it is remounted."""

    kind: str
    build: Callable[[], Widget]
    widget: Widget | None = None
    data: dict[str, object] = field(default_factory=dict)


class ConversationView(FollowScroll):
    DEFAULT_CSS = "ConversationView { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: list[Entry] = []
        self.first_mounted = 0
        self._loading_older = False

    @property
    def mounted_count(self) -> int:
        return len(self.entries) - self.first_mounted

    def add(self, entry: Entry) -> Widget:
        """Append an entry at the bottom and mount it."""
        self.entries.append(entry)
        entry.widget = entry.widget or entry.build()
        self.mount(entry.widget)
        if self.mounted_count > MAX_MOUNTED and self.is_vertical_scroll_end:
            self._prune(MAX_MOUNTED - PAGE)
        return entry.widget

    def load(self, entries: list[Entry]) -> None:
        """Replace everything; mount only the newest window, then show the bottom."""
        self.remove_children()
        self.entries = list(entries)
        for entry in self.entries:
            entry.widget = None
        self.first_mounted = max(0, len(self.entries) - WINDOW)
        widgets = [self._materialise(e) for e in self.entries[self.first_mounted :]]
        if widgets:
            self.mount_all(widgets)
        self.follow = True
        self.call_after_refresh(self.scroll_end, animate=False)
        self.call_after_refresh(self._fill_viewport)

    def _fill_viewport(self) -> None:
        """Short messages may not fill the screen, and then there is no scrolling up
        to ask for more: older pages are mounted until they do."""
        if self.first_mounted > 0 and self.max_scroll_y == 0 and not self._loading_older:
            self._loading_older = True
            self.load_older()
            self.call_after_refresh(self._back_to_bottom)

    def on_resize(self) -> None:
        # Sent when the content's height changes too: whatever the order of the
        # callbacks above, a view that is still not full asks for more.
        self._fill_viewport()

    def _back_to_bottom(self) -> None:
        self.follow = True
        self.scroll_end(animate=False, immediate=True)
        self._fill_viewport()

    def clear(self) -> None:
        self.load([])

    def _materialise(self, entry: Entry) -> Widget:
        entry.widget = entry.build()
        return entry.widget

    def _prune(self, keep: int) -> None:
        cut = len(self.entries) - keep
        for entry in self.entries[self.first_mounted : cut]:
            if entry.widget is not None:
                entry.widget.remove()
                entry.widget = None
        self.first_mounted = cut

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Only a scroll up to the top loads older entries; a view whose content
        # does not fill it yet is topped up by ``_fill_viewport`` instead.
        reached_top = new_value <= 0 < old_value and self.max_scroll_y > 0
        if reached_top and self.first_mounted > 0 and not self._loading_older:
            self._loading_older = True
            self.call_after_refresh(self.load_older)

    def load_older(self) -> None:
        """Mount the previous page of entries above the first mounted one."""
        try:
            if self.first_mounted == 0:
                return
            start = max(0, self.first_mounted - PAGE)
            widgets = [self._materialise(e) for e in self.entries[start : self.first_mounted]]
            first = self.entries[self.first_mounted].widget
            self.first_mounted = start
            self.follow = False
            self.mount_all(widgets, before=first)

            def keep_position() -> None:
                added = sum(w.outer_size.height for w in widgets)
                self.scroll_to(y=added, animate=False)
                self._loading_older = False

            self.call_after_refresh(keep_position)
        except Exception:
            self._loading_older = False
            raise
