"""Assistant Markdown that streams in without re-rendering what is finished.

One widget per reply, drawn through Textual's line API. The text is cut at
top-level block boundaries (``markdown_split``) into runs of finished blocks
(``markdown_blocks.Block``) and an unfinished tail. A run is rendered once per
width, and only when it is needed: when Textual paints one of its lines, or
when it is part of the bottom screenful that a following view shows. The tail
is re-rendered when it changes, so each frame costs at most about a screen of
Markdown, however fast the text arrives and however long the reply grows.

Lines carry the character offsets Textual's mouse selection reads, so a reply
can be selected and copied like any other text on screen.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from textual.containers import ScrollableContainer
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.theme import Theme
from textual.widget import Widget

from llmx_tui.core.safe_text import neutralise
from llmx_tui.ui.copy_text import Row, copied, copy_row
from llmx_tui.ui.markdown_blocks import Block, CodePiece, ends_with_rule, group_runs, highlighted
from llmx_tui.ui.markdown_split import block_starts, closing_fence, opening_fence

GUTTER = 1
# A fenced code block still streaming is cut into pieces of this many lines (the
# last few lines stay live, so the closing piece is never empty).
CODE_PIECE_LINES = 40
CODE_LIVE_LINES = 2


_PARTIAL_FENCE = re.compile(r"(?:^|\n) {0,3}(?:`+|~+)$")


def _without_partial_fence(text: str) -> str:
    """The text to draw: an unfinished last line that may become a closing fence
    (only backticks or tildes so far) waits for the rest of its line."""
    match = _PARTIAL_FENCE.search(text)
    return text[: match.start() + 1] if match and match.start() > 0 else text


def _text_width(width: int) -> int:
    return max(1, width - 2 * GUTTER)


@dataclass(frozen=True)
class _Arrangement:
    """Where each shown block starts, at one width (a block's lines hold the blank
    line before it), and the height of them all with one blank line after."""

    width: int
    dark: bool
    blocks: list[Block]
    tops: list[int]
    height: int


class StreamingMarkdown(Widget):
    # The one-cell gutter each side is drawn into the lines themselves (GUTTER), not
    # CSS padding: Textual would pad every line again on every paint.
    DEFAULT_CSS = "StreamingMarkdown { width: 1fr; height: auto; }"

    def __init__(
        self, text: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._source = ""  # everything fed, as received
        self._held_cr = False  # a trailing "\r" waits for a possible "\n"
        self._blocks: list[Block] = []
        self._tail = Block("")
        self._arrangement: _Arrangement | None = None
        # Inside a long fenced code block: its fence and lexer, whether the next
        # piece opens the block, and the code not yet in a piece.
        self._fence: tuple[str, str] | None = None
        self._code_top = True
        self._code = ""
        self._pending = ""  # the unfinished text after the finished blocks, as received
        self._dark = True
        self.finished = False
        if text:
            self.feed(text)

    @property
    def source(self) -> str:
        return self._source

    @property
    def block_count(self) -> int:
        """Runs of finished blocks, plus the tail when it holds text."""
        return len(self._shown_blocks())

    @property
    def rendered_count(self) -> int:
        """Blocks rendered at the current width (the rest are estimated)."""
        width = _text_width(self.content_size.width)
        return sum(block.lines(width, self._dark) is not None for block in self._shown_blocks())

    @property
    def end_rendered(self) -> bool:
        """The last block is rendered at the current width (the end can be drawn exactly)."""
        blocks = self._shown_blocks()
        width = self.content_size.width
        rendered = blocks and blocks[-1].lines(_text_width(width), self._dark) is not None
        return not blocks or (width > 0 and bool(rendered))

    def on_mount(self) -> None:
        self._dark = self.app.current_theme.dark
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.dark != self._dark:  # code colours follow dark/light
            self._dark = theme.dark
            self._changed()

    # text in -----------------------------------------------------------------
    def feed(self, text: str) -> None:
        """Append streamed text (the caller batches deltas, once per frame)."""
        if not text:
            return
        # neutralise reads only the last character before a chunk (a variation selector
        # the chunk starts with belongs to it): one character, not the whole reply.
        previous = self._source[-1:]
        self._source += text
        if self._held_cr:
            text = "\r" + text
            self._held_cr = False
        if text.endswith("\r"):
            text, self._held_cr = text[:-1], True
        self._append(neutralise(text, previous))

    def finish(self, final_text: str | None = None) -> None:
        """No more text comes. ``final_text`` replaces the stream if it differs."""
        self.finished = True
        if final_text is not None and final_text != self._source:
            self._held_cr = False
            self._source = final_text
            self._blocks = []
            self._tail = Block("")
            self._pending = ""
            self._fence = None
            self._append(neutralise(final_text))
        elif self._held_cr:
            self._held_cr = False
            self._append("\n")
        if self._fence is not None and self._code and not self._code.endswith("\n"):
            self._append("\n")  # a closing fence as the very last line, without its newline
        elif self._fence is None and self._tail.text != self._pending:
            self._set_tail(self._block(self._pending))  # nothing more comes: draw all of it
            self._changed()

    def _append(self, text: str) -> None:
        pending = (self._pending if self._fence is None else self._code) + text
        while True:
            if self._fence is not None:
                rest = self._continue_code(pending)
                if rest is None:
                    break
                pending = rest
            starts = block_starts(pending)
            if starts:
                cut = starts[-1]
                for run in group_runs(pending[:cut], starts[:-1]):
                    self._blocks.append(self._block(run))
                pending = pending[cut:]
            opened = opening_fence(pending)
            if opened is None or pending.count("\n") < CODE_PIECE_LINES:
                self._pending = pending
                self._set_tail(self._block(_without_partial_fence(pending)))
                break
            offset, fence, info = opened
            if pending[:offset].strip():
                # The fence interrupts it: a block of its own.
                self._blocks.append(self._block(pending[:offset]))
            header_end = pending.index("\n", offset) + 1
            self._fence = (fence, info.split()[0] if info else "text")
            self._code_top = True
            pending = pending[header_end:]
        self._changed()

    def _continue_code(self, code: str) -> str | None:
        """Code of an open fence: finished lines become pieces; the text after the
        closing fence, once it comes, is returned to be read as Markdown again."""
        assert self._fence is not None
        fence, lexer = self._fence
        closed = closing_fence(code, fence)
        if closed is not None:
            start, end = closed
            self._set_tail(self._piece(code[:start], lexer, bottom=True))
            self._blocks.append(self._tail)  # the live tail, as drawn, when nothing changed
            self._tail = Block("")
            self._pending = ""
            self._fence = None
            return code[end:]
        lines = code.split("\n")  # the last one is unfinished (maybe empty)
        if len(lines) > CODE_PIECE_LINES + CODE_LIVE_LINES:
            cut = len("\n".join(lines[: -CODE_LIVE_LINES - 1])) + 1
            self._blocks.append(self._piece(code[:cut], lexer, bottom=False))
            self._code_top = False
            code = code[cut:]
        self._code = code
        shown = _without_partial_fence(code)
        self._set_tail(self._piece(shown, lexer, bottom=True))
        return None

    def _block(self, text: str) -> Block:
        """Markdown that follows whatever is already in ``_blocks``."""
        previous = self._blocks[-1] if self._blocks else None
        after_rule = previous is not None and ends_with_rule(previous.text)
        return Block(text, after=previous is not None, after_rule=after_rule)

    def _piece(self, code: str, lexer: str, *, bottom: bool) -> CodePiece:
        previous = self._blocks[-1] if self._blocks else None
        # After a thematic break the rule's own blank line is the one between blocks.
        after = previous is not None and not ends_with_rule(previous.text)
        return CodePiece(code, lexer, top=self._code_top, bottom=bottom, after=after)

    def _set_tail(self, tail: Block) -> None:
        """The new tail, unless it would draw exactly like the old one (kept: rendered)."""
        old = self._tail
        same = type(old) is type(tail) and (old.text, old.after) == (tail.text, tail.after)
        if not (same and getattr(old, "top", None) == getattr(tail, "top", None)):
            self._tail = tail

    def _changed(self) -> None:
        self._arrangement = None
        self.refresh(layout=True)

    # layout and paint ----------------------------------------------------------
    def _shown_blocks(self) -> list[Block]:
        return [*self._blocks, self._tail] if self._tail.text.strip() else list(self._blocks)

    def _arrange(self, width: int) -> _Arrangement:
        current = self._arrangement
        if current is not None and current.width == width and current.dark == self._dark:
            return current
        blocks = self._shown_blocks()
        tops: list[int] = []
        y = 0
        for block in blocks:
            tops.append(y)
            y += block.height(width, self._dark)
        # The blank line Rich would put before a next block, kept after the reply.
        height = y + 1 if blocks else 0
        self._arrangement = _Arrangement(width, self._dark, blocks, tops, height)
        return self._arrangement

    def _render_block(self, block: Block, width: int) -> list[Strip]:
        lines = block.render(width, self._dark, self.app.console, self.app.console_options)
        self._arrangement = None  # its height is now exact
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # The bottom screenful is rendered now, so a view that follows the end
        # lays out exact heights; everything above keeps its estimate.
        text_width = _text_width(width)
        covered = 0
        for block in reversed(self._shown_blocks()):
            if covered >= viewport.height:
                break
            lines = block.lines(text_width, self._dark)
            if lines is None:
                lines = self._render_block(block, text_width)
            covered += len(lines)
        return self._arrange(text_width).height

    def render_line(self, y: int) -> Strip:
        style = self.visual_style.rich_style
        width = self.content_size.width
        text_width = _text_width(width)
        arrangement = self._arrange(text_width)
        index = bisect_right(arrangement.tops, y) - 1
        if index < 0:
            return Strip.blank(width, style)
        block = arrangement.blocks[index]
        if block.lines(text_width, self._dark) is None:
            # Scrolled into view: render it, then lay out its real height.
            estimated = block.height(text_width, self._dark)
            lines = self._render_block(block, text_width)
            if len(lines) != estimated:
                self._keep_view_steady(arrangement.tops[index], len(lines) - estimated)
                self.call_later(self.refresh, layout=True)
        lines = block.framed_lines(text_width, self._dark, GUTTER, style)
        offset = y - arrangement.tops[index]
        if offset >= len(lines):
            return Strip.blank(width, style)
        line = lines[offset]
        selection = self.text_selection
        if selection is not None:
            span = selection.get_span(y)
            if span is not None:
                selected = self.screen.get_component_rich_style("screen--selection")
                line = highlighted(line, span, selected, GUTTER)
        # Character offsets for Textual's mouse selection; the gutter is column -1, so
        # columns count from the reply's first character.
        return line.apply_offsets(-GUTTER, y)

    # selection -----------------------------------------------------------------
    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under a mouse selection (``copy_text``: as drawn, but code without
        its padding and wrapped paragraphs unwrapped); the whole reply selected (a
        double click) gives its Markdown source."""
        if selection.start is None and selection.end is None:
            return self._source, "\n"
        width = _text_width(self.content_size.width)
        last = selection.end.y if selection.end is not None else None
        rows: list[Row] = []
        arrangement = self._arrange(width)
        for top, block in zip(arrangement.tops, arrangement.blocks, strict=True):
            if last is not None and top > last:
                break
            lines = block.lines(width, self._dark)
            if lines is None:  # never painted: rendered now, at the width it has
                lines = self._render_block(block, width)
            rows += [copy_row(line) for line in lines]
        return copied(rows, selection), "\n"

    def _keep_view_steady(self, block_top: int, grown: int) -> None:
        """A block that starts above the visible part grew or shrank from its estimate:
        scroll by as much, so the text on screen stays where the reader sees it."""
        view = self.parent
        if not isinstance(view, ScrollableContainer) or getattr(view, "follow", False):
            return  # a view that follows its end is re-anchored by Textual
        visible_top = view.region.y - self.region.y
        if block_top < visible_top:
            view.scroll_to(y=view.scroll_y + grown, animate=False, immediate=True)
