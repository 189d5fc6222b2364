"""The chat screen's key bar: what Textual's compact Footer shows, drawn as one line.

Textual's Footer mounts a widget per key and rebuilds them all whenever the
screen's bindings change. On the chat screen they change when a turn starts
and when it ends (Esc and Retry come and go), right when a reply begins to
stream and when its end is drawn: ~15 ms of mounting and a ~12 ms frame each
time, and ~40 ms of the first frame at launch. This widget redraws one line
instead (about a millisecond), looks the same, and runs a key when clicked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

SEPARATOR = "▏"  # Textual's "vkey" left border, before the command palette's key


@dataclass(frozen=True)
class ShownKey:
    key: str  # what a click simulates
    display: str  # how the key is written ("^r", "f2", "⏎")
    description: str
    enabled: bool


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    shown: ShownKey


class KeyBar(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
        "key-bar--separator",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[ShownKey, ...] = ()
        self._palette: ShownKey | None = None
        self._spans: list[_Span] = []
        self._hover: ShownKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    @property
    def keys(self) -> tuple[ShownKey, ...]:
        """The keys shown, left to right (the command palette's key not included)."""
        return self._keys

    def _bindings_changed(self, screen: Screen[object]) -> None:
        keys, palette = self._read_bindings()
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def _read_bindings(self) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """One key per action, in the order Textual's Footer shows them."""
        app = self.app
        active = self.screen.active_bindings
        keys: list[ShownKey] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append(
                ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled)
            )
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = ShownKey(
                binding.key, app.get_key_display(binding), binding.description, enabled
            )
        return tuple(keys), palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[_Span] = []

        def add(shown: ShownKey) -> None:
            start = line.cell_len
            dim = Style(dim=not shown.enabled)
            hover = hover_style if shown == self._hover else Style()
            line.append(shown.display, key_style + dim + hover)
            if shown.description:
                line.append(" " + shown.description, description_style + dim + hover)
            spans.append(_Span(start, line.cell_len, shown))

        for shown in self._keys:
            add(shown)
            line.append(" ")
        if self._palette is not None:
            palette_width = 1 + len(self._palette.display) + 1 + len(self._palette.description)
            gap = self.size.width - line.cell_len - palette_width - 1
            if gap >= 0:
                line.append(" " * gap)
                line.append(SEPARATOR, self.get_component_rich_style("key-bar--separator"))
                add(self._palette)
                line.append(" ")
        self._spans = spans
        return line

    def _span_at(self, x: int) -> ShownKey | None:
        for span in self._spans:
            if span.start <= x < span.end:
                return span.shown
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._span_at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        shown = self._span_at(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()
