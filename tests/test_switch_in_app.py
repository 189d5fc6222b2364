"""Switching models inside one running conversation, as F4 and ``/model`` do: the same
in-memory history goes to Anthropic, then OpenAI, then Gemini, then back; every request
is legal, nothing opaque crosses to another model, the history in memory and in the store
stays as it was, and the session's record names the model its next turn goes to."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui import paths
from llmx_tui.cli import build_parser
from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import Reasoning, ToolCall
from llmx_tui.providers.registry import PRESETS
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.session_setup import open_conversation
from llmx_tui.store.sqlite import SessionStore
from tests.loopback import openai_text_stream, openai_tool_call_stream
from tests.test_switch_support import (
    KEYS,
    Sent,
    anthropic_stream,
    check_request,
    dumped,
    gemini_stream,
    request_histories,
    settings_of,
    thinking_blocks,
    with_keys,
)

SIG = "~sig-claude-in-app"
GEMINI_SIG = "~sig-gemini-in-app"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    with_keys(monkeypatch)
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "notes.txt").write_text("the secret word is pelican\n")
    monkeypatch.chdir(folder)
    return tmp_path


def provider_at(name: str, model: str, base_url: str) -> ResolvedProvider:
    key_env = PRESETS[name].api_key_env
    return ResolvedProvider(
        name=name,
        preset=PRESETS[name],
        base_url=base_url,
        model=model,
        api_key=KEYS.get(key_env or "", None),
    )


async def test_switching_in_one_conversation(loopback: Any, work: Path) -> None:
    data = work / "data"
    config = work / "config.toml"
    config.write_text('reasoning_effort = "medium"\n')
    flags = ["--provider", "anthropic", "--model", "claude-a", "--base-url", loopback.base_url]
    args = build_parser().parse_args(
        [*flags, "--data-dir", str(data), "--config", str(config), "--yes"]
    )
    setup = await open_conversation(args, EventBus(), interactive=False)
    conversation = setup.conversation
    plan = [
        (
            None,
            "read my notes",
            [
                anthropic_stream(
                    thinking="Read them.",
                    signature=SIG,
                    calls=(("toolu_app1", "read_file", '{"path": "notes.txt"}'),),
                ),
                anthropic_stream(text="Pelican."),
            ],
        ),
        (
            provider_at("openai", "gpt-4o", loopback.base_url),
            "again",
            [
                openai_tool_call_stream("call_app2", "read_file", '{"path": "notes.txt"}'),
                openai_text_stream("Pelican again."),
            ],
        ),
        (
            provider_at("gemini", "gemini-3-pro-preview", loopback.base_url),
            "once more",
            [
                gemini_stream(
                    {
                        "functionCall": {"name": "read_file", "args": {"path": "notes.txt"}},
                        "thoughtSignature": GEMINI_SIG,
                    }
                ),
                gemini_stream({"text": "Pelican, thrice."}),
            ],
        ),
        (
            dataclasses.replace(setup.provider, model="claude-b"),
            "thanks",
            [anthropic_stream(text="Welcome.")],
        ),
    ]
    sent_per_turn: list[list[Sent]] = []
    try:
        for switch_to, prompt, replies in plan:
            if switch_to is not None:
                await conversation.switch_provider(switch_to)
            before = list(conversation.history)
            snapshot = dumped(before)
            seen = len(loopback.requests)
            for body in replies:
                loopback.add_stream(body)
            assert await conversation.submit(prompt) == "completed"
            assert not await conversation.save_failures()
            after = conversation.history
            assert dumped(after[: len(before)]) == snapshot, "the history in memory is unchanged"
            received = loopback.requests[seen:]
            histories = request_histories(before, after, len(received))
            settings = settings_of(conversation.provider, conversation.model)
            sent = [Sent(r.json(), r.path, h) for r, h in zip(received, histories, strict=True)]
            for one in sent:
                check_request(one, settings)
            sent_per_turn.append(sent)
        session_id = conversation.session_id
        history = list(conversation.history)
    finally:
        await setup.close()

    anthropic_loop, openai_turn, gemini_turn, last = sent_per_turn
    assert thinking_blocks(anthropic_loop[1].payload)[0]["signature"] == SIG
    for sent in openai_turn:
        assert SIG not in json.dumps(sent.payload)
    signed = [
        p for c in gemini_turn[1].payload["contents"] for p in c["parts"] if "thoughtSignature" in p
    ]
    assert signed == [
        {
            "functionCall": {"name": "read_file", "args": {"path": "notes.txt"}},
            "thoughtSignature": GEMINI_SIG,
        }
    ]
    wire = json.dumps(last[0].payload)
    assert SIG not in wire and GEMINI_SIG not in wire and thinking_blocks(last[0].payload) == []
    # Each item names the model that made it; the store holds exactly what memory holds.
    owners = [(i.provider, i.model) for i in history if isinstance(i, (Reasoning, ToolCall))]
    assert owners == [
        ("anthropic", "claude-a"),
        ("anthropic", "claude-a"),
        ("openai", "gpt-4o"),
        ("gemini", "gemini-3-pro-preview"),
    ]
    with SessionStore.open(paths.history_db_path(str(data))) as store:
        assert session_id is not None
        assert dumped(store.load_items(session_id)) == dumped(history)
        info = store.get_session(session_id)
    assert (info.provider, info.model) == ("anthropic", "claude-b")
