"""Import a messy history, resume it headless against every preset: the payload is legal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from llmx_tui.core.items import ITEMS_ADAPTER, UserMessage
from llmx_tui.providers.registry import PRESETS
from tests.conftest import CORPUS
from tests.payload_validators import check_against_history, check_payload, settings_for

REPLIES = {
    "openai-chat": "openai-chat__text-include-usage__pydantic-ai.sse",
    "anthropic": "anthropic__text-padded__anthropic-sdk.sse",
    "gemini": "gemini__text-crlf__pydantic-ai.sse",
}


def messy_session(provider: str) -> dict[str, Any]:
    """Malformed, retried, orphaned, parallel and reasoning items, a cancel and an error."""
    mine = {"provider": provider, "model": "m"}
    items = [
        {"type": "user_message", "text": "look at two files"},
        {
            "type": "reasoning",
            "text": "I should read both.",
            **mine,
            "signature": "sig-1",
            "details": [
                {"type": "thinking", "thinking": "I should read both.", "signature": "sig-1"}
            ],
        },
        {
            "type": "tool_call",
            "call_id": "c1",
            "name": "read_file",
            "arguments": '{"path": "a.txt"}',
            **mine,
        },
        {
            "type": "tool_call",
            "call_id": "c2",
            "name": "read_file",
            "arguments": '{"path": "b.txt"}',
            **mine,
        },
        {"type": "tool_output", "call_id": "c1", "output": "contents of a"},
        {"type": "tool_output", "call_id": "c2", "output": "contents of b"},
        {"type": "tool_call", "call_id": "c3", "name": "search_text", "arguments": '{"pattern": '},
        {
            "type": "tool_output",
            "call_id": "c3",
            "output": "arguments were not valid JSON",
            "is_error": True,
        },
        {
            "type": "tool_call",
            "call_id": "c3",
            "name": "search_text",
            "arguments": '{"pattern": "x"}',
        },
        {"type": "tool_output", "call_id": "c3", "output": "no matches"},
        {"type": "assistant_message", "text": "Both files are short.", **mine},
        {"type": "assistant_message", "text": "Both files are short.", **mine},
        {"type": "user_message", "text": "now list the folder"},
        {"type": "tool_call", "call_id": "c4", "name": "list_directory", "arguments": ""},
        {"type": "cancelled"},
        {"type": "user_message", "text": "never mind"},
        {"type": "error", "message": "HTTP 500 from the server"},
        {"type": "user_message", "text": "are you there?"},
        {"type": "assistant_message", "text": "   "},
        {"type": "assistant_message", "text": "Yes."},
    ]
    return {"format": "llmx-tui.session/1", "title": "messy", "items": items}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_resumed_messy_history_sends_a_valid_payload(
    preset: str,
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for spec in PRESETS.values():
        if spec.api_key_env:
            monkeypatch.setenv(spec.api_key_env, "test-key-not-real")
    data = ["--data-dir", str(tmp_path / "data")]
    session_file = tmp_path / "session.json"
    session = messy_session(preset)
    session_file.write_text(json.dumps(session))
    assert main(["sessions", "import", str(session_file), *data]) == 0
    session_id = capsys.readouterr().out.strip()
    dialect = PRESETS[preset].dialect
    loopback.add_corpus(CORPUS / REPLIES[dialect])
    code = main(
        [
            "--resume",
            session_id[:8],
            "--print",
            "one more thing",
            "--provider",
            preset,
            "--base-url",
            loopback.base_url,
            "--model",
            "m",
            "--max-steps",
            "1",
            *data,
        ]
    )
    assert code == 0, capsys.readouterr().err
    payload = loopback.requests[0].json()
    settings = settings_for(preset, model="m")
    view = check_payload(payload, settings)
    imported = ITEMS_ADAPTER.validate_python(session["items"])
    history = [*imported, UserMessage(text="one more thing")]
    check_against_history(view, history, settings)
    assert "test-key-not-real" not in json.dumps(payload)
