"""What the session browser shows and writes: rows, search hits, export files.

No Textual here beyond rich Text for cells; the browser screen stays about keys
and layout.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text

from llmx_tui.store.models import SearchHit, SessionInfo
from llmx_tui.store.queries import clip_around_match
from llmx_tui.store.session_format import session_json_text
from llmx_tui.ui.dialogs.fuzzy import fuzzy_filter
from llmx_tui.ui.dialogs.text import one_line

# Private-use characters mark the matched words in search snippets: they cannot
# come from the text itself in any meaningful way and survive one_line().
MARK_START, MARK_END = "\ue000", "\ue001"
UNTITLED = "Untitled"
# A search match starts within this many characters of its cell: at 80 columns only
# about the first 30 characters of the Match column are in view.
SNIPPET_LEAD = 20
_KIND_NAMES = {"user_message": "you", "assistant_message": "assistant"}


@dataclass(frozen=True)
class Row:
    session_id: str
    cells: tuple[Text, ...]


def title_of(info: SessionInfo) -> str:
    return one_line(info.title, empty=UNTITLED)


def when(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def session_rows(
    sessions: list[SessionInfo], query: str, *, current: str | None = None
) -> list[Row]:
    """Sessions whose title fuzzy-matches ``query`` (best first; all, newest first, if empty)."""
    matching = fuzzy_filter(query, sessions, key=lambda info: info.title or UNTITLED)
    return [
        Row(
            info.id,
            (
                _title_cell(info, current=info.id == current),
                Text(when(info.updated)),
                Text(one_line(info.model, 28, empty="—")),
                Text(str(info.item_count), justify="right"),
            ),
        )
        for info in matching
    ]


def _title_cell(info: SessionInfo, *, current: bool = False) -> Text:
    cell = Text(one_line(info.title, 48, empty=UNTITLED))
    if not info.title:
        cell.stylize("italic dim")
    if current:
        cell.append("  (open)", style="bold")
    if info.demo:
        cell.append("  demo", style="dim")
    return cell


def search_rows(hits: list[SearchHit], sessions: dict[str, SessionInfo]) -> list[Row]:
    """One row per session with its best hit (hits come best first), snippet highlighted."""
    rows: list[Row] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.session_id in seen:
            continue
        seen.add(hit.session_id)
        info = sessions.get(hit.session_id)
        title = Text(one_line(hit.session_title, 40, empty=UNTITLED))
        count = str(info.item_count) if info else "—"
        rows.append(
            Row(
                hit.session_id,
                (
                    title,
                    highlighted_snippet(hit.snippet),
                    Text(f"#{hit.item_number} {_KIND_NAMES.get(hit.kind, hit.kind)}"),
                    Text(count, justify="right"),
                ),
            )
        )
    return rows


def highlighted_snippet(snippet: str, limit: int = 70) -> Text:
    """The snippet on one line, cut around its first match, matched words in bold reverse."""
    flat = clip_around_match(one_line(snippet), MARK_START, MARK_END, limit, lead=SNIPPET_LEAD)
    text = Text()
    for index, piece in enumerate(re.split(f"[{MARK_START}{MARK_END}]", flat)):
        text.append(piece, style="bold reverse" if index % 2 else "")
    return text


def export_path(directory: Path, info: SessionInfo, extension: str) -> Path:
    """A new file name from the title and id; never one that exists already."""
    slug = re.sub(r"[^a-z0-9]+", "-", (info.title or "session").lower()).strip("-")[:40]
    stem = f"{slug or 'session'}-{info.id[:8]}"
    candidate = directory / f"{stem}.{extension}"
    number = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{number}.{extension}"
        number += 1
    return candidate


def write_export(path: Path, content: str | dict[str, Any]) -> Path:
    """Write a new file (exclusive create: an existing file is never overwritten).
    A lone surrogate in an imported session is kept as its ``\\udXXX`` escape, as
    ``sessions export`` writes it, so the file can be written and imported back."""
    text = content if isinstance(content, str) else session_json_text(content)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
