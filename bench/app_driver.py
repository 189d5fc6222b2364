"""Drives the real app in process: built the way ``llmx-tui`` builds it, run headless.

The conversation comes from ``session_setup.open_conversation`` with the same
flags a user would pass, so the engine, store, recorder and transport are the
real ones; the app is ``LlmxApp`` with a key probe mixed in. A turn is started
the way the chat screen starts one when the composer submits.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from typing import Any

from bench.app_probe import app_args
from bench.render_apps import KEY_EVERY, SCREEN, KeyProbe, press_keys_while
from bench.streams import markdown_tokens
from llmx_tui.cli import build_parser
from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import AssistantMessage
from llmx_tui.launch import end_startup_gc_pause
from llmx_tui.session_setup import open_conversation
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens import chat
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown

PROMPT = "Say it all."
POLL = 0.002


class ProbedApp(KeyProbe, LlmxApp):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.init_probe()


@asynccontextmanager
async def running_app(
    base_url: str, data_dir: str, *, resume: str | None = None
) -> AsyncIterator[tuple[ProbedApp, Any]]:
    """The app, mounted headless at the benchmark's screen size, and its pilot."""
    os.environ["LLMX_TUI_CONFIG_DIR"] = data_dir  # never a developer's own config
    argv = [*app_args(base_url, data_dir), "--no-tools"]
    if resume:
        argv += ["--resume", resume]
    if gc.get_freeze_count() == 0:
        gc.disable()  # the first app starts as `cli.main` starts it: collector paused
    setup = await open_conversation(build_parser().parse_args(argv), EventBus(), interactive=True)
    try:
        app = ProbedApp(
            setup.conversation,
            theme=setup.settings.theme,
            context_window=setup.conversation.engine.provider.context_window,
            cursor_blink=False,
        )
        async with app.run_test(size=SCREEN) as pilot:
            await pilot.pause()
            end_startup_gc_pause()  # as launch does after the first frame (once per process)
            yield app, pilot
    finally:
        gc.enable()  # never left paused, however the run ends
        await setup.close()


@contextmanager
def _frames_only_at_the_end() -> Iterator[None]:
    """The chat screen's pump then draws the first deltas and the turn's end, nothing
    between: the least drawing any frame policy could do (a benchmark variant only)."""
    original = chat.frame_gap
    chat.frame_gap = lambda work, drawing, **_: 3600.0  # a turn's end still wakes the pump
    try:
        yield
    finally:
        chat.frame_gap = original


async def render_reply(
    base_url: str,
    data_dir: str,
    expected: str,
    key_delays: list[float],
    *,
    only_the_end: bool = False,
) -> float:
    """Seconds from submitting a prompt until the end of the reply is painted."""
    policy = _frames_only_at_the_end() if only_the_end else nullcontext()
    with policy:
        return await _render_reply(base_url, data_dir, expected, key_delays)


async def _render_reply(
    base_url: str, data_dir: str, expected: str, key_delays: list[float]
) -> float:
    async with running_app(base_url, data_dir) as (app, pilot):
        screen: Any = app.screen
        started = time.perf_counter()
        screen.start_turn(app.conversation.submit(PROMPT))
        rendered = asyncio.ensure_future(_rendered(app, expected))
        keys = asyncio.ensure_future(press_keys_while(app, rendered, KEY_EVERY))
        await rendered
        # The end was rendered during a screen update, which paints in the same call.
        elapsed = screen.drawn_at - started
        if elapsed <= 0:
            raise AssertionError("no screen update drew the end of the reply")
        await keys
        await pilot.pause()
        key_delays.extend(app.key_delays)
        scroll_to_top_seconds.append(await _scroll_to_top(app, pilot))
    return elapsed


async def engine_reply(
    base_url: str, data_dir: str, expected: str, key_delays: list[float]
) -> float:
    """Seconds from submitting a prompt until the turn is over, with no UI: the engine,
    transport, bus, recorder and store the app runs, built the way the app builds them."""
    del key_delays  # no UI, no keys
    os.environ["LLMX_TUI_CONFIG_DIR"] = data_dir  # never a developer's own config
    argv = [*app_args(base_url, data_dir), "--no-tools"]
    setup = await open_conversation(build_parser().parse_args(argv), EventBus(), interactive=True)
    try:
        started = time.perf_counter()
        outcome = await setup.conversation.submit(PROMPT)
        elapsed = time.perf_counter() - started
        replies = [i for i in setup.conversation.history if isinstance(i, AssistantMessage)]
        if outcome != "completed" or not replies or replies[-1].text != expected:
            raise AssertionError(f"the engine's turn ended {outcome} with different text")
    finally:
        await setup.close()
    return elapsed


# Per app run: from asking the view for the top of the reply until it is drawn.
scroll_to_top_seconds: list[float] = []


async def _scroll_to_top(app: LlmxApp, pilot: Any) -> float:
    """Off-screen blocks are rendered when first painted: this is what that costs
    when the reader jumps from the end of a long reply to its start."""
    reply = list(app.screen.query(StreamingMarkdown))[-1]
    first_words = reply.source.split("\n", 1)[0].lstrip("# ").strip()[:20]
    view: Any = app.screen.conversation
    started = time.perf_counter()
    view.scroll_home(animate=False, immediate=True)
    while first_words not in _screen_text(app):
        await asyncio.sleep(POLL)
    return time.perf_counter() - started


def _screen_text(app: LlmxApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _rendered(app: LlmxApp, expected: str) -> None:
    """Until the turn is over and the reply's widget holds all of it, its end rendered."""
    while True:
        if not app.conversation.busy:
            replies = list(app.screen.query(StreamingMarkdown))
            if replies and replies[-1].finished and replies[-1].end_rendered:
                if replies[-1].source != expected:
                    raise AssertionError("the app showed different text")
                return
        await asyncio.sleep(POLL)


# --- the memory benchmark's in-app cases ------------------------------------------------


async def idle(base_url: str, data_dir: str) -> dict[str, object]:
    async with running_app(base_url, data_dir) as (app, _pilot):
        return {"screen": type(app.screen).__name__}


async def stream_reply(base_url: str, data_dir: str, tokens: int) -> dict[str, object]:
    async with running_app(base_url, data_dir) as (app, pilot):
        screen: Any = app.screen
        screen.start_turn(app.conversation.submit(PROMPT))
        await _rendered(app, "".join(markdown_tokens(tokens)))
        await pilot.pause()
        return {"reply_chars": len(list(app.screen.query(StreamingMarkdown))[-1].source)}


async def resume(base_url: str, data_dir: str, session_id: str) -> dict[str, object]:
    async with running_app(base_url, data_dir, resume=session_id) as (app, pilot):
        await pilot.pause()
        return {"history_items": len(app.conversation.history)}
