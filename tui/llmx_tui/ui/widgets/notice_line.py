"""An inline notice in the conversation: a failed turn (with the retry key) or a
cancelled one. The provider's message is untrusted text."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from llmx_tui.core.safe_text import neutralise


class NoticeLine(Static):
    DEFAULT_CSS = """
    NoticeLine { height: auto; padding: 0 1; margin: 1 0; }  /* apart from the row above */
    NoticeLine.-error { color: $text-error; border-left: thick $error; }
    NoticeLine.-cancelled { color: $text-warning; }
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(Content(neutralise(message)), classes=f"-{kind}")
        self.kind = kind
        self.message = message


def error_notice(
    kind: str, message: str, retry_key: str = "ctrl+r", *, unanswered: bool = False
) -> NoticeLine:
    """``unanswered``: no reply came, so a new prompt would be sent joined to this one."""
    if unanswered:
        hint = f"{retry_key} retries; a new prompt is sent joined to this one, F9 edits it"
    else:
        hint = f"press {retry_key} to retry"
    return NoticeLine("error", f"✗ {kind}: {message}   ({hint})")


def cancelled_notice() -> NoticeLine:
    return NoticeLine("cancelled", "⊘ cancelled — what had arrived is kept")
