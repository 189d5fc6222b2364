"""Saved sessions for the resume and memory benchmarks, written through the real store."""

from __future__ import annotations

from pathlib import Path

from bench.streams import markdown_tokens
from llmx_tui import paths
from llmx_tui.core.items import AssistantMessage, Item, UserMessage
from llmx_tui.store.sqlite import SessionStore

# A typical answer: a few hundred tokens of Markdown with a heading, a list, a table and code.
_ANSWER = "".join(markdown_tokens(300))


# The last answer ends with this, so a launch can tell when the session is on screen.
END_MARKER = "That is the whole story"


def conversation(messages: int) -> list[Item]:
    """``messages`` alternating questions and Markdown answers; the last one ends with
    ``END_MARKER``."""
    items: list[Item] = []
    for n in range(messages):
        turn = n // 2
        if n % 2 == 0:
            items.append(UserMessage(text=f"Question {turn}: how do the pieces fit?", turn=turn))
        else:
            items.append(
                AssistantMessage(
                    text=_ANSWER, provider="openai-compatible", model="bench-model", turn=turn
                )
            )
    last = items[-1]
    if isinstance(last, AssistantMessage):
        items[-1] = last.model_copy(update={"text": last.text + f"\n\n{END_MARKER}.\n"})
    return items


def make_session(data_dir: str | Path, messages: int) -> str:
    """Saves a session of ``messages`` messages under ``data_dir``; returns its id."""
    path = paths.history_db_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    items = conversation(messages)
    with SessionStore.open(path) as store:
        session_id = store.create_session(
            title=f"{messages} messages", provider="openai-compatible", model="bench-model"
        )
        for start in range(0, len(items), 500):
            store.append_items(session_id, items[start : start + 500])
    return session_id
