"""Neutralise untrusted text (model output, reasoning, tool output) before display.

Markup is never interpreted because every widget receives ``Content`` or a
Markdown source, never a markup string. What is left is the terminal itself:
control characters (ESC, BEL, C1 controls such as CSI) and bidi overrides
could move the cursor, recolour the screen or reorder what the reader sees.
They are replaced by visible stand-ins so the text still shows what arrived.
"""

from __future__ import annotations

_KEEP = {"\n", "\t"}
# Bidi embedding/override/isolate controls: they can visually reorder text.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _stand_in(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures block: ESC -> ␛
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def _needs_replacing(char: str) -> bool:
    code = ord(char)
    if char in _KEEP:
        return False
    return code < 0x20 or 0x7F <= code <= 0x9F or char in _BIDI


_TABLE = {
    code: _stand_in(chr(code))
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *(ord(c) for c in _BIDI))
    if _needs_replacing(chr(code))
}


def neutralise(text: str) -> str:
    """``text`` with terminal control characters shown as visible symbols.

    ``\\r\\n`` and lone ``\\r`` become newlines: a carriage return would let a
    line overwrite itself on screen.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_TABLE)
