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
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

_CACHE_LIMIT = 4000


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
        self._wrap(self.scrollable_content_region.width)

    def _wrap(self, width: int) -> None:
        width = max(width, 10)
        if width == self._width:
            return
        self._width = width
        rows: list[tuple[int, int, int]] = []
        for index, line in enumerate(self._lines):
            start = 0
            for piece in chop_cells(line, width) or [""]:
                rows.append((index, start, start + len(piece)))
                start += len(piece)
        self._rows = rows
        self.virtual_size = Size(width, len(rows))
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
        segments = [
            Segment(segment.text, segment.style)
            for segment in piece.render(self.app.console)
            if segment.text != "\n"
        ]
        return Strip(segments).extend_cell_length(width).crop(0, width).apply_style(self.rich_style)
