"""A resumed session's token totals start from what it had used before."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmx_tui.cli import build_parser
from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import Usage
from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.paths import history_db_path
from llmx_tui.session_setup import DeferredConversation, open_conversation
from llmx_tui.store.async_store import AsyncSessionStore


async def saved_session(data_dir: Path) -> str:
    store = await AsyncSessionStore.open(history_db_path(str(data_dir)))
    session_id = await store.create_session(
        title="Saved", provider="openai-compatible", model="m", system_prompt=None
    )
    await store.append_items(session_id, [UserMessage(text="hi"), AssistantMessage(text="Hello.")])
    await store.add_usage(session_id, Usage(input_tokens=1200, output_tokens=300))
    await store.add_usage(session_id, Usage(input_tokens=800, output_tokens=200))
    await store.close()
    return session_id


@pytest.mark.parametrize("defer_engine", [True, False], ids=["deferred", "built"])
async def test_resuming_carries_the_session_s_saved_usage(
    tmp_path: Path, defer_engine: bool
) -> None:
    session_id = await saved_session(tmp_path)
    argv = ["--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1"]
    argv += ["--model", "m", "--data-dir", str(tmp_path), "--no-tools", "--resume", session_id]
    setup = await open_conversation(
        build_parser().parse_args(argv), EventBus(), interactive=True, defer_engine=defer_engine
    )
    try:
        conversation = setup.conversation
        assert isinstance(conversation, DeferredConversation) == defer_engine
        expected = Usage(input_tokens=2000, output_tokens=500)
        assert conversation.saved_usage == expected
        if defer_engine:
            assert not conversation.built  # read without building the engine
            assert conversation.finish().saved_usage == expected
        await conversation.new_session()  # a new chat starts from nothing
        assert conversation.saved_usage == Usage()
    finally:
        await setup.close()


async def test_a_new_session_has_no_saved_usage(tmp_path: Path) -> None:
    argv = ["--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1"]
    argv += ["--model", "m", "--data-dir", str(tmp_path), "--no-tools"]
    setup = await open_conversation(build_parser().parse_args(argv), EventBus(), interactive=True)
    try:
        assert setup.conversation.saved_usage == Usage()
    finally:
        await setup.close()
