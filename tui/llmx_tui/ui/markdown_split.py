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
_LIST_MARKER = re.compile(r"^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")


def make_parser() -> MarkdownIt:
    """GFM-like parser with raw HTML off: the widget would silently drop it
    (``Vec<T>`` would show as ``Vec``); no linkify, so
    untrusted text shows exactly as written."""
    from markdown_it import MarkdownIt  # loaded on first use: not needed for the first frame

    return MarkdownIt("gfm-like").disable(["html_inline", "html_block", "linkify"])


def finished_prefix_length(text: str) -> int:
    """Length of the longest prefix of ``text`` made of finished top-level blocks.

    ``text`` must start at a block boundary. Returns 0 when no block is finished.
    """
    starts = block_starts(text)
    return starts[-1] if starts else 0


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
