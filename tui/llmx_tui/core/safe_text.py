"""Neutralise untrusted text (model output, reasoning, tool output) before display.

Markup is never interpreted because every widget receives ``Content`` or a
Markdown source, never a markup string. What is left is the terminal itself:
control characters (ESC, BEL, C1 controls such as CSI), bidi overrides and
invisible format characters could move the cursor, recolour the screen, reorder
what the reader sees or hide text from them.
They are replaced by visible stand-ins so the text still shows what arrived.

Variation selectors (VS1-16 U+FE00-FE0F, VS17-256 U+E0100-E01EF) are invisible too,
and a run of them after one visible character can carry any bytes ("emoji
smuggling"). One selector after a character that takes it is kept, so emoji,
keycaps and ideographic variants look right: VS1-16 after a character outside
ASCII and Latin-1/Latin Extended (or one of ``0-9 # * © ®``), VS17-256 after a
CJK ideograph. Any other selector, and every selector of a run of two or more,
is shown as ``<U+XXXX>``. A stream is neutralised chunk by chunk: given the text
before a chunk (``previous``), a run cut by a chunk's end is still seen, all but
its first selector when that one was kept.

ASCII text is translated by a table (or returned as it is); other text is
scanned once by one regex and only what it finds is looked at.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


# Variation selectors -------------------------------------------------------------

# ASCII and Latin-1 / Latin Extended characters that take VS1-16: keycaps, text or emoji
# presentation of digits, # and *, a slashed zero, the emoji © and ®.
_LATIN_VS_BASES = frozenset("0123456789#*\u00a9\u00ae")
# CJK ideographs, the bases of ideographic variation sequences (VS17-256): the unified
# blocks, the compatibility block and planes 2 and 3 (all CJK).
_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))
VARIATION_SELECTORS = frozenset((*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)))


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _takes_selector(base: str, selector: str) -> bool:
    """Whether ``base`` followed by ``selector`` can be a real variation sequence."""
    code = ord(base)
    if ord(selector) >= 0xE0100:
        return any(first <= code <= last for first, last in _IDEOGRAPHS)
    if code < 0x250:
        return base in _LATIN_VS_BASES
    return not base.isspace() and base not in HIDDEN_FORMAT and not _is_variation_selector(base)


def _selector_kept(text: str, index: int, previous: str) -> bool:
    """Whether the variation selector at ``text[index]`` is kept: it is alone and follows
    a character that takes it. ``previous`` is the text before ``text``; with none known,
    a lone VS15/VS16 is kept (a stream may split an emoji from its presentation
    selector)."""
    after = index + 1
    if after < len(text) and _is_variation_selector(text[after]):
        return False  # a run
    selector = text[index]
    if index:
        return _takes_selector(text[index - 1], selector)
    if previous:
        return _takes_selector(previous[-1], selector)
    return selector in "\ufe0e\ufe0f"


# Neutralising ------------------------------------------------------------------------


def _char_class(codes: frozenset[int]) -> str:
    """A regex character class body matching ``codes`` in the BMP exactly and, above
    it, everything from the lowest to the highest of them in each plane: the regex
    engine scans a class of a few wide ranges twice as fast as one of many (the
    replacer gives back what it does not know)."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        last = ranges[-1][1] if ranges else -2
        if code == last + 1 or (code > 0xFFFF and code >> 16 == last >> 16):
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        re.escape(chr(first)) + (f"-{re.escape(chr(last))}" if last > first else "")
        for first, last in ranges
    )


def _pattern(table: dict[int, str]) -> re.Pattern[str]:
    """One character of ``table`` or one variation selector (and a few others)."""
    return re.compile(f"[{_char_class(frozenset(table) | VARIATION_SELECTORS)}]")


def _replacer(table: dict[int, str], previous: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        char = match.group()
        stand_in = table.get(ord(char))
        if stand_in is not None:
            return stand_in
        if not _is_variation_selector(char) or _selector_kept(
            match.string, match.start(), previous
        ):
            return char
        return f"<U+{ord(char):04X}>"

    return replace


_NEUTRALISE = _pattern(STAND_INS)


def neutralise(text: str, previous: str = "") -> str:
    """``text`` with terminal control characters and smuggled variation selectors shown
    as visible symbols.

    ``\\r\\n`` and lone ``\\r`` become newlines: a carriage return would let a
    line overwrite itself on screen. ``previous``: the text shown just before this
    one (what a streamed chunk follows): a variation selector ``text`` starts with
    belongs to its last character.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # no variation selectors: the table alone does it, fast
        return text.translate(STAND_INS)
    return _NEUTRALISE.sub(_replacer(STAND_INS, previous), text)


# C1 controls and the format characters: what output shown on a terminal but not
# otherwise neutralised (the sessions CLI, --print) writes as escapes.
HIDDEN_CODES = frozenset((*range(0x80, 0xA0), *map(ord, HIDDEN_FORMAT)))
_HIDDEN_TABLE = {code: f"<U+{code:04X}>" for code in HIDDEN_CODES}
_SHOW_HIDDEN = _pattern(_HIDDEN_TABLE)


def show_hidden(text: str, previous: str = "") -> str:
    """``text`` with only C1 controls, the invisible format characters
    (``HIDDEN_CODES``) and smuggled variation selectors shown as ``<U+XXXX>``: for
    output that handles other control characters its own way. ``previous``: as for
    ``neutralise``."""
    if text.isascii():  # none of them is ASCII
        return text
    return _SHOW_HIDDEN.sub(_replacer(_HIDDEN_TABLE, previous), text)
