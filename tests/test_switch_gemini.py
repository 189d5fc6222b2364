"""Gemini (thoughtSignature on function calls) -> an OpenAI-compatible server -> Gemini,
turn by turn through ``--print --resume``: signatures go back only on their own part,
in their own turn, to their own model; calls from elsewhere reach Gemini legally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.core.items import ToolCall
from llmx_tui.providers.gemini.payload import UNSIGNED_CALL_SIGNATURE
from tests.conftest import CORPUS
from tests.loopback import openai_text_stream, openai_tool_call_stream
from tests.test_switch_support import SwitchSession, gemini_stream, signed_parts, start_session

RECORDED_CALL = CORPUS / "gemini__functioncall-thought-signature__pydantic-ai.sse"
RECORDED_CALL_WITH_ID = CORPUS / "gemini__functioncall-with-id__pydantic-ai.sse"
RECORDED_TEXT = CORPUS / "gemini__text-crlf__pydantic-ai.sse"
GEMINI_3 = "gemini-3-pro-preview"


@pytest.fixture
def session(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> SwitchSession:
    return start_session(loopback, tmp_path, capsys, monkeypatch)


def test_gemini_openai_compatible_gemini(session: SwitchSession) -> None:
    # Turn 1, Gemini 3: the recorded call (no id, signed), then the recorded answer.
    first = session.turn(
        "gemini",
        GEMINI_3,
        "which country am I in?",
        [RECORDED_CALL.read_bytes(), RECORDED_TEXT.read_bytes()],
    )
    [call_1] = [i for i in session.items if isinstance(i, ToolCall)]
    signature_1 = call_1.thought_signature
    assert signature_1 and call_1.call_id  # an id is made up so its output can be paired
    [signed] = signed_parts(first[1].payload)
    assert signed == {
        "functionCall": {"name": "get_country", "args": {}},
        "thoughtSignature": signature_1,
    }

    # Turn 2, an OpenAI-compatible server: Gemini's made-up id pairs call and result,
    # and no signature or reasoning field reaches it.
    second = session.turn(
        "openai-compatible",
        "local-model",
        "read my notes",
        [
            openai_tool_call_stream("call_local_1", "read_file", '{"path": "notes.txt"}'),
            openai_text_stream("They say pelican."),
        ],
    )
    for sent in second:
        assert signature_1 not in json.dumps(sent.payload)
        assert "stream_options" not in sent.payload
    messages = second[1].payload["messages"]
    ids = [c["id"] for m in messages for c in m.get("tool_calls", ())]
    answered = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert ids == answered == [call_1.call_id, "call_local_1"]

    # Turn 3, Gemini 3 again: turn 1's signature belongs to an earlier turn (not sent),
    # the local server's call reaches Gemini as functionCall/functionResponse, and this
    # turn's own signed call goes back on its own part.
    third = session.turn(
        "gemini",
        GEMINI_3,
        "and my user country?",
        [RECORDED_CALL_WITH_ID.read_bytes(), gemini_stream({"text": "Somewhere sunny."})],
    )
    assert signed_parts(third[0].payload) == []
    contents = third[1].payload["contents"]
    calls = [p["functionCall"]["name"] for c in contents for p in c["parts"] if "functionCall" in p]
    assert calls == ["get_country", "read_file", "get_user_country"]
    call_3 = [i for i in session.items if isinstance(i, ToolCall)][-1]
    assert call_3.call_id == "96c1su3s" and call_3.thought_signature
    assert signed_parts(third[1].payload) == [
        {
            "functionCall": {"name": "get_user_country", "args": {}},
            "thoughtSignature": call_3.thought_signature,
        }
    ]
    assert signature_1 not in json.dumps(third[1].payload)


def test_gemini_2_5_signatures_never_reach_gemini_3(
    session: SwitchSession,
) -> None:
    """Gemini 2.5 signs a call and a text part; Gemini 3 then gets neither signature (the
    turn is over) and its own unsigned text turn stays unsigned."""
    signed_text = "~sig-gemini-2.5-text"
    signed_call = "~sig-gemini-2.5-call"
    session.turn(
        "gemini",
        "gemini-2.5-flash",
        "read my notes",
        [
            gemini_stream(
                {
                    "functionCall": {"name": "read_file", "args": {"path": "notes.txt"}},
                    "thoughtSignature": signed_call,
                }
            ),
            gemini_stream({"text": "Pelican.", "thoughtSignature": signed_text}),
        ],
    )
    later = session.turn("gemini", GEMINI_3, "again?", [gemini_stream({"text": "Pelican."})])
    wire = json.dumps(later[0].payload)
    assert signed_text not in wire and signed_call not in wire
    assert UNSIGNED_CALL_SIGNATURE not in wire  # only a current-loop call needs one
