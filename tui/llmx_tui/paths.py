"""Where llmx-tui keeps its state: --data-dir, LLMX_TUI_DATA_DIR, or platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "llmx-tui"
DATA_DIR_ENV = "LLMX_TUI_DATA_DIR"
CONFIG_DIR_ENV = "LLMX_TUI_CONFIG_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: the explicit override, else $LLMX_TUI_DATA_DIR, else platformdirs."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def history_db_path(override: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(override) / "history.db"


def config_dir() -> Path:
    env = os.environ.get(CONFIG_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME))


def config_path(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    return config_dir() / "config.toml"
