"""A long fenced code block streaming into the reply widget, side by side:

* pieces: the app's way (``StreamingMarkdown`` cuts an open code block into pieces of
  finished lines, each rendered once);
* whole: the same widget with pieces turned off, so the block is one Markdown block
  re-rendered on every frame until its fence closes (the baseline).

The same text is fed in the same number of frames; the figures are the Markdown
rendering time summed over the reply and the slowest single frame.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from bench.render_apps import SCREEN
from llmx_tui.ui import markdown_blocks
from llmx_tui.ui.widgets import streaming_markdown
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown

FRAMES = 60
NO_PIECES = 10**9


def code_reply(kilobytes: int) -> str:
    lines: list[str] = []
    index = 0
    while sum(map(len, lines)) < kilobytes * 1000:
        lines += [f"def handler_{index}(request, retries=3):\n", f"    return {index} * retries\n"]
        lines.append("\n")
        index += 1
    return "Here is the module:\n\n```python\n" + "".join(lines) + "```\n\nThat is all."


class _CodeApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield StreamingMarkdown()


class _RenderClock:
    """Times every Rich render of the reply widget (``markdown_blocks._render``) while on."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._render = markdown_blocks._render

    def _timed(self, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return self._render(*args)
        finally:
            self.spent += time.perf_counter() - started

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent

    def __enter__(self) -> _RenderClock:
        markdown_blocks._render = self._timed
        return self

    def __exit__(self, *exc: object) -> None:
        markdown_blocks._render = self._render


async def _one_run(text: str, piece_lines: int) -> tuple[float, float]:
    saved = streaming_markdown.CODE_PIECE_LINES
    streaming_markdown.CODE_PIECE_LINES = piece_lines
    app = _CodeApp()
    try:
        with _RenderClock() as clock:
            async with app.run_test(size=SCREEN) as pilot:
                widget = app.query_one(StreamingMarkdown)
                app.query_one(VerticalScroll).anchor()
                step = -(-len(text) // FRAMES)
                total = worst = 0.0
                clock.take()
                for start in range(0, len(text), step):
                    widget.feed(text[start : start + step])
                    await pilot.pause()
                    spent = clock.take()
                    total += spent
                    worst = max(worst, spent)
                widget.finish()
                await pilot.pause()
                total += clock.take()
    finally:
        streaming_markdown.CODE_PIECE_LINES = saved
    return total, worst


async def measure(kilobytes: int, rounds: int) -> dict[str, Any]:
    """Medians over interleaved rounds (the order alternates round by round)."""
    text = code_reply(kilobytes)
    variants = {"pieces": streaming_markdown.CODE_PIECE_LINES, "whole": NO_PIECES}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for round_index in range(rounds):
        order = list(variants) if round_index % 2 == 0 else list(reversed(variants))
        for name in order:
            runs[name].append(await _one_run(text, variants[name]))
    figures: dict[str, Any] = {"kilobytes": float(kilobytes), "rounds": float(rounds)}
    for name, results in runs.items():
        figures[f"{name}_render_s"] = statistics.median(total for total, _ in results)
        figures[f"{name}_worst_frame_s"] = statistics.median(worst for _, worst in results)
    figures["whole_over_pieces"] = statistics.median(
        whole[0] / pieces[0] for whole, pieces in zip(runs["whole"], runs["pieces"], strict=True)
    )
    return figures
