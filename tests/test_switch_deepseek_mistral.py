"""DeepSeek (reasoning_content) -> Mistral (9-character ids) -> OpenAI -> DeepSeek,
turn by turn through ``--print --resume``: reasoning_content goes only to DeepSeek (on
every assistant message, its own text or ""), Mistral gets every id in its shape with
results following their calls, OpenAI gets the ids as saved, and the history stays."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.core.items import Reasoning, ToolCall
from tests.conftest import CORPUS
from tests.loopback import openai_text_stream, openai_tool_call_stream
from tests.test_switch_support import SwitchSession, openai_reasoning_stream, start_session

RECORDED_REASONING_CALL = CORPUS / "openai-chat__deepseek-reasoning-then-tool__vercel-ai.sse"
RECORDED_REASONING_TEXT = CORPUS / "openai-chat__deepseek-reasoning-content__pydantic-ai.sse"
DEEPSEEK_CALL_ID = "call_00_ioIn7yN9p1ZOMNpDLwd4MgAF"
MISTRAL_ID = re.compile(r"[A-Za-z0-9]{9}")


@pytest.fixture
def session(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> SwitchSession:
    return start_session(loopback, tmp_path, capsys, monkeypatch)


def assistant_messages(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in payload["messages"] if m["role"] == "assistant"]


def test_deepseek_mistral_openai_deepseek(session: SwitchSession) -> None:
    # Turn 1, DeepSeek: the recorded reasoning + call, then recorded reasoning + text.
    first = session.turn(
        "deepseek",
        "deepseek-reasoner",
        "weather in San Francisco?",
        [RECORDED_REASONING_CALL.read_bytes(), RECORDED_REASONING_TEXT.read_bytes()],
    )
    reasoning = [i for i in session.items if isinstance(i, Reasoning)]
    assert [r.provider for r in reasoning] == ["deepseek", "deepseek"]
    [loop_call] = assistant_messages(first[1].payload)
    assert loop_call["reasoning_content"] == reasoning[0].text
    assert loop_call["tool_calls"][0]["id"] == DEEPSEEK_CALL_ID

    # Turn 2, Mistral: ids reshaped (call and result alike), no reasoning at all.
    mistral_own = "Ab3dE6gH9"
    second = session.turn(
        "mistral",
        "mistral-large-latest",
        "now read my notes",
        [
            openai_tool_call_stream(mistral_own, "read_file", '{"path": "notes.txt"}'),
            openai_text_stream("They say pelican."),
        ],
    )
    for sent in second:
        assert "reasoning_content" not in json.dumps(sent.payload)
        assert reasoning[0].text not in json.dumps(sent.payload)
    messages = second[1].payload["messages"]
    ids = [c["id"] for m in messages for c in m.get("tool_calls", ())]
    answered = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert ids == answered
    assert all(MISTRAL_ID.fullmatch(i) for i in ids)
    assert ids[0] != DEEPSEEK_CALL_ID and ids[1] == mistral_own
    # The same id on every request: the reshaping depends on the id alone.
    first_ids = [c["id"] for m in second[0].payload["messages"] for c in m.get("tool_calls", ())]
    assert first_ids == ids[:1]
    saved_ids = [i.call_id for i in session.items if isinstance(i, ToolCall)]
    assert saved_ids == [DEEPSEEK_CALL_ID, mistral_own], "the saved ids are untouched"

    # Turn 3, OpenAI: ids as saved, no reasoning fields.
    third = session.turn(
        "openai",
        "gpt-4o",
        "read them once more",
        [
            openai_tool_call_stream("call_openai_3", "read_file", '{"path": "notes.txt"}'),
            openai_text_stream("Still pelican."),
        ],
    )
    messages = third[1].payload["messages"]
    ids = [c["id"] for m in messages for c in m.get("tool_calls", ())]
    assert ids == [DEEPSEEK_CALL_ID, mistral_own, "call_openai_3"]

    # Turn 4, DeepSeek again: every assistant message carries reasoning_content, its own
    # reasoning where DeepSeek made it, "" where another provider answered.
    fourth = session.turn(
        "deepseek",
        "deepseek-reasoner",
        "thanks",
        [openai_reasoning_stream("A thank-you.", text="You are welcome.")],
    )
    fields = [m["reasoning_content"] for m in assistant_messages(fourth[0].payload)]
    assert fields == [reasoning[0].text, reasoning[1].text, "", "", "", ""]


def test_deepseek_other_model_gets_no_reasoning_of_the_first(session: SwitchSession) -> None:
    """The same provider, another model: reasoning_content is "" on the first model's
    messages (rule 6 is per provider and model)."""
    session.turn(
        "deepseek",
        "deepseek-reasoner",
        "hello",
        [RECORDED_REASONING_TEXT.read_bytes()],
    )
    [thought] = [i for i in session.items if isinstance(i, Reasoning)]
    later = session.turn(
        "deepseek",
        "deepseek-chat",
        "again",
        [openai_reasoning_stream("Hm.", text="Hello again.")],
    )
    [message] = assistant_messages(later[0].payload)
    assert message["reasoning_content"] == ""
    assert thought.text not in json.dumps(later[0].payload)
