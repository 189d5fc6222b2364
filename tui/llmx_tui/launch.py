"""``llmx-tui`` with no --print: the Textual app, on the same setup path as headless mode."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from llmx_tui.config import ConfigError, save_theme
from llmx_tui.core.bus import EventBus
from llmx_tui.headless import stderr_line
from llmx_tui.session_setup import SetupError, open_conversation


def run_app(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        return 130


async def _run(args: argparse.Namespace) -> int:
    from llmx_tui.ui.app import LlmxApp

    bus = EventBus()
    try:
        setup = await open_conversation(args, bus, interactive=True)
    except SetupError as exc:
        stderr_line(str(exc))
        return 1
    provider = setup.conversation.engine.provider

    def persist_theme(name: str) -> None:
        with contextlib.suppress(ConfigError, OSError):
            save_theme(name, args.config)

    app = LlmxApp(
        setup.conversation,
        theme=setup.settings.theme,
        on_theme_saved=persist_theme,
        context_window=provider.context_window,
    )
    try:
        await app.run_async()
    finally:
        await setup.close()
    return 0
