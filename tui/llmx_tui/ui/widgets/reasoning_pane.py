"""The reasoning pane: one ReasoningEntry per turn, the current one open and
live, earlier ones collapsed. Only the newest ``KEEP`` entries stay mounted."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widgets import Static

from llmx_tui.ui.widgets.follow_scroll import FollowScroll
from llmx_tui.ui.widgets.reasoning_entry import ReasoningEntry

KEEP = 30


class ReasoningPane(FollowScroll):
    DEFAULT_CSS = """
    ReasoningPane { height: 1fr; border: round $secondary 50%; }
    ReasoningPane > .empty { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, clock: Callable[[], float], id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Reasoning"
        self._clock = clock
        self.current: ReasoningEntry | None = None
        self._turn = 0

    def compose(self):  # type: ignore[override]
        yield Static(Content("No reasoning yet."), classes="empty")

    def on_mount(self) -> None:
        self.set_interval(0.5, self._tick)

    def _tick(self) -> None:
        if self.current is not None:
            self.current.tick()

    def begin_turn(self, turn: int) -> None:
        """Earlier turns fold away when a new one starts; the last stays open till then."""
        self.end_turn()
        for entry in self.query(ReasoningEntry):
            entry.collapsed = True
        self._turn = turn

    def append(self, text: str) -> None:
        if self.current is None:
            self.current = ReasoningEntry(self._turn, clock=self._clock)
            self._mount_entry(self.current)
        self.current.resume()
        self.current.append(text)

    def finish_item(self, text: str) -> None:
        """A Reasoning item finished; a reasoning item with no deltas still shows."""
        if self.current is None and text:
            self.current = ReasoningEntry(self._turn, clock=self._clock)
            self._mount_entry(self.current)
        if self.current is not None:
            self.current.finish(text or None)

    def pause(self) -> None:
        """The answer or a tool call began: the time spent thinking stops counting."""
        if self.current is not None:
            self.current.pause()

    def end_turn(self) -> None:
        if self.current is not None:
            self.current.finish()
            self.current = None

    def add_past(self, turn: int, text: str) -> None:
        self._mount_entry(ReasoningEntry(turn, clock=self._clock, text=text, live=False))

    def clear(self) -> None:
        self.current = None
        self.query(ReasoningEntry).remove()
        self.query(".empty").set(display=True)

    def _mount_entry(self, entry: ReasoningEntry) -> None:
        self.query(".empty").set(display=False)
        self.mount(entry)
        entries = list(self.query(ReasoningEntry))
        for old in entries[:-KEEP]:
            old.remove()
