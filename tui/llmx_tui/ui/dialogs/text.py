"""Untrusted text (titles, snippets, server messages) made safe for one table cell or line.

The result is plain text for a ``Text``/``Content`` object, never markup:
terminal control characters become visible stand-ins, line breaks become
spaces, and long text is cut with an ellipsis.
"""

from __future__ import annotations

from llmx_tui.core.safe_text import neutralise


def one_line(text: str | None, limit: int | None = None, *, empty: str = "") -> str:
    """``text`` on one line neutralised as the conversation is (C0 controls as control
    pictures, C1 controls, characters that reorder or hide text and smuggled
    variation-selector runs as <U+XXXX>), cut to ``limit`` characters."""
    if not text:
        return empty
    flattened = neutralise(" ".join(text.split()))
    if limit is not None and len(flattened) > limit:
        return flattened[: max(0, limit - 1)] + "…"
    return flattened or empty


def plain(text: str) -> str:
    """Multi-line ``text`` neutralised as the conversation is (newline and tab kept)."""
    return neutralise(text)
