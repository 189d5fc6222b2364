"""``llmx-tui`` with no --print: the Textual app, on the same setup path as headless mode."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import sys
from collections.abc import Callable

from llmx_tui.config import ConfigError, save_theme
from llmx_tui.core.bus import EventBus
from llmx_tui.headless import stderr_line
from llmx_tui.session_setup import Setup, SetupError, open_conversation


def run_app(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 130
    finally:
        gc.enable()  # never left paused, however the app ends


def end_startup_gc_pause() -> None:
    """``cli.main`` starts the app with the cyclic GC paused: startup allocates a lot and
    keeps nearly all of it, so collecting while it imports only costs time (about a tenth
    of the launch). After the first frame: one collection, then what survived is frozen
    out of later collections (no full-heap pauses while a reply streams)."""
    if gc.isenabled():
        return
    gc.collect()
    gc.freeze()
    gc.enable()


def _after_first_frame(setup: Setup) -> Callable[[], None]:
    def done() -> None:
        setup.finish()
        end_startup_gc_pause()

    return done


async def _run(args: argparse.Namespace) -> int:
    from llmx_tui.ui.app import LlmxApp

    bus = EventBus()
    # --resume without an id: the app opens the session browser instead of the latest.
    pick_session = args.resume == ""
    if pick_session:
        args.resume = None
    while True:
        try:
            # The engine (httpx, tools) is built right after the first frame: see LlmxApp.
            setup = await open_conversation(args, bus, interactive=True, defer_engine=True)
            break
        except SetupError as exc:
            if not exc.no_provider:
                # A provider is there but something else is wrong (session, store, config,
                # key): the welcome screen's "no provider was found" would mislead.
                stderr_line(str(exc))
                return 1
            # First run: the welcome screen says why and how to add a provider.
            choice = await _welcome(str(exc), args)
            if choice is None:
                # Without a terminal the screen could not open: that comes first (the
                # run wanted --print, or the app from a terminal), the provider after.
                stderr_line(terminal_problem() or str(exc))
                return 1
            if choice == "demo":
                args.demo = True

    problem = terminal_problem()
    if problem is not None:  # the interface would wait for keys that never come
        await setup.close()
        stderr_line(problem)
        return 1

    def persist_theme(name: str) -> None:
        with contextlib.suppress(ConfigError, OSError):
            save_theme(name, args.config)

    from llmx_tui.ui.wiring import open_sessions_hook, pick_model_hook

    app = LlmxApp(
        setup.conversation,
        theme=setup.settings.theme,
        on_theme_saved=persist_theme,
        on_open_sessions=open_sessions_hook(setup.store),
        on_pick_model=pick_model_hook(setup.settings),
        context_window=setup.provider.context_window,
        notices=setup.problems,
        start_with_sessions=pick_session,
        after_first_frame=_after_first_frame(setup),
    )
    try:
        await app.run_async()
    finally:
        await setup.close()
    # Non-zero when the app ended on an error (Textual has shown its traceback).
    return app.return_code or 0


def terminal_problem() -> str | None:
    """Why the interface cannot run here, if it cannot: it reads keys from stdin and
    draws on stderr, so both must be a terminal (stdout may go anywhere)."""
    for name, stream in (("stdin", sys.__stdin__), ("stderr", sys.__stderr__)):
        if stream is None or not stream.isatty():
            return (
                f"the app needs a terminal, and its {name} is not one; to run one turn "
                "without it: llmx-tui --print PROMPT (--print - reads the prompt from stdin)"
            )
    return None


async def _welcome(problem: str, args: argparse.Namespace) -> str | None:
    """The first-run screen's choice; None when it was closed without one, or cannot open."""
    if terminal_problem() is not None:
        return None  # the caller says what is missing: a terminal
    from llmx_tui.ui.first_run import FirstRunApp

    gc.enable()  # the user may stay a while: no reason to keep the startup pause

    return await FirstRunApp(problem, config_path=args.config).run_async()
