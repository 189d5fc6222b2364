"""A turn that ends on tool results (the step limit, a failed step) continued on Mistral.

Mistral rejects a user message right after tool messages: ``Unexpected role 'user'
after role 'tool'`` (``invalid_request_message_order``, code 3230); it wants an assistant
message between them. Other OpenAI-style servers take the shape as it is.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from llmx_tui.providers.openai_chat.payload import BRIDGE_TEXT
from llmx_tui.providers.openai_chat.payload import build_payload as openai_payload
from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream
from tests.payload_validators import call, output, said, settings_for, user
from tests.test_switch_support import SwitchSession, anthropic_stream, start_session


@pytest.fixture
def session(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> SwitchSession:
    return start_session(loopback, tmp_path, capsys, monkeypatch)


def roles(payload: dict[str, Any]) -> list[str]:
    return [m["role"] for m in payload["messages"]]


def no_user_after_tool(payload: dict[str, Any]) -> bool:
    kinds = roles(payload)
    return ("tool", "user") not in set(pairwise(kinds))


def test_a_turn_stopped_at_the_step_limit_continues_on_mistral(session: SwitchSession) -> None:
    session.turn(
        "anthropic",
        "claude-a",
        "read my notes",
        [anthropic_stream(calls=(("toolu_s1", "read_file", '{"path": "notes.txt"}'),))],
        expect_exit=1,
        extra=("--max-steps", "1"),
    )
    [sent] = session.turn("mistral", "mistral-large-latest", "go on", [openai_text_stream("Ok.")])
    assert no_user_after_tool(sent.payload), roles(sent.payload)
    assert roles(sent.payload) == ["user", "assistant", "tool", "assistant", "user"]
    assert sent.payload["messages"][3] == {"role": "assistant", "content": BRIDGE_TEXT}
    # OpenAI takes the shape as it is: nothing made up there.
    [plain] = session.turn("openai", "gpt-4o", "and now?", [openai_text_stream("Ok.")])
    assert BRIDGE_TEXT not in str(plain.payload)


def test_a_step_that_failed_after_tools_continues_on_mistral(session: SwitchSession) -> None:
    """OpenAI ran a tool, then its next step failed (HTTP 500): the saved turn ends on the
    tool's output; Mistral gets the next turn."""
    session.loopback.add_stream(
        openai_tool_call_stream("call_f1", "read_file", '{"path": "notes.txt"}'),
    )
    failing = Reply(
        status=400, body=b'{"error": {"message": "bad"}}', content_type="application/json"
    )
    session.loopback.add(failing)
    flags = ["--provider", "openai", "--model", "gpt-4o", "--base-url", session.loopback.base_url]
    code = main(["--print", "read", "--yes", *flags, "--data-dir", str(session.folder)])
    session.capsys.readouterr()
    assert code == 1
    session.items = session._saved()
    seen = len(session.loopback.requests)
    sent = session.turn("mistral", "mistral-small", "try again", [openai_text_stream("Ok.")])
    assert len(session.loopback.requests) == seen + 1
    assert no_user_after_tool(sent[0].payload), roles(sent[0].payload)


def test_builder_bridges_tool_then_user_only_for_mistral() -> None:
    history = [
        user("u1", "go"),
        call("c1", "call_1"),
        output("o1", "call_1"),
        user("u2", "and?"),
        said("a1", "Fine."),
        user("u3", "bye"),
    ]
    payload, report = openai_payload(history, settings_for("mistral", "mistral-small"))
    assert roles(payload) == ["user", "assistant", "tool", "assistant", "user", "assistant", "user"]
    assert payload["messages"][3] == {"role": "assistant", "content": BRIDGE_TEXT}
    [entry] = [e for e in report if e.rule == "tool-then-user"]
    assert (entry.item_id, entry.action) == ("u2", "synthesised")
    for provider in ("openai", "deepseek", "groq", "openai-compatible"):
        payload, report = openai_payload(history, settings_for(provider, "m"))
        assert roles(payload) == ["user", "assistant", "tool", "user", "assistant", "user"]
        assert not [e for e in report if e.rule == "tool-then-user"]


def test_results_then_a_prompt_on_anthropic_with_thinking_on(
    session: SwitchSession, tmp_path: Path
) -> None:
    """OpenAI's turn stopped on its calls; Anthropic, thinking on, gets the next prompt:
    results first in the user message, and thinking off for that request (the assistant
    message before the results has no signed thinking to open with)."""
    config = tmp_path / "thinking.toml"
    config.write_text('reasoning_effort = "high"\n')
    session.turn(
        "openai",
        "gpt-4o",
        "read my notes",
        [openai_tool_call_stream("call_t1", "read_file", '{"path": "notes.txt"}')],
        expect_exit=1,
        extra=("--max-steps", "1"),
    )
    session.config = config
    [sent] = session.turn("anthropic", "claude-a", "go on", [anthropic_stream(text="Ok.")])
    last = sent.payload["messages"][-1]["content"]
    assert [b["type"] for b in last] == ["tool_result", "text"]
    assert last[0]["tool_use_id"] == "call_t1" and last[1]["text"] == "go on"
    assert "thinking" not in sent.payload
    # The next prompt, after a text answer: thinking is on again.
    [again] = session.turn("anthropic", "claude-a", "more", [anthropic_stream(text="Ok.")])
    assert again.payload["thinking"]["type"] == "enabled"
