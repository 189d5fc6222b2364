"""UTF-16 surrogates in text: what a server that escapes non-ASCII as ``\\uXXXX`` leaves
when it cuts an emoji's pair between two events, or what an imported or hand-edited
session holds. No UTF-8 encoder (SQLite, the next request, the terminal) accepts a
lone one. Pure functions, shared by the stream parsers, the payload builders, the
store and the command line."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """Does ``text`` hold UTF-16 surrogates (which cannot be encoded as UTF-8)?"""
    return _SURROGATE.search(text) is not None


def mend_surrogates(text: str) -> str:
    """Each surrogate pair becomes its character again; any other surrogate U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def encodable(text: str) -> str:
    """``text`` itself, or (it holds surrogates) a mended copy UTF-8 can encode.
    ASCII text costs one flag read."""
    if text.isascii() or not has_surrogates(text):
        return text
    return mend_surrogates(text)


def escape_surrogates_in_json(json_text: str) -> str:
    """JSON text (``ensure_ascii=False``) with each surrogate as a ``\\udXXX`` escape: the
    same data, now encodable as UTF-8. A surrogate can only be inside a JSON string."""
    if json_text.isascii() or not has_surrogates(json_text):
        return json_text
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", json_text)
