"""Command line: ``llmx-tui`` (the app), ``--print`` (headless), ``sessions ...``."""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import math
import os
import signal
import sys
from pathlib import Path
from typing import IO, Any, NoReturn

from llmx_tui import __version__

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


class OutputParser(argparse.ArgumentParser):
    """Help and --version are output like any other: argparse ignores an OSError when it
    prints them, so ``--help > /dev/full`` exited 0 with nothing written. Here stdout's
    error is raised, and ``printed_status`` reports it. A usage error that stderr cannot
    take is still a usage error (exit 2), as argparse has it: nothing else could say it."""

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:
        if not message:
            return
        stream = file or sys.stderr
        if stream is sys.stdout:
            stream.write(message)
            return
        with contextlib.suppress(OSError):
            stream.write(message)


def printed_status(prefix: str = "llmx-tui: error:") -> int:
    """The exit status once help or the version has been printed: 0 when it reached
    stdout, 141 when the reader left (``| head``), else 1 with one line saying why."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        return stdout_failed(exc, prefix)
    return EXIT_OK


def stdout_failed(exc: OSError, prefix: str = "llmx-tui: error:") -> int:
    """Stdout took no more: silenced (the interpreter's last flush would fail again), one
    line on stderr unless its reader just left."""
    from llmx_tui.closed_stdout import EXIT_READER_GONE, silence_stdout

    with contextlib.suppress(OSError, ValueError):  # not a real file (a test's capture)
        silence_stdout()
    if isinstance(exc, BrokenPipeError):
        return EXIT_READER_GONE
    with contextlib.suppress(OSError):
        print(f"{prefix} cannot write to stdout: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_FAILED


def build_parser(
    parser_class: type[argparse.ArgumentParser] = OutputParser,
) -> argparse.ArgumentParser:
    parser = parser_class(
        prog="llmx-tui",
        description="A keyboard-driven terminal chat client for LLMs.",
        epilog="Session commands: llmx-tui sessions --help",
    )
    parser.add_argument("--version", action="version", version=f"llmx-tui {__version__}")
    parser.add_argument(
        "-p",
        "--print",
        dest="prompt",
        metavar="PROMPT",
        help="run one turn headless and print the reply ('-' reads stdin)",
    )
    parser.add_argument(
        "--json", action="store_true", help="with --print: one JSON object per line instead of text"
    )
    parser.add_argument("--provider", help="provider preset or configured provider name")
    parser.add_argument("--model", help="model name")
    parser.add_argument(
        "--base-url", type=_base_url, metavar="URL", help="override the provider's base URL"
    )
    parser.add_argument("--api-key-env", metavar="VAR", help="read the API key from this variable")
    parser.add_argument("--system", metavar="TEXT", help="system prompt")
    parser.add_argument(
        "--max-steps",
        type=positive_int,
        metavar="N",
        help="most model requests in one turn (default 25)",
    )
    parser.add_argument(
        "--max-tokens", type=positive_int, metavar="N", help="most output tokens per request"
    )
    parser.add_argument("--no-tools", action="store_true", help="offer the model no tools")
    parser.add_argument(
        "--yes", action="store_true", help="headless: approve every tool call without asking"
    )
    parser.add_argument("--data-dir", metavar="DIR", type=folder_name, help="keep all state in DIR")
    parser.add_argument("--config", metavar="FILE", type=_config_file, help="config file to read")
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="ID",
        help="continue a saved session (without ID: pick one / the latest)",
    )
    parser.add_argument(
        "--continue",
        dest="continue_latest",
        action="store_true",
        help="continue the latest session",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="fail when the server sends nothing for this long (default 60)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="scripted demo conversation, no key or network needed"
    )
    return parser


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def folder_name(value: str) -> str:
    """An empty --data-dir meant the default folder, silently: "" is no folder."""
    if not value.strip():
        raise argparse.ArgumentTypeError("needs a folder name")
    return value


def _config_file(value: str) -> Path:
    if not value.strip():  # Path("") is ".", read as the current folder
        raise argparse.ArgumentTypeError("needs a file name")
    return Path(value)


def _base_url(value: str) -> str:
    from llmx_tui.base_url import base_url_problem

    problem = base_url_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return value.strip()


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError("must be a number of seconds above 0")
    return seconds


# Flags that only mean something for one headless turn.
HEADLESS_ONLY = (("--json", "json"), ("--yes", "yes"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        parser.error(_unrecognised(unknown, args))
    if args.prompt is None:
        for flag, name in HEADLESS_ONLY:
            if getattr(args, name):
                parser.error(f"{flag} needs --print")
    elif args.prompt != "-" and not args.prompt.strip():
        parser.error("argument -p/--print: the prompt is empty")
    if args.continue_latest and args.resume is not None:  # "" is --resume with no ID
        resume = "--resume ID (that one)" if args.resume else "--resume (pick one)"
        parser.error(f"--continue (the latest session) and {resume}: choose one")
    return args


def _unrecognised(unknown: list[str], args: argparse.Namespace) -> str:
    """argparse's complaint, with what the user more likely meant when it was a word."""
    message = f"unrecognized arguments: {' '.join(unknown)}"
    if unknown[0].startswith("-"):
        return message
    if args.prompt is not None:
        return f"{message} (a prompt of several words goes in quotes: --print 'like this')"
    import difflib

    if difflib.get_close_matches(unknown[0].lower(), ["sessions"], cutoff=0.7):
        return f"unknown command {unknown[0]!r}: did you mean `llmx-tui sessions`?"
    return (
        f"unknown command {unknown[0]!r} (the one command is `sessions`); "
        "to send a prompt: --print PROMPT"
    )


class _NotOptions(Exception):
    """What came before a ``sessions`` word is not a run of global options."""


class _QuietParser(OutputParser):
    def error(self, message: str) -> NoReturn:
        raise _NotOptions(message)


def sessions_argv(argv: list[str]) -> list[str] | None:
    """The arguments for ``llmx-tui sessions`` when ``argv`` names that command, or None.

    Global options may come first (``llmx-tui --data-dir DIR sessions list``); of those
    only --data-dir means something there, and it is handed on. A ``sessions`` that is
    an option's value (``--print sessions``) is not the command.
    """
    for index, word in enumerate(argv):
        if word != "sessions":
            continue
        try:
            given = build_parser(_QuietParser).parse_args(argv[:index])
        except _NotOptions:
            continue
        _refuse_app_options(given)
        rest = argv[index + 1 :]
        return rest if given.data_dir is None else [f"--data-dir={given.data_dir}", *rest]
    return None


def _refuse_app_options(given: argparse.Namespace) -> None:
    parser = build_parser()
    defaults = parser.parse_args([])
    for action in parser._actions:
        dest = action.dest
        if dest != "data_dir" and getattr(given, dest, None) != getattr(defaults, dest, None):
            parser.error(
                f"{action.option_strings[-1]} does not apply to `llmx-tui sessions` "
                "(of the global options, only --data-dir does)"
            )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if _stdout_closed():
        return EXIT_FAILED
    from llmx_tui.cli_encoding import tolerate_narrow_stdout

    tolerate_narrow_stdout()
    try:
        sessions = sessions_argv(argv)
        if sessions is not None:
            from llmx_tui.cli_sessions import main as sessions_main

            return sessions_main(sessions)
        args = parse_args(argv)
    except SystemExit as stop:
        if stop.code:  # a usage error, already on stderr
            raise
        return printed_status()  # --help or --version
    except OSError as exc:  # printing --help or --version failed
        return stdout_failed(exc)
    from llmx_tui.logs import configure_logging

    try:
        configure_logging(args.data_dir)
    except OSError as exc:  # the run goes on without the log it asked for
        where = f" {exc.filename}" if exc.filename else " the log"
        print(
            f"llmx-tui: warning: no debug log (LLMX_TUI_LOG): cannot write{where}: "
            f"{exc.strerror or exc}",
            file=sys.stderr,
        )
    if args.prompt is None:
        # No cyclic GC until the first frame is drawn (launch.end_startup_gc_pause).
        gc.disable()
        from llmx_tui.launch import run_app

        return run_app(args)
    from llmx_tui.run_print import read_prompt, run_print

    try:
        prompt = read_prompt(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if prompt is None:
        return EXIT_FAILED
    return _run_async(functools.partial(run_print, prompt=prompt), args)


def _stdout_closed() -> bool:
    """Started with stdout or stderr closed (``>&-``, ``2>&-``), Python sets it to None and
    every write raised AttributeError: a traceback, or "unexpected error". Without stderr
    the run goes on, its diagnostics dropped; without stdout nothing can be printed."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the whole run
    if sys.stdout is not None:
        return False
    print("llmx-tui: error: stdout is closed: there is nowhere to print", file=sys.stderr)
    return True


def _run_async(function: Any, args: argparse.Namespace) -> int:
    """Runs ``function(args)``; Ctrl-C cancels the turn cleanly and exits 130."""
    # Imported here: --version and --help need no event loop (asyncio is ~15 ms to import).
    import asyncio

    async def runner() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        interrupted = False

        def on_sigint() -> None:
            nonlocal interrupted
            interrupted = True
            if task is not None:
                task.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        try:
            code: int = await function(args)
            return code
        except asyncio.CancelledError:
            if interrupted:
                return EXIT_INTERRUPTED
            raise

    try:
        return asyncio.run(runner())
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
