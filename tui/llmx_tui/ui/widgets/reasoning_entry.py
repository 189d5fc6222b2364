"""One turn's reasoning: live text while it streams, a collapsible section after."""

from __future__ import annotations

import re
from collections.abc import Callable

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Collapsible, Static

from llmx_tui.core.safe_text import neutralise

# Long reasoning is kept as runs of paragraphs in several Statics: only the
# last run (at most about this many characters) is re-wrapped as text arrives.
TAIL_LIMIT = 2000

# **bold** within one line: reasoning summaries (Gemini's thoughts, many others) title
# each step this way, and the pane shows plain text, not Markdown.
_BOLD = re.compile(r"\*\*(?=\S)([^\n]*?\S)\*\*")


def reasoning_content(text: str) -> Content:
    """Untrusted reasoning as plain text (neutralised, never markup), its **bold**
    pieces drawn bold without their asterisks."""
    text = neutralise(text)
    parts: list[str | tuple[str, str]] = []
    end = 0
    for match in _BOLD.finditer(text):
        parts.append(text[end : match.start()])
        parts.append((match.group(1), "bold"))
        end = match.end()
    if not parts:
        return Content(text)
    parts.append(text[end:])
    return Content.assemble(*parts)


class ReasoningEntry(Collapsible):
    DEFAULT_CSS = """
    ReasoningEntry { height: auto; padding: 0; border-top: none; background: transparent; }
    ReasoningEntry > Contents { padding: 0 1; }  /* text never touches the border */
    ReasoningEntry .reasoning-body { height: auto; }
    ReasoningEntry .reasoning-text { color: $text-muted; text-style: italic; }
    ReasoningEntry.-live CollapsibleTitle { color: $text-accent; }
    """

    def __init__(
        self,
        turn: int,
        *,
        clock: Callable[[], float],
        text: str = "",
        live: bool = True,
        elapsed: float | None = None,
    ) -> None:
        self.turn = turn
        self.text = ""
        self.live = live
        self._clock = clock
        # Time spent thinking: the answer, a tool call and its approval are not counted.
        self._thought = 0.0  # seconds of the spells of reasoning that have ended
        self._since = clock() if live else None  # when the current spell began
        self._elapsed = elapsed
        self._tail = Static("", classes="reasoning-text")
        self._tail_text = ""
        self._body = Vertical(self._tail, classes="reasoning-body")
        self._body_ready = False
        self._segment_start = 0  # where the current step's reasoning begins
        if text:
            self.append(text)  # before the title is made: it counts the text
        super().__init__(
            self._body,
            title=Content(self._heading()),
            collapsed=not live,
            classes="-live" if live else "",
        )

    def seconds(self) -> float:
        """How long the model has reasoned in this turn so far."""
        running = self._clock() - self._since if self._since is not None else 0.0
        return self._thought + running

    def _heading(self) -> str:
        if self.live and self._since is not None:
            return f"thinking… {self.seconds():.1f}s"
        if self.live:  # answering, or a tool call: the time so far, until it reasons again
            return f"turn {self.turn} · thought for {self._thought:.1f}s"
        if self._elapsed is not None:
            return f"turn {self.turn} · thought for {self._elapsed:.1f}s"
        return f"turn {self.turn} · {len(self.text):,} chars"  # the pane says "Reasoning"

    def on_mount(self) -> None:
        self._body_ready = True

    def append(self, text: str) -> None:
        self.text += text
        tail = self._tail_text + text
        cut = tail.rfind("\n\n", 0, len(tail) - 1)
        if len(tail) > TAIL_LIMIT and cut > 0:
            self._tail.update(reasoning_content(tail[:cut]))
            self._tail = Static("", classes="reasoning-text")
            self._tail.styles.margin = (1, 0, 0, 0)
            if self._body_ready:
                self._body.mount(self._tail)
            else:
                self._body.compose_add_child(self._tail)
            tail = tail[cut + 2 :]
        self._tail_text = tail
        self._tail.update(reasoning_content(tail))

    def pause(self) -> None:
        """The model stopped reasoning (the answer or a tool call began): the clock stops."""
        if self._since is not None:
            self._thought += self._clock() - self._since
            self._since = None
            self.title = Content(self._heading())

    def resume(self) -> None:
        """Reasoning arrives: the clock runs again; after a finished step (a tool call in
        between), the text goes on below, live."""
        if self._since is None:
            self._since = self._clock()
        if not self.live:
            self.live = True
            self.add_class("-live")
            if self.text:
                self.append("\n\n")
            self._segment_start = len(self.text)

    def tick(self) -> None:
        if self.live:
            self.title = Content(self._heading())

    def finish(self, final_text: str | None = None) -> None:
        """The turn's reasoning ended: freeze the time; ``final_text`` wins if given."""
        if final_text and final_text != self.text[self._segment_start :]:
            # the finished item is authoritative for this step's part of the text
            whole = self.text[: self._segment_start] + final_text
            for chunk in list(self._body.children)[:-1]:
                chunk.remove()
            self._tail_text = self.text = ""
            self.append(whole)
        if self.live:
            self.pause()
            self._elapsed = self._thought
            self.live = False
            self.remove_class("-live")
            self.title = Content(self._heading())
