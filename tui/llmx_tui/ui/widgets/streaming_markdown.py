"""Assistant Markdown that streams in without re-rendering what is finished.

The text is cut at top-level block boundaries (``markdown_split``): each
finished run of blocks becomes its own ``MarkdownChunk``, rendered once; only
the unfinished tail chunk is re-rendered. The caller feeds text once per frame
(already batched), so the cost follows the frame rate, not the token rate.
At most ``FRAME_BUDGET`` characters are rendered per frame; a larger burst
waits in a backlog for the next frames (``flush``) so keys stay responsive.
"""

from __future__ import annotations

from textual.containers import Vertical

from llmx_tui.ui.markdown_split import finished_prefix_length
from llmx_tui.ui.safe_text import neutralise
from llmx_tui.ui.widgets.markdown_chunk import MarkdownChunk

FRAME_BUDGET = 2000


class StreamingMarkdown(Vertical):
    DEFAULT_CSS = "StreamingMarkdown { height: auto; }"

    def __init__(self, text: str = "", *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._source = ""  # everything fed, as received
        self._held_cr = False  # a trailing "\r" waits for a possible "\n"
        self._tail = MarkdownChunk()
        self._chunks = [self._tail]  # until composed; afterwards children are the truth
        self._composed = False
        self._tail_text = ""
        self._backlog = ""
        self._final_text: str | None = None
        self.finished = False
        if text:
            self.feed(text)

    @property
    def source(self) -> str:
        return self._source

    @property
    def chunk_count(self) -> int:
        return len(self.children)

    def compose(self):  # type: ignore[override]
        self._composed = True
        yield from self._chunks
        self._chunks = []

    @property
    def has_backlog(self) -> bool:
        return bool(self._backlog)

    def feed(self, text: str) -> None:
        """Append streamed text and re-render the tail (call once per frame)."""
        if not text:
            return
        self._source += text
        if self._held_cr:
            text = "\r" + text
            self._held_cr = False
        if text.endswith("\r"):
            text, self._held_cr = text[:-1], True
        self._backlog += neutralise(text)
        self.flush()

    def flush(self) -> None:
        """Render up to one frame's budget of the backlog."""
        if not self._backlog:
            return
        step, self._backlog = self._backlog[:FRAME_BUDGET], self._backlog[FRAME_BUDGET:]
        self._show(self._tail_text + step)
        if not self._backlog and self._final_text is not None:
            self._settle()

    def finish(self, final_text: str | None = None) -> None:
        """No more text comes. ``final_text`` replaces the stream if it differs."""
        self.finished = True
        if self._held_cr:
            self._held_cr = False
            self._backlog += "\n"
        if final_text is not None and final_text != self._source:
            self._source = final_text
            self._backlog = ""
            self._reset(neutralise(final_text))
            return
        self._final_text = self._source
        if not self._backlog:
            self._settle()

    def _settle(self) -> None:
        """The last chunk keeps whatever the tail holds; nothing else changes."""
        self._final_text = None

    def _show(self, text: str) -> None:
        cut = finished_prefix_length(text)
        if cut:
            self._tail.set_text(text[:cut])
            self._tail = MarkdownChunk()
            if self._composed:
                self.mount(self._tail)
            else:
                self._chunks.append(self._tail)
            text = text[cut:]
        self._tail_text = text
        self._tail.set_text(text)

    def _reset(self, text: str) -> None:
        for child in [*self.children, *self._chunks]:
            if child is not self._tail:
                child.remove()
        self._chunks = [] if self._composed else [self._tail]
        self._tail_text = ""
        self._show(text)

    def restyle(self) -> None:
        for chunk in self.query(MarkdownChunk):
            chunk.restyle()
