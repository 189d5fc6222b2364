"""The chat screen's key bar: what Textual's compact Footer shows, drawn as one line.

Textual's Footer mounts a widget per key and rebuilds them all whenever the
screen's bindings change. On the chat screen they change when a turn starts
and when it ends (Esc and Retry come and go), right when a reply begins to
stream and when its end is drawn: ~15 ms of mounting and a ~12 ms frame each
time, and ~40 ms of the first frame at launch. This widget redraws one line
instead, looks the same, and runs a key when clicked.

The line is kept for each state it has been in (the keys, the hovered key, the
width): a turn's start and end flip between two states, and building the line
(component styles, Rich text to Textual strips) took about 1.3 ms of each of
those two frames.

When the keys do not all fit (80 columns: they need about 110), whole keys are left
out, those named in ``drop_first`` first, then from the right; the command
palette's key (which reaches every action) stays. The line used to be cut at the
edge, halfway through a key ("^s Session") and with the palette's key gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

SEPARATOR = "▏"  # Textual's "vkey" left border, before the command palette's key
_PLAIN, _DIM = Style(), Style(dim=True)
LINES_KEPT = 16  # states whose line is kept (idle, busy, a hovered key or two, a resize)


@dataclass(frozen=True)
class ShownKey:
    key: str  # what a click simulates
    display: str  # how the key is written ("^r", "f2", "⏎")
    description: str
    enabled: bool
    binding_id: str | None = None


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

    def __init__(self, *, drop_first: Sequence[str] = (), id: str | None = None) -> None:
        """``drop_first``: binding ids of the keys to leave out first when the line is
        too narrow for them all, least useful first."""
        super().__init__(id=id)
        self._drop_first = tuple(drop_first)
        self._keys: tuple[ShownKey, ...] = ()
        self._palette: ShownKey | None = None
        self._spans: list[_Span] = []
        self._hover: ShownKey | None = None
        self._lines: dict[tuple[object, ...], tuple[Strip, list[_Span]]] = {}

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
                ShownKey(
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    enabled,
                    binding.id,
                )
            )
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
            palette = ShownKey(
                binding.key, app.get_key_display(binding), binding.description, enabled
            )
        return tuple(keys), palette

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        state = (y, width, self._keys, self._palette, self._hover)
        kept = self._lines.get(state)
        if kept is None:
            if len(self._lines) >= LINES_KEPT:
                self._lines.clear()
            kept = self._lines[state] = (
                self._build_line(width) if y == 0 else (Strip.blank(width, self.rich_style), [])
            )
        self._spans = kept[1]
        return kept[0]

    def _build_line(self, width: int) -> tuple[Strip, list[_Span]]:
        """The line as segments, and where each key sits in it.

        Built straight from Rich segments: going through Rich text and Textual's
        content conversion cost about 0.9 ms for these few dozen pieces.
        """
        plain = self.rich_style  # the bar's own colours, for the gaps between keys
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        hover_style = self.get_component_rich_style("key-bar--hover")
        segments: list[Segment] = []
        spans: list[_Span] = []
        used = 0

        def put(text: str, style: Style) -> None:
            nonlocal used
            segments.append(Segment(text, style))
            used += cell_len(text)

        def add(shown: ShownKey) -> None:
            start = used
            extra = (_DIM if not shown.enabled else _PLAIN) + (
                hover_style if shown == self._hover else _PLAIN
            )
            put(shown.display, key_style + extra)
            if shown.description:
                put(" " + shown.description, description_style + extra)
            spans.append(_Span(start, used, shown))

        keys, palette = self.fitting(width)
        for shown in keys:
            add(shown)
            put(" ", plain)
        if palette is not None:
            put(" " * (width - used - _palette_width(palette)), plain)
            put(SEPARATOR, self.get_component_rich_style("key-bar--separator"))
            add(palette)
            put(" ", plain)
        strip = Strip(segments, used).crop_extend(0, width, plain)
        return strip, spans

    def fitting(self, width: int) -> tuple[list[ShownKey], ShownKey | None]:
        """The keys (and the palette's key) shown in ``width`` columns: whole keys only,
        the ``drop_first`` ones left out first, then the rightmost."""
        keys = list(self._keys)
        palette = self._palette
        droppable = [
            shown
            for binding_id in self._drop_first
            for shown in keys
            if shown.binding_id == binding_id
        ]

        def needed() -> int:
            line = sum(_key_width(shown) + 1 for shown in keys)
            return line + (_palette_width(palette) if palette is not None else 0)

        while needed() > width:
            if droppable:
                keys.remove(droppable.pop(0))
            elif keys:
                keys.pop()
            else:
                palette = None
                break
        return keys, palette

    def notify_style_update(self) -> None:
        self._lines.clear()  # a theme or CSS change: the kept lines have the old colours
        super().notify_style_update()

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


def _key_width(shown: ShownKey) -> int:
    return cell_len(shown.display) + (1 + cell_len(shown.description) if shown.description else 0)


def _palette_width(palette: ShownKey) -> int:
    """The separator, the key, and a blank after it."""
    return 1 + _key_width(palette) + 1
