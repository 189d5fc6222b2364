"""Untrusted text (titles, snippets, server messages) made safe for one table cell or line.

The result is plain text for a ``Text``/``Content`` object, never markup:
terminal control characters become visible stand-ins, line breaks become
spaces, and long text is cut with an ellipsis.
"""

from __future__ import annotations

from llmx_tui.core.safe_text import STAND_INS

# What the conversation shows too: C0 controls as control pictures, C1 controls and the
# characters that reorder or hide text (``safe_text.HIDDEN_FORMAT``) as <U+XXXX>.
_TABLE = {**STAND_INS, 0x09: chr(0x2409), 0x0A: chr(0x240A)}


def one_line(text: str | None, limit: int | None = None, *, empty: str = "") -> str:
    """``text`` on one line with control characters neutralised, cut to ``limit`` characters."""
    if not text:
        return empty
    flattened = " ".join(text.split()).translate(_TABLE)
    if limit is not None and len(flattened) > limit:
        return flattened[: max(0, limit - 1)] + "…"
    return flattened or empty


def plain(text: str) -> str:
    """Multi-line ``text`` with control characters (except newline and tab) neutralised."""
    table = {code: stand_in for code, stand_in in _TABLE.items() if code not in (0x0A, 0x09)}
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(table)
