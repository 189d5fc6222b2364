"""UTF-16 surrogates in text: what a server that escapes non-ASCII as ``\\uXXXX`` leaves
when it cuts an emoji's pair between two events. No UTF-8 encoder (SQLite, the next
request, the terminal) accepts a lone one."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogates(text: str) -> bool:
    """Does ``text`` hold UTF-16 surrogates (which cannot be encoded as UTF-8)?"""
    return _SURROGATE.search(text) is not None


def mend_surrogates(text: str) -> str:
    """Each surrogate pair becomes its character again; any other surrogate U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
