"""Tool-call ids across providers, through ``--print --resume``: each server gets every id
of the session in a shape it accepts, each result follows its call under the same id,
and the saved ids never change.

- OpenAI rejects an id longer than 40 characters (``Invalid
  'messages[N].tool_calls[0].id': string too long. Expected a string with maximum
  length 40``, code ``string_above_max_length``); vLLM's ids are 46.
- Anthropic takes ``^[A-Za-z0-9_-]+$``; Kimi through OpenRouter sends ``0`` on every
  turn, others ``functions.name:0``.
- Mistral takes exactly 9 alphanumerics.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.core.items import ToolCall, TurnError
from llmx_tui.providers.anthropic.payload import build_payload as anthropic_payload
from llmx_tui.providers.history_ids import openai_id, tool_name
from llmx_tui.providers.openai_chat.payload import build_payload as openai_payload
from tests.conftest import CORPUS
from tests.loopback import openai_text_stream, openai_tool_call_stream
from tests.payload_validators import call, output, said, settings_for, user
from tests.test_switch_support import (
    SwitchSession,
    anthropic_stream,
    gemini_stream,
    openai_reasoning_stream,
    start_session,
)

VLLM_ID = "chatcmpl-tool-9f2c1e7a4b8d4c0e9a6f3b2d1c0e8a7f"
KIMI = CORPUS / "openai-chat__openrouter-kimi-repeated-toolcall__simonw-llm.sse"


@pytest.fixture
def session(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> SwitchSession:
    return start_session(loopback, tmp_path, capsys, monkeypatch)


def call_ids(payload: dict[str, Any]) -> list[str]:
    return [c["id"] for m in payload["messages"] for c in m.get("tool_calls", ())]


def result_ids(payload: dict[str, Any]) -> list[str]:
    return [m["tool_call_id"] for m in payload["messages"] if m["role"] == "tool"]


def saved_call_ids(session: SwitchSession) -> list[str]:
    return [i.call_id for i in session.items if isinstance(i, ToolCall)]


def test_vllm_ids_reach_openai_at_most_40_characters(session: SwitchSession) -> None:
    session.turn(
        "vllm",
        "qwen3",
        "read my notes",
        [
            openai_reasoning_stream(
                "Read it.",
                call=(VLLM_ID, "read_file", '{"path": "notes.txt"}'),
                field_name="reasoning",
            ),
            openai_text_stream("Pelican."),
        ],
    )
    assert len(VLLM_ID) > 40 and saved_call_ids(session) == [VLLM_ID]
    later = session.turn(
        "openai",
        "gpt-4o",
        "read them again",
        [
            openai_tool_call_stream("call_again", "read_file", '{"path": "notes.txt"}'),
            openai_text_stream("Pelican still."),
        ],
    )
    first, second = (call_ids(sent.payload) for sent in later)
    assert all(len(i) <= 40 for i in second), second
    assert first == second[:1], "the same id on every request (prompt caches keep working)"
    assert result_ids(later[1].payload) == second
    assert second[1] == "call_again", "an id OpenAI accepts is sent as it is"
    assert saved_call_ids(session) == [VLLM_ID, "call_again"], "the saved ids are untouched"
    # Back to vLLM: its own long id goes back unchanged.
    back = session.turn("vllm", "qwen3", "thanks", [openai_text_stream("Bye.")])
    assert call_ids(back[0].payload) == [VLLM_ID, "call_again"]


def test_kimi_ids_reused_every_turn_reach_anthropic_and_mistral_distinct(
    session: SwitchSession,
) -> None:
    """Kimi's ``0`` twice (two turns), then Anthropic and Mistral: one id per call."""
    for prompt in ("version?", "version again?"):
        session.turn(
            "openrouter",
            "moonshotai/kimi-k2",
            prompt,
            [KIMI.read_bytes(), openai_text_stream("0.1.")],
        )
    assert saved_call_ids(session) == ["0", "0"]
    anthropic = session.turn(
        "anthropic",
        "claude-a",
        "and the notes?",
        [
            anthropic_stream(calls=(("toolu_x1", "read_file", '{"path": "notes.txt"}'),)),
            anthropic_stream(text="Pelican."),
        ],
    )
    messages = anthropic[1].payload["messages"]
    uses = [b["id"] for m in messages for b in m["content"] if b["type"] == "tool_use"]
    results = [
        b["tool_use_id"] for m in messages for b in m["content"] if b["type"] == "tool_result"
    ]
    assert uses == results and len(set(uses)) == 3
    mistral = session.turn("mistral", "mistral-small", "bye", [openai_text_stream("Bye.")])
    ids = call_ids(mistral[0].payload)
    assert ids == result_ids(mistral[0].payload) and len(set(ids)) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9]{9}", i) for i in ids)
    assert saved_call_ids(session) == ["0", "0", "toolu_x1"]


def test_odd_ids_reach_anthropic_in_its_shape(session: SwitchSession) -> None:
    odd = "functions.read_file:0"
    session.turn(
        "openrouter",
        "moonshotai/kimi-k2",
        "read my notes",
        [
            openai_tool_call_stream(odd, "read_file", '{"path": "notes.txt"}'),
            openai_text_stream("Pelican."),
        ],
    )
    later = session.turn("anthropic", "claude-a", "thanks", [anthropic_stream(text="Welcome.")])
    messages = later[0].payload["messages"]
    [use] = [b for m in messages for b in m["content"] if b["type"] == "tool_use"]
    [result] = [b for m in messages for b in m["content"] if b["type"] == "tool_result"]
    assert use["id"] == result["tool_use_id"] != odd
    assert re.fullmatch(r"[A-Za-z0-9_-]+", use["id"])
    assert saved_call_ids(session) == [odd]


def test_calls_left_at_the_step_limit_are_answered_on_the_next_provider(
    session: SwitchSession,
) -> None:
    """A turn stopped by --max-steps leaves its calls without output; the next provider
    gets them answered (rule 3) and the later turns kept."""
    session.turn(
        "anthropic",
        "claude-a",
        "read my notes",
        [
            anthropic_stream(
                thinking="Read it.",
                signature="~sig-stopped",
                calls=(("toolu_stop", "read_file", '{"path": "notes.txt"}'),),
            )
        ],
        expect_exit=1,
        extra=("--max-steps", "1"),
    )
    assert isinstance(session.items[-1], TurnError)
    later = session.turn("openai", "gpt-4o", "go on", [openai_text_stream("Pelican.")])
    messages = later[0].payload["messages"]
    assert call_ids(later[0].payload) == result_ids(later[0].payload) == ["toolu_stop"]
    [answer] = [m for m in messages if m["role"] == "tool"]
    assert answer["content"].startswith("Tool call did not complete")
    assert messages[-1] == {"role": "user", "content": "go on"}
    gemini = session.turn("gemini", "gemini-3-pro-preview", "and?", [gemini_stream({"text": "x"})])
    contents = gemini[0].payload["contents"]
    responses = [p for c in contents for p in c["parts"] if "functionResponse" in p]
    assert len(responses) == 1 and "~sig-stopped" not in str(contents)


# The fix, on the builder alone -------------------------------------------------------


def long_id_history(*, malformed: bool) -> list[Any]:
    """Two long ids (one 39 characters, suffixed to 41 on its reuse) and, with
    ``malformed``, a call that sends the build down the full pipeline."""
    items: list[Any] = [user("u1", "go")]
    items += [call("c1", VLLM_ID), output("o1", VLLM_ID)]
    reused = "fc_bfb39741-3748-4def-9886-a93fc9c64a90"
    items += [call("c2", reused), output("o2", reused), said("a1", "done")]
    items += [user("u2", "again"), call("c3", reused), output("o3", reused)]
    if malformed:
        items += [call("c4", "bad", arguments='{"path": '), output("o4", "bad")]
    return [*items, said("a2", "done again"), user("u3", "thanks")]


@pytest.mark.parametrize("malformed", [False, True], ids=["fast path", "full pipeline"])
def test_openai_payload_ids_are_at_most_40_characters(malformed: bool) -> None:
    history = long_id_history(malformed=malformed)
    payload, report = openai_payload(history, settings_for("openai", "gpt-4o"))
    ids = call_ids(payload)
    assert len(ids) == 3 and len(set(ids)) == 3
    assert all(len(i) <= 40 for i in ids)
    assert result_ids(payload) == ids
    assert ids[1] == "fc_bfb39741-3748-4def-9886-a93fc9c64a90", "short enough: unchanged"
    changed = [e for e in report if e.rule == "call-id-format"]
    assert [e.item_id for e in changed] == ["c1", "c3"]
    # Derived from the id alone: the next request sends the same ids.
    assert call_ids(openai_payload(history, settings_for("openai", "gpt-4o"))[0]) == ids
    # Other presets send the ids as saved.
    vllm_payload, _ = openai_payload(history, settings_for("vllm", "qwen3"))
    assert call_ids(vllm_payload)[0] == VLLM_ID


def test_openai_id_keeps_short_ids_and_salts_collisions() -> None:
    assert openai_id("call_abc") == "call_abc"
    assert openai_id("x" * 40) == "x" * 40
    long = "y" * 41
    shaped = openai_id(long)
    assert len(shaped) <= 40 and re.fullmatch(r"call_[A-Za-z0-9]{24}", shaped)
    assert openai_id(long, 1) != shaped and len(openai_id(long, 1)) <= 40
    assert openai_id("x" * 40, 1) != "x" * 40


def test_a_tool_name_another_server_allowed_reaches_openai_and_anthropic_in_shape(
    session: SwitchSession,
) -> None:
    """gpt-oss on a local server calls ``repo_browser.open_file`` (a tool nobody
    offered; the call fails and is saved). OpenAI rejects a history name outside
    ``^[a-zA-Z0-9_-]+$`` (``Invalid 'messages[N].tool_calls[0].function.name': string
    does not match pattern``); Anthropic documents the same pattern for tool names, so
    its tool_use blocks get the name in that shape too."""
    odd = "repo_browser.open_file"
    session.turn(
        "openai-compatible",
        "gpt-oss-20b",
        "open the notes",
        [
            openai_tool_call_stream("call_odd", odd, '{"path": "notes.txt"}'),
            openai_text_stream("I could not."),
        ],
    )
    assert [i.name for i in session.items if isinstance(i, ToolCall)] == [odd]
    [openai_sent] = session.turn("openai", "gpt-4o", "try again", [openai_text_stream("Ok.")])
    [name] = [
        c["function"]["name"]
        for m in openai_sent.payload["messages"]
        for c in m.get("tool_calls", ())
    ]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name) and name == tool_name(odd)
    assert name.startswith("repo_browser_open_file_")
    [anthropic_sent] = session.turn("anthropic", "claude-a", "bye", [anthropic_stream(text="Bye.")])
    [use] = [
        b
        for m in anthropic_sent.payload["messages"]
        for b in m["content"]
        if b["type"] == "tool_use"
    ]
    assert use["name"] == tool_name(odd)
    assert [i.name for i in session.items if isinstance(i, ToolCall)] == [odd], "saved as it came"
    # The server that made the call gets its name back as it was.
    [back] = session.turn("openai-compatible", "gpt-oss-20b", "hi", [openai_text_stream("Hi.")])
    names = [
        c["function"]["name"] for m in back.payload["messages"] for c in m.get("tool_calls", ())
    ]
    assert names == [odd]


def test_builders_shape_odd_names_for_openai_and_anthropic_only() -> None:
    history = [
        user("u1", "go"),
        call("c1", "call_1", name="functions.read_file:0"),
        output("o1", "call_1"),
        call("c2", "call_2", name="read_file"),
        output("o2", "call_2"),
        said("a1", "done"),
        user("u2", "bye"),
    ]
    payload, report = openai_payload(history, settings_for("openai", "gpt-4o"))
    names = [c["function"]["name"] for m in payload["messages"] for c in m.get("tool_calls", ())]
    shaped = tool_name("functions.read_file:0")
    assert names == [shaped, "read_file"] and shaped.startswith("functions_read_file_0_")
    assert [e.item_id for e in report if e.rule == "tool-name-format"] == ["c1"]
    payload, report = anthropic_payload(history, settings_for("anthropic", "claude-a"))
    uses = [b["name"] for m in payload["messages"] for b in m["content"] if b["type"] == "tool_use"]
    assert uses == [shaped, "read_file"]
    assert [e.item_id for e in report if e.rule == "tool-name-format"] == ["c1"]
    payload, report = openai_payload(history, settings_for("vllm", "qwen3"))
    names = [c["function"]["name"] for m in payload["messages"] for c in m.get("tool_calls", ())]
    assert names == ["functions.read_file:0", "read_file"]
    long = tool_name("x" * 70)
    assert len(long) == 64 and long.startswith("x" * 55) and long != tool_name("x" * 71)
    # Shaped names never take a real tool's name, nor each other's.
    assert len({tool_name("read.file"), tool_name("read:file"), "read_file"}) == 3
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tool_name(""))
