"""Opt-in logging to a file in the data folder: ``LLMX_TUI_LOG=debug llmx-tui ...``.

Nothing is logged by default. At debug level each request is logged (URL, headers,
JSON body) with every header value but a few harmless ones redacted, and the API key
removed wherever it appears, so keys never land here.
"""

from __future__ import annotations

import logging
import os

from llmx_tui import paths

LOG_ENV = "LLMX_TUI_LOG"


def configure_logging(data_dir: str | None = None) -> None:
    """The package's logging for this run: none unless LLMX_TUI_LOG asks for a level.

    Either way a NullHandler is installed first: without any handler, a warning or an
    error (a tool that raised, an MCP server that stopped) went to stderr through
    Python's last-resort handler, traceback and all, between --print's lines or over
    the interface; what it says is reported already (the tool's failed result, the
    server's error on the next call). Raises OSError when the log cannot be opened.
    """
    package = logging.getLogger("llmx_tui")
    if not any(isinstance(handler, logging.NullHandler) for handler in package.handlers):
        package.addHandler(logging.NullHandler())
    level_name = os.environ.get(LOG_ENV, "").strip().upper()
    if not level_name:
        return
    level = logging.getLevelName(level_name)
    if not isinstance(level, int):
        level = logging.DEBUG
    folder = paths.data_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(folder / "llmx-tui.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package.setLevel(level)
    package.addHandler(handler)
