"""Neutralise untrusted text (model output, reasoning, tool output) before display.

Markup is never interpreted because every widget receives ``Content`` or a
Markdown source, never a markup string. What is left is the terminal itself:
control characters (ESC, BEL, C1 controls such as CSI), bidi overrides and
invisible format characters could move the cursor, recolour the screen, reorder
what the reader sees or hide text from them.
They are replaced by visible stand-ins so the text still shows what arrived.
"""

from __future__ import annotations

_KEEP = {"\n", "\t"}
# Unicode format characters (category Cf) that reorder or hide text: bidi embeddings,
# overrides, isolates and marks, zero-width characters, the byte order mark and the
# invisible tag characters (text a reader cannot see but a model reads). The joiners
# ZWNJ and ZWJ are left alone: they only join letters and emoji.
# tests/test_safe_text.py compares this with ``unicodedata``.
_FORMAT_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200B),
    (0x200E, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
HIDDEN_FORMAT = frozenset(
    chr(code) for first, last in _FORMAT_RANGES for code in range(first, last + 1)
)


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
    return code < 0x20 or 0x7F <= code <= 0x9F or char in HIDDEN_FORMAT


STAND_INS = {
    code: _stand_in(chr(code))
    for code in (*range(0x00, 0x20), *range(0x7F, 0xA0), *(ord(c) for c in HIDDEN_FORMAT))
    if _needs_replacing(chr(code))
}


def neutralise(text: str) -> str:
    """``text`` with terminal control characters shown as visible symbols.

    ``\\r\\n`` and lone ``\\r`` become newlines: a carriage return would let a
    line overwrite itself on screen.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(STAND_INS)


# C1 controls and the format characters: what output shown on a terminal but not
# otherwise neutralised (the sessions CLI, --print) writes as escapes.
HIDDEN_CODES = frozenset((*range(0x80, 0xA0), *map(ord, HIDDEN_FORMAT)))
_HIDDEN_TABLE = {code: f"<U+{code:04X}>" for code in HIDDEN_CODES}


def show_hidden(text: str) -> str:
    """``text`` with only C1 controls and the invisible format characters
    (``HIDDEN_CODES``) shown as ``<U+XXXX>``: for output that handles other control
    characters its own way."""
    return text.translate(_HIDDEN_TABLE)
