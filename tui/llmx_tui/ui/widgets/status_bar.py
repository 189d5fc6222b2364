"""One line: provider, model, token counts (last turn and session), context
meter, and a retry countdown while the engine waits to retry.

On a narrow screen the counts are written shorter rather than cut off at the
right edge, which is where the session totals and the context meter are.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len, chop_cells
from textual import events
from textual.content import Content
from textual.widgets import Static

from llmx_tui.core.events import Usage

# The provider and model are cut no shorter than this to make the line fit.
MIN_MODEL_CELLS = 12
# States a turn starts in: leaving "idle" for one of them is a new turn.
_TURN_STARTS = frozenset({"sending", "streaming"})


def _n(value: int | None) -> str:
    if value is None:
        return "–"
    return f"{value / 1000:.1f}k" if value >= 10_000 else str(value)


def usage_text(usage: Usage) -> str:
    return (
        f"in {_n(usage.input_tokens)} (cached {_n(usage.cached_input_tokens)}) "
        f"out {_n(usage.output_tokens)} (reasoning {_n(usage.reasoning_tokens)})"
    )


def short_usage_text(usage: Usage) -> str:
    """``usage_text`` without the parts not reported."""
    text = f"in {_n(usage.input_tokens)}"
    if usage.cached_input_tokens is not None:
        text += f" (cached {_n(usage.cached_input_tokens)})"
    text += f" out {_n(usage.output_tokens)}"
    if usage.reasoning_tokens is not None:
        text += f" (reasoning {_n(usage.reasoning_tokens)})"
    return text


def shortest_usage_text(usage: Usage) -> str:
    """Input and output only, as arrows: sent up, received down."""
    return f"↑{_n(usage.input_tokens)} ↓{_n(usage.output_tokens)}"


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        context_window: int | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__("", id=id)
        self._clock = clock
        self.provider = ""
        self.model = ""
        self.state = "idle"
        self.last_turn = Usage()
        self.session = Usage()
        # Input tokens of the last finished turn: the context meter keeps showing how
        # full the context was while the next turn's counts start again from "–".
        self._context_tokens: int | None = None
        self.context_window = context_window
        self._retry_until: float | None = None
        self._retry_reason = ""

    def on_mount(self) -> None:
        self.set_interval(0.25, self._tick)
        self.redraw()

    def set_model(self, provider: str, model: str) -> None:
        self.provider, self.model = provider, model
        self.redraw()

    def set_state(self, state: str) -> None:
        if self.state == "idle" and state in _TURN_STARTS:
            self.turn_started()
        self.state = state
        if state != "retrying":
            self._retry_until = None
        self.redraw()

    def turn_started(self) -> None:
        """A new turn: its counts show "–" until it finishes (not the previous turn's)."""
        self.last_turn = Usage()
        self.redraw()

    def turn_finished(self, usage: Usage) -> None:
        self.last_turn = usage
        self.session = self.session.plus(usage)
        self._context_tokens = usage.input_tokens
        self.redraw()

    def reset_session(self, saved: Usage | None = None) -> None:
        """Another session on screen: its totals start from what it had ``saved``."""
        self.last_turn = Usage()
        self._context_tokens = None
        self.session = saved or Usage()
        self.redraw()

    def retrying(self, attempt: int, delay: float, reason: str) -> None:
        self.state = "retrying"
        self._retry_until = self._clock() + delay
        self._retry_reason = f"retry {attempt}: {reason}"
        self.redraw()

    def _tick(self) -> None:
        if self._retry_until is not None:
            self.redraw()

    def on_resize(self, event: events.Resize) -> None:
        self.redraw()

    def status_text(self, width: int | None = None) -> str:
        """The line; with ``width``, the first of its shorter forms that fits, and if
        none does, the model's name cut short (``openrouter · anthropic/claude-3…``):
        the state and the session totals at the right edge matter more."""
        label = f"{self.provider} · {self.model}" if self.provider else self.model
        text = self._text(label, width)
        excess = cell_len(text) - width if width is not None else 0
        if excess > 0 and cell_len(label) > MIN_MODEL_CELLS:
            keep = max(MIN_MODEL_CELLS, cell_len(label) - excess) - 1
            text = self._text(chop_cells(label, keep)[0] + "…", width)
        return text

    def _text(self, label: str, width: int | None) -> str:
        head = [label]
        if self._retry_until is not None:
            left = max(0.0, self._retry_until - self._clock())
            head.append(f"{self._retry_reason} in {left:.0f}s")
        elif self.state != "idle":
            head.append(self.state)
        meter = ""
        if self.context_window and self._context_tokens is not None:
            share = self._context_tokens / self.context_window
            meter = f"ctx {share:.0%} of {_n(self.context_window)}"
        text = ""
        for written, separator in (
            (usage_text, "  │  "),
            (short_usage_text, "  │  "),
            (short_usage_text, " │ "),
            (shortest_usage_text, " │ "),
        ):
            parts = [
                *head,
                f"turn {written(self.last_turn)}",
                f"session {written(self.session)}",
            ]
            text = separator.join([*parts, meter] if meter else parts)
            if width is None or cell_len(text) <= width:
                break
        return text

    def redraw(self) -> None:
        width = self.content_region.width if self.is_mounted else 0
        self.update(Content(self.status_text(width or None)))
