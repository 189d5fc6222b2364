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
from llmx_tui.headless import (
    JsonPrinter,
    TextPrinter,
    print_events,
    stderr_line,
    stderr_warning,
)
from llmx_tui.session_setup import SetupError, open_conversation
from llmx_tui.store.errors import StoreError

EXIT_CODES = {"completed": 0, "failed": 1, "cancelled": 130}


class _PromptError(Exception):
    """The prompt cannot be sent; the message says why."""


def read_prompt(args: argparse.Namespace) -> str | None:
    """The prompt to send, or None after one line on stderr saying why there is none.

    Read before the event loop starts: while a blocking read of stdin held the loop, its
    Ctrl-C handler could not run, and Ctrl-C at a terminal did nothing until Ctrl-D.
    Here Ctrl-C raises KeyboardInterrupt as usual.
    """
    try:
        return _read_prompt(args)
    except _PromptError as exc:
        stderr_line(str(exc))
        return None


async def run_print(args: argparse.Namespace, prompt: str) -> int:
    """One turn; an expected failure (setup, store) is one line on stderr and exit 1."""
    try:
        return await _run_print(args, prompt)
    except (SetupError, StoreError) as exc:
        stderr_line(str(exc))
        return 1


def _read_prompt(args: argparse.Namespace) -> str:
    if args.prompt != "-":
        prompt: str = args.prompt
    elif sys.stdin is None:
        raise _PromptError("--print - reads the prompt from stdin, but there is no stdin")
    else:
        if sys.stdin.isatty():  # typed by hand: say how to end it
            sys.stderr.write("llmx-tui: reading the prompt from stdin; end it with Ctrl-D\n")
            sys.stderr.flush()
        try:
            # The bytes, decoded here: a strict stdin (a UTF-8 locale) would raise from
            # read() itself, a lenient one hands undecodable bytes on as lone surrogates.
            source = getattr(sys.stdin, "buffer", None)
            prompt = source.read().decode("utf-8") if source is not None else sys.stdin.read()
        except UnicodeDecodeError:
            raise _PromptError("the prompt is not valid UTF-8 text") from None
    try:
        prompt.encode("utf-8")  # undecodable bytes arrive as lone surrogates
    except UnicodeEncodeError:
        raise _PromptError("the prompt is not valid UTF-8 text") from None
    if not prompt.strip():
        raise _PromptError("the prompt is empty")
    return prompt


async def _run_print(args: argparse.Namespace, prompt: str) -> int:
    bus = EventBus()
    setup = await open_conversation(args, bus, interactive=False)
    for problem in setup.problems:  # what the app shows as notices when it opens
        stderr_warning(problem)
    conversation: Conversation = setup.conversation
    printer = JsonPrinter(sys.stdout) if args.json else TextPrinter(sys.stdout, sys.stderr)
    subscription = bus.subscribe()
    printing = asyncio.create_task(print_events(subscription, printer))
    printing.add_done_callback(lambda task: _stop_if_output_fails(task, conversation))
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, conversation.cancel)
    collector = CollectorPause()  # as the app does while a turn runs
    collector.pause()
    unwritable: OSError | None = None
    unsaved: list[BaseException] = []
    try:
        ending = await conversation.submit(prompt)
        await printing
    except OSError as exc:
        if _output_error(printing) is not exc:
            raise
        unwritable = exc
    finally:
        with contextlib.suppress(Exception):
            unsaved = await conversation.save_failures()
        collector.resume()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        subscription.close()
        await setup.close()
    if unwritable is not None:
        silence_stdout()  # the interpreter's last flush would fail on it again
        if isinstance(unwritable, BrokenPipeError):
            return EXIT_READER_GONE
        stderr_line(f"cannot write to stdout: {unwritable.strerror or unwritable}")
        return 1
    if ending == "failed":
        stderr_line(_failure_message(conversation))
    if unsaved:
        # The reply was printed but not all of it is in the history: never a silent loss.
        stderr_line(f"the session could not be saved: {unsaved[0]}")
        return EXIT_CODES[ending] or 1
    return EXIT_CODES[ending]


def _output_error(printing: asyncio.Task[None]) -> OSError | None:
    """Why stdout took no more (its reader left, the disk is full), if it did."""
    if not printing.done() or printing.cancelled():
        return None
    error = printing.exception()
    return error if isinstance(error, OSError) else None


def _stop_if_output_fails(printing: asyncio.Task[None], conversation: Conversation) -> None:
    """Nobody reads the rest of the reply, or it cannot be written: the turn stops (what
    came is saved, marked cancelled) rather than run on for nothing."""
    if _output_error(printing) is not None:
        conversation.cancel()


def _failure_message(conversation: Conversation) -> str:
    from llmx_tui.core.items import TurnError

    for item in reversed(conversation.history):
        if isinstance(item, TurnError):
            return item.message
    return "the turn failed"
