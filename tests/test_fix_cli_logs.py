"""Nothing is logged by default, whichever entry point sets logging up: the NullHandler
that keeps a warning off stderr is ``configure_logging``'s, not only ``cli.main``'s."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from llmx_tui.logs import LOG_ENV, configure_logging

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def package_logger(monkeypatch: pytest.MonkeyPatch) -> logging.Logger:
    """The package logger with no handlers, as a fresh process has it (restored after)."""
    logger = logging.getLogger("llmx_tui")
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "level", logger.level)
    return logger


def without_root_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a real run: pytest's root handlers (added for the test's call, after its
    fixtures) would take what otherwise reaches Python's last resort."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])


@pytest.fixture
def last_resort(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """What Python's last-resort handler (stderr, for records no handler took) writes."""
    written = io.StringIO()
    monkeypatch.setattr(logging, "lastResort", logging.StreamHandler(written))
    return written


def nulls(logger: logging.Logger) -> int:
    return sum(isinstance(handler, logging.NullHandler) for handler in logger.handlers)


def test_without_llmx_tui_log_a_warning_reaches_nobody(
    package_logger: logging.Logger, last_resort: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_root_handlers(monkeypatch)
    configure_logging()
    logging.getLogger("llmx_tui.engine.tools").error("a tool raised: boom")
    assert last_resort.getvalue() == ""
    configure_logging()  # set up twice (the app after a first-run screen): still one
    assert nulls(package_logger) == 1


def test_a_log_that_cannot_be_opened_still_leaves_stderr_quiet(
    package_logger: logging.Logger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    last_resort: io.StringIO,
) -> None:
    without_root_handlers(monkeypatch)
    (tmp_path / "llmx-tui.log").mkdir()  # where the log file goes
    monkeypatch.setenv(LOG_ENV, "debug")
    with pytest.raises(OSError):
        configure_logging(str(tmp_path))
    logging.getLogger("llmx_tui.engine.turn").warning("a server stopped")
    assert last_resort.getvalue() == ""


def test_with_llmx_tui_log_the_file_gets_it(
    package_logger: logging.Logger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOG_ENV, "info")
    configure_logging(str(tmp_path))
    logging.getLogger("llmx_tui.engine.turn").info("step 1")
    for handler in package_logger.handlers:
        handler.close()
    assert "INFO llmx_tui.engine.turn: step 1" in (tmp_path / "llmx-tui.log").read_text()
