"""What belongs to one session, not to the process: its system prompt, the model it
records, and the last request the payload inspector shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llmx_tui.cli import build_parser
from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.engine.conversation import Conversation
from llmx_tui.paths import history_db_path
from llmx_tui.session_setup import open_conversation as setup_conversation
from llmx_tui.store.async_store import AsyncSessionStore
from tests.loopback import openai_text_stream
from tests.test_conversation import open_conversation, provider


def system_of(request: Any) -> str | None:
    messages = request.json()["messages"]
    return messages[0]["content"] if messages[0]["role"] == "system" else None


async def test_a_new_chat_starts_from_the_default_system_prompt(
    loopback: Any, tmp_path: Path
) -> None:
    for _ in range(2):
        loopback.add_stream(openai_text_stream("ok"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    await conversation.set_system_prompt("Only for this session.")
    assert await conversation.submit("one") == "completed"
    await conversation.new_session()
    assert conversation.system_prompt == "sys"
    assert await conversation.submit("two") == "completed"
    assert [system_of(r) for r in loopback.requests] == ["Only for this session.", "sys"]
    await recorder.close()
    await store.close()


async def test_a_reopened_session_sends_its_own_system_prompt_and_records_the_model(
    loopback: Any, tmp_path: Path
) -> None:
    """What ctrl+s does (ui/wiring.py): another Conversation on the same engine."""
    for _ in range(3):
        loopback.add_stream(openai_text_stream("ok"))
    first, store, recorder = await open_conversation(loopback, tmp_path)
    await first.set_system_prompt("Session A's prompt.")
    assert await first.submit("in A") == "completed"
    assert first.last_request is not None
    saved = await store.create_session(
        title="B", provider="deepseek", model="older-model", system_prompt="Session B's prompt."
    )
    await store.append_items(saved, [UserMessage(text="hi"), AssistantMessage(text="Hello.")])
    info = await store.get_session(saved)
    reopened = Conversation(
        engine=first.engine,
        store=store,
        session_id=saved,
        history=await store.load_history(saved),
        system_prompt=info.system_prompt,
        default_system_prompt=first.default_system_prompt,
        recorded_model=(info.provider, info.model),
    )
    assert reopened.last_request is None  # the engine's last request is session A's
    assert await reopened.submit("in B") == "completed"
    assert system_of(loopback.requests[-1]) == "Session B's prompt."
    assert reopened.last_request is not None
    assert reopened.last_request.payload["messages"][-1]["content"] == "in B"
    # It went to the model chosen now, and the session's record says so.
    assert (await store.get_session(saved)).model == "m"
    await reopened.new_session()
    assert reopened.system_prompt == "sys"  # the default, not session A's or B's
    await recorder.close()
    await store.close()


async def test_resuming_from_the_command_line_uses_the_saved_system_prompt(
    tmp_path: Path,
) -> None:
    store = await AsyncSessionStore.open(history_db_path(str(tmp_path)))
    saved = await store.create_session(
        title="Saved", provider="openai-compatible", model="m", system_prompt="Saved prompt."
    )
    await store.append_items(saved, [UserMessage(text="hi"), AssistantMessage(text="Hello.")])
    await store.close()
    base = ["--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1"]
    base += ["--model", "m", "--data-dir", str(tmp_path), "--no-tools", "--resume", saved]
    for extra, expected in (([], "Saved prompt."), (["--system", "Flag prompt."], "Flag prompt.")):
        setup = await setup_conversation(
            build_parser().parse_args(base + extra), EventBus(), interactive=False
        )
        try:
            conversation = setup.conversation
            assert conversation.system_prompt == expected
            await conversation.new_session()
            assert conversation.system_prompt == (extra[1] if extra else None)
        finally:
            await setup.close()


async def test_a_branch_keeps_the_session_s_system_prompt(loopback: Any, tmp_path: Path) -> None:
    loopback.add_stream(openai_text_stream("ok"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    await conversation.set_system_prompt("Branch me.")
    assert await conversation.submit("q") == "completed"
    await recorder.flush()
    branch = await conversation.branch_before(0)
    assert branch.system_prompt == "Branch me." and branch.default_system_prompt == "sys"
    assert branch.last_request is None
    assert provider(loopback).model == branch.model
    await recorder.close()
    await store.close()


async def test_allow_for_session_ends_with_the_session(loopback: Any, tmp_path: Path) -> None:
    """A tool allowed "for this session" must be asked about again in a new chat and in
    another session opened here; the config's always_allow stays."""
    from llmx_tui.config import Settings
    from llmx_tui.engine.tool_runner import builtin_tool_runner

    settings = Settings.model_validate({"tools": {"always_allow": ["list_directory"]}})
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    runner = builtin_tool_runner(
        settings, conversation.bus, working_dir=tmp_path, interactive=True, auto_approve=False
    )
    conversation.engine.tools = runner
    gate = runner.approvals
    gate.allow_for_session("run_shell")  # what answering "allow for session" does
    assert gate.allowed_for_session == {"run_shell", "list_directory"}
    await conversation.new_session()
    assert gate.allowed_for_session == {"list_directory"}
    gate.allow_for_session("write_file")
    Conversation(engine=conversation.engine, store=store, session_id="another")
    assert gate.allowed_for_session == {"list_directory"}
    await recorder.close()
    await store.close()


async def test_switching_models_is_recorded_when_a_turn_is_sent(
    loopback: Any, tmp_path: Path
) -> None:
    loopback.add_stream(openai_text_stream("ok"))
    loopback.add_stream(openai_text_stream("ok"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    first = conversation.engine.provider
    conversation.resolve = lambda name, model: first.__class__(
        name=first.name, preset=first.preset, base_url=first.base_url, model=model
    )
    assert await conversation.submit("one") == "completed"
    await recorder.flush()  # the turn's last writes, which also move the session's time
    session_id = conversation.session_id
    assert session_id is not None
    before = await store.get_session(session_id)
    await conversation.set_model("other-model")
    after_switch = await store.get_session(session_id)
    assert (after_switch.model, after_switch.updated) == (before.model, before.updated)
    assert await conversation.submit("two") == "completed"
    assert (await store.get_session(session_id)).model == "other-model"
    await recorder.close()
    await store.close()


async def test_a_conversation_made_later_starts_from_the_configured_prompt(
    loopback: Any, tmp_path: Path
) -> None:
    """The engine's options carry the sending session's prompt; a conversation built
    afterwards without an explicit default must not take that as the default."""
    loopback.add_stream(openai_text_stream("ok"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    await conversation.set_system_prompt("Only for this session.")
    assert await conversation.submit("one") == "completed"
    later = Conversation(engine=conversation.engine, store=store)
    assert later.system_prompt == later.default_system_prompt == "sys"
    await recorder.close()
    await store.close()
