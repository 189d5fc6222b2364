"""`llmx-tui sessions ...`: list, show, search, export, import, rename, delete, fork.
The parser and the commands that change or copy sessions are here; the three that
read and print rows (list, show, search) are in ``cli_sessions_read``.

Every failure is one line on stderr and exit status 1 (2 for a usage error, as for
the main command), never a traceback.
Model output printed to a terminal is stripped of control characters first, and
characters that would reorder or hide text there (bidi overrides, C1 controls,
invisible format characters) are shown as ``<U+202E>``-style escapes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TextIO, cast

from llmx_tui.cli import (
    OutputParser,
    folder_name,
    positive_int,
    printed_status,
    stdout_failed,
)
from llmx_tui.cli_encoding import json_escape_hidden, writes_any_text
from llmx_tui.cli_output import (
    CannotWrite,
    NamedOutput,
    drop_output,
    names_stdout,
    write_file,
)
from llmx_tui.cli_sessions_read import item_count, list_sessions, search_sessions, show_session
from llmx_tui.cli_table import CONTROL, one_line
from llmx_tui.core.safe_text import show_hidden
from llmx_tui.paths import history_db_path
from llmx_tui.store.errors import StoreError
from llmx_tui.store.export import session_to_markdown
from llmx_tui.store.session_format import parse_session_text, session_json_text
from llmx_tui.store.sqlite import SessionStore

PROG = "llmx-tui sessions"
EXIT_USAGE = 2  # what argparse exits with


class UsageError(Exception):
    pass


class _Parser(OutputParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        type=folder_name,
        default=argparse.SUPPRESS,
        help="folder holding history.db (default: $LLMX_TUI_DATA_DIR or the platform data folder)",
    )
    parser = _Parser(prog=PROG, description="Manage saved chat sessions.", parents=[common])
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser
    )

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text, parents=[common])

    listing = add("list", "List sessions, newest first.")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.add_argument("--limit", type=_limit, metavar="N", help="only the N newest")
    add("show", "Show a session's details and numbered items.").add_argument("id")
    search = add("search", "Full-text search over message text, best match first.")
    search.add_argument("query", nargs="+")
    search.add_argument("--limit", type=_limit, default=50, metavar="N", help="at most N hits")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    export = add("export", "Export a session as Markdown or llmx-tui.session/1 JSON.")
    export.add_argument("id")
    export.add_argument("--format", choices=("md", "json"), default="md")
    export.add_argument(
        "-o",
        "--output",
        type=_file_name,
        metavar="FILE",
        help="write here instead of stdout ('-' is stdout, as import's '-' is stdin)",
    )
    add("import", "Import an llmx-tui.session/1 JSON file ('-' for stdin).").add_argument("file")
    rename = add("rename", "Set a session's title.")
    rename.add_argument("id")
    rename.add_argument("title", nargs="+")
    delete = add("delete", "Delete a session.")
    delete.add_argument("id")
    delete.add_argument("-y", "--yes", action="store_true", help="do not ask")
    fork = add("fork", "Copy a session's items 1..N into a new session.")
    fork.add_argument("id")
    fork.add_argument(
        "--at",
        type=int,  # the store says which numbers the session has
        required=True,
        metavar="N",
        help="last item to keep, as numbered by `sessions show`",
    )
    return parser


def _limit(value: str) -> int:
    """A whole number from 1; past what SQLite counts (2**63 - 1) it means no limit."""
    return min(positive_int(value), 2**63 - 1)


def _file_name(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("needs a file name")
    return value


def main(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:  # as for the main command: 2, not a runtime failure's 1
        return _fail(f"{PROG}: {exc}", EXIT_USAGE)
    except SystemExit as exc:  # --help
        return int(exc.code) if exc.code else printed_status("llmx-tui:")
    except OSError as exc:  # printing --help failed
        return stdout_failed(exc, "llmx-tui:")
    stdout = sys.stdout
    sys.stdout = cast(TextIO, NamedOutput(stdout))
    try:
        with SessionStore.open(history_db_path(getattr(args, "data_dir", None))) as store:
            code = _COMMANDS[args.command](store, args)
        sys.stdout.flush()  # a full disk is reported here, not by the interpreter at exit
        return code
    except StoreError as exc:
        return _fail(f"llmx-tui: {exc}")
    except BrokenPipeError:  # the reader closed stdout (``| head``): nothing went wrong
        from llmx_tui.closed_stdout import EXIT_READER_GONE, silence_stdout

        silence_stdout()
        return EXIT_READER_GONE
    except CannotWrite as exc:
        drop_output(stdout)
        return _fail(f"llmx-tui: cannot write to stdout: {exc}")
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(f"llmx-tui: cannot access{where}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        return _fail("llmx-tui: interrupted", 130)
    except Exception as exc:  # last resort: still one line, never a traceback
        return _fail(f"llmx-tui: unexpected error: {type(exc).__name__}: {exc}")
    finally:
        sys.stdout = stdout


def _fail(message: str, code: int = 1) -> int:
    with contextlib.suppress(OSError):  # stderr on a full disk: the status still says it
        print(" ".join(message.split()), file=sys.stderr)
    return code


def _visible(text: str) -> str:
    """``text`` with every character that could reorder or hide text as ``<U+XXXX>``."""
    return show_hidden(text)


def _export(store: SessionStore, args: argparse.Namespace) -> int:
    session_id = store.resolve_session_id(args.id)
    if args.output == "-" or (args.output and names_stdout(Path(args.output))):
        args.output = None  # "-" wrote a file named "-"; /dev/stdout replaced stdout's file
    if args.format == "json":
        exported = store.export_json(session_id)
        if args.output or writes_any_text():
            text = session_json_text(exported)
        else:  # a stdout that cannot take every character: the same data as escapes
            text = json.dumps(exported, indent=2) + "\n"
    else:
        text = session_to_markdown(store.get_session(session_id), store.export_items(session_id))
    if args.output:
        write_file(Path(args.output), text, lambda text: _for_terminal(text, args.format))
        return 0
    sys.stdout.write(_for_terminal(text, args.format) if sys.stdout.isatty() else text)
    return 0


def _for_terminal(text: str, export_format: str) -> str:
    """An export as a terminal shows it: as `show` does, what would reorder or hide text is
    shown as an escape, and no control character is left to act on the terminal."""
    shown = json_escape_hidden(text) if export_format == "json" else _visible(text)
    return CONTROL.sub("", shown)


def _import(store: SessionStore, args: argparse.Namespace) -> int:
    source = "stdin" if args.file == "-" else args.file
    if args.file == "-" and sys.stdin.isatty():  # typed or pasted by hand: say how to end it
        print("llmx-tui: reading the session from stdin; end it with Ctrl-D", file=sys.stderr)
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{source} is not UTF-8 text") from None
    print(store.import_session(parse_session_text(text, source)))
    return 0


def _rename(store: SessionStore, args: argparse.Namespace) -> int:
    store.rename(store.resolve_session_id(args.id), " ".join(args.title))
    return 0


def _delete(store: SessionStore, args: argparse.Namespace) -> int:
    session_id = store.resolve_session_id(args.id)
    if not args.yes:
        info = store.get_session(session_id)
        if not sys.stdin.isatty():
            raise StoreError("refusing to delete without --yes when stdin is not a terminal")
        title = one_line(info.title or "Untitled", 60, sys.stderr)  # the question's stream
        count = item_count(info.item_count)
        question = f'Delete session {session_id[:8]} "{title}" ({count})? [y/N] '
        if not _confirm(question, sys.stdin):
            print("Not deleted.", file=sys.stderr)
            return 1
    store.delete(session_id)
    return 0


def _confirm(question: str, stream: TextIO) -> bool:
    print(question, end="", file=sys.stderr, flush=True)
    try:
        answer = stream.readline()
    except KeyboardInterrupt:
        print(file=sys.stderr)  # "interrupted" on a line of its own, not after "^C"
        raise
    if not answer.endswith("\n"):
        print(file=sys.stderr)  # Ctrl-D: the terminal stayed on the question's line
    return answer.strip().lower() in ("y", "yes")


def _fork(store: SessionStore, args: argparse.Namespace) -> int:
    print(store.fork(store.resolve_session_id(args.id), args.at))
    return 0


_COMMANDS: dict[str, Callable[[SessionStore, argparse.Namespace], int]] = {
    "list": list_sessions,
    "show": show_session,
    "search": search_sessions,
    "export": _export,
    "import": _import,
    "rename": _rename,
    "delete": _delete,
    "fork": _fork,
}
