"""What stdout can show: JSON safe for a terminal, and a stdout that cannot encode
every character (a Latin-1 or ASCII locale, ``PYTHONIOENCODING=ascii``, a Windows
console code page).

A reply, a title or a search snippet with a character outside that encoding raised
UnicodeEncodeError mid-output: a traceback in ``--print``, "unexpected error" in the
sessions commands. Text for people now shows such a character as ``?``; JSON, which
programs read, escapes it (``\\u00e9``), so it stays exact.
"""

from __future__ import annotations

import codecs
import functools
import sys
from typing import TextIO

_UNICODE_CODECS = frozenset({"utf-8", "utf-16", "utf-32", "utf-8-sig"})


def writes_any_text(stream: TextIO | None = None) -> bool:
    """Can ``stream`` (stdout) encode every character?"""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name in _UNICODE_CODECS or name.startswith(("utf-16", "utf-32"))


def tolerate_narrow_stdout() -> None:
    """Where stdout cannot encode every character, write ``?`` for what it cannot."""
    stream = sys.stdout
    if stream is None or writes_any_text(stream):
        return
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")


@functools.cache
def _json_escapes() -> dict[int, str]:
    """The characters that reorder or hide text (bidi overrides, C1 controls, invisible
    format characters), as JSON escapes (``\\u202e``): the same data, safe to show on a
    terminal. Every variation selector too: JSON is data, so one escaped emoji selector
    costs nothing, while a run of them can carry hidden text. Built on first use: every
    launch runs ``tolerate_narrow_stdout``, and ``--version`` needs none of this."""
    import json

    from llmx_tui.core.safe_text import HIDDEN_CODES, VARIATION_SELECTORS

    return {code: json.dumps(chr(code)).strip('"') for code in HIDDEN_CODES | VARIATION_SELECTORS}


def json_escape_hidden(text: str) -> str:
    """JSON text with reordering and hidden characters as ``\\uXXXX`` escapes."""
    return text.translate(_json_escapes())
