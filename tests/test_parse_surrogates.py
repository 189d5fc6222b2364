"""An emoji's UTF-16 surrogate pair cut between two events (a server that escapes
non-ASCII as ``\\uXXXX``) is joined back into the emoji, never kept as two lone
surrogates that no UTF-8 encoder accepts (SQLite, the next request, the terminal)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmx_tui.core.events import ReasoningDelta, TextDelta
from llmx_tui.core.items import AssistantMessage
from llmx_tui.providers.anthropic.parse import AnthropicParser
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from tests.loopback import sse_body
from tests.test_conversation import open_conversation

HIGH, LOW = "\ud83d", "\ude00"  # the two halves of U+1F600
EMOJI = "\U0001f600"


def _openai_delta(**delta: Any) -> str:
    # json.dumps escapes each lone half as \\uXXXX, as such a server sends it.
    return json.dumps({"choices": [{"index": 0, "delta": delta}]})


def _published_text(events: list[Any], kind: type) -> str:
    return "".join(event.text for event in events if type(event) is kind)


def test_a_pair_cut_between_two_content_deltas_is_one_emoji() -> None:
    parser = OpenAIChatParser(usage_requested=False)
    events = parser.feed("", _openai_delta(content=f"hi {HIGH}"))
    events += parser.feed("", _openai_delta(content=f"{LOW}!"))
    assert _published_text(events, TextDelta) == f"hi {EMOJI}!"
    outcome = parser.outcome()
    assert outcome.text == f"hi {EMOJI}!"
    outcome.text.encode("utf-8")  # what SQLite and the next request do


def test_a_pair_cut_in_reasoning_and_a_lone_half_in_text() -> None:
    parser = OpenAIChatParser(usage_requested=False)
    events = parser.feed("", _openai_delta(reasoning_content=f"think {HIGH}"))
    events += parser.feed("", _openai_delta(reasoning_content=LOW))
    events += parser.feed("", _openai_delta(content=f"a {LOW} b"))  # a low half alone
    assert _published_text(events, ReasoningDelta) == f"think {EMOJI}"
    assert _published_text(events, TextDelta) == "a \ufffd b"


def test_a_high_half_left_at_the_end_is_a_replacement_character() -> None:
    parser = OpenAIChatParser(usage_requested=False)
    events = parser.feed("", _openai_delta(content=f"cut {HIGH}"))
    assert _published_text(events, TextDelta) == "cut "
    assert parser.outcome().text == "cut \ufffd"


def test_tool_arguments_cut_inside_a_pair_are_valid_json_text() -> None:
    parser = OpenAIChatParser(usage_requested=False)
    first = {"index": 0, "id": "call_1", "type": "function"}
    parser.feed("", _openai_delta(tool_calls=[{**first, "function": {"name": "say"}}]))
    for fragment in ('{"text": "', HIGH, f'{LOW}"}}'):
        call = {"index": 0, "function": {"arguments": fragment}}
        parser.feed("", _openai_delta(tool_calls=[call]))
    (call,) = parser.outcome().tool_calls
    assert json.loads(call.arguments) == {"text": EMOJI}
    call.arguments.encode("utf-8")


def test_anthropic_text_cut_inside_a_pair() -> None:
    parser = AnthropicParser()
    start = {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}}
    parser.feed("content_block_start", json.dumps(start))
    for piece in (f"ok {HIGH}", LOW):
        delta = {"type": "text_delta", "text": piece}
        event = {"type": "content_block_delta", "index": 0, "delta": delta}
        parser.feed("content_block_delta", json.dumps(event))
    assert parser.outcome().text == f"ok {EMOJI}"


async def test_the_reply_is_saved_with_the_emoji(loopback: Any, tmp_path: Path) -> None:
    """Before, saving the reply failed (SQLite cannot encode a lone surrogate), so the
    reply was missing from the session and every later request failed to encode."""
    loopback.add_stream(
        sse_body(
            {"choices": [{"index": 0, "delta": {"content": f"smile {HIGH}"}}]},
            {"choices": [{"index": 0, "delta": {"content": LOW}, "finish_reason": "stop"}]},
        )
    )
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    assert await conversation.submit("hello") == "completed"
    await recorder.flush()
    assert conversation.session_id is not None
    saved = await store.load_history(conversation.session_id)
    answers = [item.text for item in saved if isinstance(item, AssistantMessage)]
    assert answers == [f"smile {EMOJI}"]
    await recorder.close()
    await store.close()


def test_a_half_followed_by_plain_text_becomes_a_replacement_character_in_place() -> None:
    parser = OpenAIChatParser(usage_requested=False)
    events = parser.feed("", _openai_delta(content=f"a{HIGH}"))
    events += parser.feed("", _openai_delta(content="bc"))
    assert _published_text(events, TextDelta) == "a\ufffdbc"
    assert parser.outcome().text == "a\ufffdbc"


def test_arguments_with_a_half_before_their_end_stay_json() -> None:
    parser = OpenAIChatParser(usage_requested=False)
    first = {"index": 0, "id": "call_1", "type": "function"}
    parser.feed("", _openai_delta(tool_calls=[{**first, "function": {"name": "say"}}]))
    for fragment in (f'{{"q": "x{HIGH}', '"}'):
        call = {"index": 0, "function": {"arguments": fragment}}
        parser.feed("", _openai_delta(tool_calls=[call]))
    (call,) = parser.outcome().tool_calls
    assert json.loads(call.arguments) == {"q": "x\ufffd"}
