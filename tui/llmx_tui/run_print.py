"""``llmx-tui --print``: one turn, headless, through the same engine, store and bus as the app."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from llmx_tui.closed_stdout import EXIT_READER_GONE, silence_stdout
from llmx_tui.collector_pause import CollectorPause
from llmx_tui.core.bus import EventBus
from llmx_tui.engine.conversation import Conversation
from llmx_tui.headless import JsonPrinter, TextPrinter, print_events, stderr_line
from llmx_tui.session_setup import SetupError, open_conversation

EXIT_CODES = {"completed": 0, "failed": 1, "cancelled": 130}


async def run_print(args: argparse.Namespace) -> int:
    prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
    if not prompt.strip():
        stderr_line("the prompt is empty")
        return 1
    bus = EventBus()
    try:
        setup = await open_conversation(args, bus, interactive=False)
    except SetupError as exc:
        stderr_line(str(exc))
        return 1
    conversation: Conversation = setup.conversation
    printer = JsonPrinter(sys.stdout) if args.json else TextPrinter(sys.stdout, sys.stderr)
    subscription = bus.subscribe()
    printing = asyncio.create_task(print_events(subscription, printer))
    printing.add_done_callback(lambda task: _stop_if_reader_gone(task, conversation))
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, conversation.cancel)
    collector = CollectorPause()  # as the app does while a turn runs
    collector.pause()
    reader_gone = False
    try:
        ending = await conversation.submit(prompt)
        await printing
    except BrokenPipeError:
        reader_gone = True
    finally:
        collector.resume()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        subscription.close()
        await setup.close()
    if reader_gone:
        silence_stdout()
        return EXIT_READER_GONE
    if ending == "failed":
        stderr_line(_failure_message(conversation))
    return EXIT_CODES[ending]


def _stop_if_reader_gone(printing: asyncio.Task[None], conversation: Conversation) -> None:
    """Nobody reads the rest of the reply: the turn stops (what came is saved, cancelled)."""
    if not printing.cancelled() and isinstance(printing.exception(), BrokenPipeError):
        conversation.cancel()


def _failure_message(conversation: Conversation) -> str:
    from llmx_tui.core.items import TurnError

    for item in reversed(conversation.history):
        if isinstance(item, TurnError):
            return item.message
    return "the turn failed"
