"""A read-only, syntax-highlighted JSON viewer that renders only the visible lines.

A whole-document ``Static(Syntax(...))`` took ~5 s to open a 2,000-message
payload; here each line is highlighted when it first scrolls into view, and
long lines are wrapped to the widget's width.
"""

from __future__ import annotations

from rich.cells import chop_cells
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text
from textual.geometry import Offset, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

_CACHE_LIMIT = 4000


def wrapped_rows(lines: list[str], width: int) -> list[tuple[int, int, int]]:
    """(line, start, end) of every screen row when ``lines`` wrap at ``width`` cells."""
    rows: list[tuple[int, int, int]] = []
    append = rows.append
    for index, line in enumerate(lines):
        # Nearly every line of pretty JSON is ASCII and fits: one row, no cell counting
        # (which took most of the time to open a 10,000-item payload).
        if len(line) <= width and line.isascii():
            append((index, 0, len(line)))
            continue
        start = 0
        for piece in chop_cells(line, width) or [""]:
            append((index, start, start + len(piece)))
            start += len(piece)
    return rows


class JsonView(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    JsonView {
        height: 1fr;
        overflow-x: hidden;
    }
    """

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines = text.splitlines() or [""]
        self._rows: list[tuple[int, int, int]] = []  # (line, start, end) per screen row
        self._width = 0
        self._highlighter = Syntax("", "json", theme="ansi_dark")
        self._highlighted: dict[int, Text] = {}

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def on_resize(self) -> None:
        self._rewrap()

    def action_page_down(self) -> None:
        self._page(1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, pages: int) -> None:
        # At once, not animated: presses faster than the animation (a held key) each
        # restarted it from where it had got to, and ten pages moved about one.
        page = self.scrollable_content_region.height
        self.scroll_to(y=self.scroll_y + pages * page, animate=False, immediate=True)

    def watch_show_vertical_scrollbar(self) -> None:
        # The scrollbar comes (or goes) once the rows are known, and takes its cells
        # from the text: cut the rows again, or their ends would be under it.
        self.call_later(self._rewrap)

    def _rewrap(self) -> None:
        self._wrap(self.scrollable_content_region.width)

    def _wrap(self, width: int) -> None:
        width = max(width, 10)
        if width == self._width:
            return
        self._width = width
        self._rows = wrapped_rows(self._lines, width)
        self.virtual_size = Size(width, len(self._rows))
        self.refresh()

    def _line_text(self, index: int) -> Text:
        text = self._highlighted.get(index)
        if text is None:
            if len(self._highlighted) > _CACHE_LIMIT:
                self._highlighted.clear()
            text = self._highlighter.highlight(self._lines[index])
            text.rstrip()  # the highlighter ends every fragment with a newline
            self._highlighted[index] = text
        return text

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if row >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        index, start, end = self._rows[row]
        piece = self._line_text(index)[start:end]
        selection = self.text_selection
        span = selection.get_span(row) if selection is not None else None
        if span is not None:
            first, last = span
            style = self.screen.get_component_rich_style("screen--selection")
            piece.stylize(style, max(0, first), len(piece) if last == -1 else last)
        segments = [
            Segment(segment.text, segment.style)
            for segment in piece.render(self.app.console)
            if segment.text != "\n"
        ]
        strip = Strip(segments).extend_cell_length(width).crop(0, width)
        # Character offsets (row, column) for Textual's mouse selection.
        return strip.apply_style(self.rich_style).apply_offsets(0, row)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected part of the JSON as written: a long line wrapped over several rows
        comes back as one line."""
        text = self.text
        begin = 0 if selection.start is None else self._position(selection.start)
        finish = len(text) if selection.end is None else self._position(selection.end)
        return text[begin:finish], "\n"

    def _position(self, offset: Offset) -> int:
        """Where a (column, row) offset falls in ``text``."""
        if not self._rows:
            return 0
        row = min(max(offset.y, 0), len(self._rows) - 1)
        index, start, end = self._rows[row]
        before = sum(len(line) + 1 for line in self._lines[:index])
        return before + start + min(max(offset.x, 0), end - start)
