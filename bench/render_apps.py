"""Small Textual apps the render benchmark compares the real app with, and the key probe.

* ``TextualStreamApp``: Textual's own ``Markdown`` widget fed through ``MarkdownStream``.
* ``WidgetStreamApp``: our ``StreamingMarkdown`` widget alone, fed once per frame
  (its contract: the caller batches deltas per frame).
* ``KeyProbe``: a mixin that times how long a key press waits before the app handles it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown

PROBE_KEY = "f19"  # bound to nothing: it only travels through the app's queue
FRAME = 1 / 30  # the chat screen's frame (ui/screens/chat.py)
KEY_EVERY = 0.020  # a probe key this often while a reply streams (a fast typist)
SCREEN = (120, 40)


class KeyProbe:
    """Mixed into an App: records the delay of every probe key, from posting to handling."""

    def init_probe(self) -> None:
        self.key_delays: list[float] = []
        self._posted: list[float] = []

    def post_probe_key(self) -> None:
        self._posted.append(time.perf_counter())
        self.post_message(events.Key(PROBE_KEY, None))  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == PROBE_KEY and self._posted:
            self.key_delays.append(time.perf_counter() - self._posted.pop(0))
        await super().on_event(event)  # type: ignore[misc]


async def press_keys_while(app: KeyProbe, running: asyncio.Future[Any], every: float) -> None:
    """Posts a probe key every ``every`` seconds until ``running`` is done (like a typist)."""
    while not running.done():
        app.post_probe_key()
        await asyncio.sleep(every)


class TextualStreamApp(KeyProbe, App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.init_probe()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown()

    async def show(self, deltas: asyncio.Queue[str | None]) -> str:
        """Feeds every delta from the queue through MarkdownStream; returns the final source."""
        markdown = self.query_one(Markdown)
        self.query_one(VerticalScroll).anchor()
        stream = Markdown.get_stream(markdown)
        while (delta := await deltas.get()) is not None:
            await stream.write(delta)
        await stream.stop()
        async with markdown.lock:  # the last append has finished
            pass
        return markdown.source


class TimedScreen(Screen[None]):
    """Records when each screen update (layout, then paint, in one call) ended, as the
    chat screen does (``ChatScreen.drawn_at``)."""

    drawn_at = 0.0

    def _on_timer_update(self) -> None:
        super()._on_timer_update()
        self.drawn_at = time.perf_counter()


class WidgetStreamApp(KeyProbe, App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.init_probe()

    def get_default_screen(self) -> Screen[None]:
        return TimedScreen()

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield StreamingMarkdown()

    async def show(self, deltas: asyncio.Queue[str | None]) -> str:
        """Collects deltas and feeds the widget once per frame, as the chat screen does,
        until the stream has ended and the end of the reply is rendered."""
        widget = self.query_one(StreamingMarkdown)
        self.query_one(VerticalScroll).anchor()
        pending: list[str] = []

        def frame() -> None:
            if pending:
                widget.feed("".join(pending))
                pending.clear()

        timer = self.set_interval(FRAME, frame)
        while (delta := await deltas.get()) is not None:
            pending.append(delta)
        frame()
        widget.finish()
        timer.stop()
        while not widget.end_rendered:
            await asyncio.sleep(FRAME / 4)
        return widget.source
