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
    root = logging.getLogger("llmx_tui")
    root.setLevel(level)
    root.addHandler(handler)
