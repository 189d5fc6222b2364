"""Untrusted text (titles, snippets, server messages) made safe for one table cell or line.

The result is plain text for a ``Text``/``Content`` object, never markup:
terminal control characters become visible stand-ins, line breaks become
spaces, and long text is cut with an ellipsis.
"""

from __future__ import annotations

_CONTROL_STAND_INS = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_C1_AND_BIDI = {
    code: "\ufffd" for code in (*range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_TABLE = {**_CONTROL_STAND_INS, **_C1_AND_BIDI}


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
