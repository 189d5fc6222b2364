"""Where a streamed Markdown reply can be cut into blocks that are finished.

A block is finished once a blank line outside any code fence is followed by
the first character of a new top-level block. Everything before that point
never changes again, so it is rendered once; only the rest is re-rendered as
more text arrives. Pure functions, no Textual.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_OPENING_FENCE = re.compile(r"^(`{3,}|~{3,})([^\n]*)\n")
_CLOSING_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*\n?$")
_LIST_MARKER = re.compile(r"^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")


def make_parser() -> MarkdownIt:
    """GFM-like parser with raw HTML off: the widget would silently drop it
    (``Vec<T>`` would show as ``Vec``); no linkify, so
    untrusted text shows exactly as written."""
    from markdown_it import MarkdownIt  # loaded on first use: not needed for the first frame

    return MarkdownIt("gfm-like").disable(["html_inline", "html_block", "linkify"])


def block_starts(text: str) -> list[int]:
    """Offsets where a new top-level block starts after a finished one, in order.

    ``text`` must start at a block boundary. A blank line between two list
    items does not end the list (a loose list stays one list so its numbering
    and spacing are right).
    """
    starts: list[int] = []
    fence: str | None = None
    block_is_list = False
    at_block_start = True
    after_blank = False
    offset = 0
    for line in text.splitlines(keepends=True):
        complete = line.endswith("\n")
        stripped = line.strip()
        if fence is not None:
            closing = _FENCE.match(line)
            if (
                complete
                and closing
                and closing.group(1)[0] == fence[0]
                and (len(closing.group(1)) >= len(fence) and not line[closing.end() :].strip())
            ):
                fence = None
        elif not stripped:
            after_blank = complete or after_blank
        else:
            starts_top_level = not line[0].isspace()
            is_list_item = bool(_LIST_MARKER.match(line))
            if after_blank and starts_top_level and not (block_is_list and is_list_item):
                starts.append(offset)
                at_block_start = True
            if at_block_start:
                block_is_list = is_list_item
                at_block_start = False
            after_blank = False
            opening = _FENCE.match(line)
            if opening and complete:
                fence = opening.group(1)
        offset += len(line)
    return starts


def last_code_block(markdown: str) -> str | None:
    """The contents of the last fenced or indented code block, if any."""
    for token in reversed(make_parser().parse(markdown)):
        if token.type in ("fence", "code_block"):
            return token.content
    return None


def opening_fence(text: str) -> tuple[int, str, str] | None:
    """The first complete line of ``text`` that opens a code fence at column 0, when
    that fence is not closed in ``text``: (its offset, the fence, the info string).

    ``text`` must start at a block boundary and hold no finished block
    (``block_starts`` found none), so a fence line here starts a code block that
    runs to the end of ``text``; a fence interrupts a paragraph or list above it.
    """
    offset = 0
    for line in text.splitlines(keepends=True):
        opening = _OPENING_FENCE.match(line)
        if opening and not (opening.group(1)[0] == "`" and "`" in opening.group(2)):
            body = text[offset + len(line) :]
            if closing_fence(body, opening.group(1)) is None:
                return offset, opening.group(1), opening.group(2).strip()
            return None
        if _FENCE.match(line):
            return None  # an indented fence: not split, rendered whole
        offset += len(line)
    return None


def closing_fence(code: str, fence: str) -> tuple[int, int] | None:
    """Where the first line of ``code`` that closes ``fence`` starts and ends.

    A closing line without its newline counts only at the end of a finished
    stream (``complete``): while streaming it may still grow into code.
    """
    offset = 0
    for line in code.splitlines(keepends=True):
        closing = _CLOSING_FENCE.match(line)
        if (
            closing
            and line.endswith("\n")
            and closing.group(1)[0] == fence[0]
            and len(closing.group(1)) >= len(fence)
        ):
            return offset, offset + len(line)
        offset += len(line)
    return None
