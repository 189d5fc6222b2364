"""One turn's reasoning: live text while it streams, a collapsible section after."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widgets import Collapsible, Static

from llmx_tui.ui.safe_text import neutralise


class ReasoningEntry(Collapsible):
    DEFAULT_CSS = """
    ReasoningEntry { height: auto; padding: 0; border-top: none; background: transparent; }
    ReasoningEntry > Contents { padding: 0 0 0 1; }
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
        self.text = text
        self.live = live
        self._clock = clock
        self._started = clock()
        self._elapsed = elapsed
        self._body = Static(Content(neutralise(text)), classes="reasoning-text")
        super().__init__(
            self._body,
            title=Content(self._heading()),
            collapsed=not live,
            classes="-live" if live else "",
        )

    def _heading(self) -> str:
        if self.live:
            return f"thinking… {self._clock() - self._started:.1f}s"
        if self._elapsed is not None:
            return f"turn {self.turn} · thought for {self._elapsed:.1f}s"
        return f"turn {self.turn} · reasoning ({len(self.text)} chars)"

    def append(self, text: str) -> None:
        self.text += text
        self._body.update(Content(neutralise(self.text)))

    def tick(self) -> None:
        if self.live:
            self.title = Content(self._heading())

    def finish(self, final_text: str | None = None) -> None:
        """The turn's reasoning ended: freeze the time; ``final_text`` wins if given."""
        if final_text and final_text != self.text:
            self.text = ""
            self.append(final_text)
        if self.live:
            self._elapsed = self._clock() - self._started
            self.live = False
            self.remove_class("-live")
            self.title = Content(self._heading())
