"""`llmx-tui sessions list`, `show` and `search`: rows that fit the terminal's width.

On a terminal every row fits the width and model text is flattened to one line with
what could reorder or hide it shown as ``<U+XXXX>`` (``cli_table.one_line``); a pipe or
a file gets whole values. ``--json`` prints the same data for programs.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime

from llmx_tui.cli_encoding import json_escape_hidden, writes_any_text
from llmx_tui.cli_table import cells, clip_snippet, fit, one_line, pad, terminal_width
from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)
from llmx_tui.core.surrogates import escape_surrogates_in_json
from llmx_tui.store.errors import StoreError
from llmx_tui.store.models import SearchHit, SessionInfo
from llmx_tui.store.queries import fts_query
from llmx_tui.store.sqlite import SessionStore


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


# On a terminal: "f00a2798  2026-11-24 14:27      2 items  " comes before the model.
_LIST_LEAD = 41
_MODEL_CELLS = 24  # the most the model column takes on a terminal
_TITLE_CELLS = 20  # the model column narrows (to 8) before the title gets less


def list_sessions(store: SessionStore, args: argparse.Namespace) -> int:
    sessions = store.list_sessions(limit=args.limit)
    if args.json:
        _print_json([_summary(info) for info in sessions])
        return 0
    if not sessions:
        print("No sessions yet.")
        return 0
    models = [one_line(info.model or "-") for info in sessions]
    model_room, title_room = _list_columns(max(cells(model) for model in models))
    for info, model in zip(sessions, models, strict=True):
        title = one_line(info.title or "Untitled", title_room)
        print(
            f"{info.id[:8]}  {_when(info.updated)}  {item_count(info.item_count, 5)}  "
            f"{pad(fit(model, model_room), model_room)}  {title}"
        )
    return 0


def item_count(count: int, width: int = 0) -> str:
    """ "1 item", "2 items"; with ``width``, the number right-aligned and "item" padded,
    so the columns after it stay put."""
    noun = "item " if width and count == 1 else "item" if count == 1 else "items"
    return f"{count:>{width}} {noun}"


def _list_columns(longest_model: int) -> tuple[int, int | None]:
    """Columns for the model and the title: on a terminal the row fits its width; in a
    pipe or a file nothing is cut (the model column is as wide as the longest)."""
    width = terminal_width()
    if width is None:
        return longest_model, None
    model = min(longest_model, _MODEL_CELLS)
    spare = width - _LIST_LEAD - 2 - model
    if spare < _TITLE_CELLS:
        model = max(min(model, 8), model - (_TITLE_CELLS - spare))
    return model, max(8, width - _LIST_LEAD - 2 - model)


def _print_json(data: object) -> None:
    text = escape_surrogates_in_json(json.dumps(data, indent=2, ensure_ascii=not writes_any_text()))
    print(json_escape_hidden(text) if sys.stdout.isatty() else text)


def _summary(info: SessionInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "title": info.title,
        "created": info.created,
        "updated": info.updated,
        "provider": info.provider,
        "model": info.model,
        "demo": info.demo,
        "item_count": info.item_count,
        "usage": info.usage.counts(),
    }


_SHOW_LEAD = 18  # "    1  assistant  "
_PIPED_ITEM_CELLS = 100  # `show` summarises: a pipe gets each item's first 100 characters


def show_session(store: SessionStore, args: argparse.Namespace) -> int:
    session_id = store.resolve_session_id(args.id)
    info = store.get_session(session_id)
    width = terminal_width()
    field = _PIPED_ITEM_CELLS if width is None else max(20, width - 9)  # "Title    "
    print(f"Session  {info.id}")
    print(f"Title    {one_line(info.title or 'Untitled', field)}")
    print(f"Created  {_when(info.created)}   Updated {_when(info.updated)}")
    model = one_line(f"{info.model or '-'} ({info.provider or '-'})", field)
    print(f"Model    {model}")
    print(
        f"Tokens   {info.input_tokens:,} in ({info.cached_input_tokens:,} cached), "
        f"{info.output_tokens:,} out ({info.reasoning_tokens:,} reasoning)"
    )
    if info.system_prompt:
        print(f"System   {one_line(info.system_prompt, field)}")
    print()
    room = _PIPED_ITEM_CELLS if width is None else max(20, width - _SHOW_LEAD)
    items = store.load_items(session_id)
    for number, item in enumerate(items, start=1):
        print(f"{number:>5}  {_describe(item, room)}")
    draft = store.get_draft(session_id)
    if draft is not None:
        lead = "unfinished reply: "
        text = one_line(draft.text or draft.reasoning, room + 11 - len(lead))
        print(f"{'':>5}  {lead}{text}")
    return 0


def _describe(item: Item, room: int) -> str:
    """One numbered item of `show`: an 11-column label, then at most ``room`` columns."""
    if isinstance(item, UserMessage):
        return f"user       {one_line(item.text, room)}"
    if isinstance(item, AssistantMessage):
        return f"assistant  {one_line(item.text, room)}"
    if isinstance(item, Reasoning):
        return f"reasoning  {one_line(item.text, room) or '(not shown by the provider)'}"
    if isinstance(item, ToolCall):
        name = one_line(item.name, min(40, room // 2))
        return f"tool call  {name}({one_line(item.arguments, room - cells(name) - 2)})"
    if isinstance(item, ToolOutput):
        status = "tool error " if item.is_error else "tool out   "
        return f"{status}{one_line(item.output, room)}"
    if isinstance(item, TurnError):
        kind = one_line(item.kind, min(40, room // 2))
        return f"error      {kind}: {one_line(item.message, room - cells(kind) - 2)}"
    return "cancelled"


_KINDS = {"user_message": "user", "assistant_message": "assistant"}
_SEARCH_LEAD = 27  # "f00a2798  #12   assistant  "
_SNIPPET_INDENT = " " * 10
_MARKS = ("«", "»")


def search_sessions(store: SessionStore, args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    if not fts_query(query):  # "No matches." for "😀" or "*" read as if the text lacked it
        raise StoreError(
            f"nothing to search for in {query!r}: the search matches words (letters, digits)"
        )
    hits = store.search(query, limit=args.limit, mark=_MARKS)
    if args.json:
        _print_json([_hit_summary(hit) for hit in hits])
        return 0
    if not hits:
        print("No matches.")
    width = terminal_width()
    title_room = None if width is None else max(8, width - _SEARCH_LEAD)
    snippet_room = None if width is None else max(8, width - len(_SNIPPET_INDENT))
    for hit in hits:
        title = one_line(hit.session_title or "Untitled", title_room)
        kind = _KINDS.get(hit.kind, hit.kind)
        print(f"{hit.session_id[:8]}  #{hit.item_number:<4} {kind:<9}  {title}")
        snippet = clip_snippet(one_line(hit.snippet), _MARKS, snippet_room)
        print(f"{_SNIPPET_INDENT}{snippet}")
    return 0


def _hit_summary(hit: SearchHit) -> dict[str, object]:
    return {
        "session_id": hit.session_id,
        "title": hit.session_title,
        "item_number": hit.item_number,
        "kind": hit.kind,
        "snippet": hit.snippet,
    }
