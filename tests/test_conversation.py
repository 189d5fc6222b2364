"""Conversation: sessions created on the first prompt, cancel, retry, model switch, persistence."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import ApprovalRequested, TextDelta
from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    Reasoning,
    ToolOutput,
    UserMessage,
)
from llmx_tui.engine.conversation import Conversation
from llmx_tui.engine.tool_runner import RegistryToolRunner
from llmx_tui.engine.tools import (
    ApprovalGate,
    AutoApprove,
    BusApprovalGate,
    PreparedCall,
    PydanticTool,
    ToolContext,
    ToolRegistry,
)
from llmx_tui.engine.turn import TurnEngine, TurnOptions
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.export import session_to_markdown
from llmx_tui.store.recorder import SessionRecorder
from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream, sse_body


def provider(server: Any, preset: str = "deepseek", model: str = "m") -> ResolvedProvider:
    return ResolvedProvider(
        name=preset, preset=get_preset(preset), base_url=server.base_url, model=model, api_key="k"
    )


async def open_conversation(server: Any, tmp_path: Path) -> tuple[Conversation, Any, Any]:
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    bus = EventBus()
    recorder = SessionRecorder(store, bus)
    recorder.start()
    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(idle=5, finish_grace=0.2),
    )
    engine = TurnEngine(
        bus=bus,
        provider=provider(server),
        transport=transport,
        options=TurnOptions(system_prompt="sys"),
    )
    return Conversation(engine=engine, store=store), store, recorder


def reasoning_stream(reasoning: str, text: str) -> bytes:
    return sse_body(
        {"choices": [{"index": 0, "delta": {"reasoning_content": reasoning}}]},
        {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}},
    )


async def test_turns_are_saved_and_a_resumed_session_continues(
    loopback: Any, tmp_path: Path
) -> None:
    loopback.add_stream(reasoning_stream("think", "first answer"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    assert conversation.session_id is None
    assert await conversation.submit("first question") == "completed"
    await recorder.flush()
    session = await store.get_session(conversation.session_id)
    assert session.title == "first question" and session.model == "m"
    saved = await store.load_history(conversation.session_id)
    assert [type(i) for i in saved] == [UserMessage, Reasoning, AssistantMessage]
    assert saved[1].provider == "deepseek" and saved[1].model == "m"
    await recorder.close()
    await store.close()


async def test_cancel_keeps_partial_text_and_the_next_prompt_works(
    loopback: Any, tmp_path: Path
) -> None:
    loopback.add(
        Reply(body=openai_text_stream("slow " * 300, pieces=300), chunk_size=30, delay=0.01)
    )
    loopback.add_stream(openai_text_stream("recovered"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    sub = conversation.bus.subscribe(TextDelta)
    task = asyncio.create_task(conversation.submit("go"))
    await asyncio.wait_for(sub.get(), 5)
    assert conversation.busy
    assert conversation.cancel() is True
    assert await task == "cancelled"
    assert not conversation.busy and conversation.cancel() is False
    assert isinstance(conversation.history[-1], Cancelled)
    assert await conversation.submit("again") == "completed"
    assert conversation.history[-1].text == "recovered"
    await recorder.close()
    await store.close()


async def test_switching_model_stops_replaying_old_reasoning(loopback: Any, tmp_path: Path) -> None:
    loopback.add_stream(reasoning_stream("old model thoughts", "one"))
    loopback.add_stream(openai_text_stream("two"))
    loopback.add_stream(openai_text_stream("three"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    await conversation.submit("q1")
    await conversation.submit("q2")
    # Same deepseek model: reasoning_content is replayed on every assistant message.
    assert loopback.requests[1].json()["messages"][2]["reasoning_content"] == "old model thoughts"
    await conversation.switch_provider(provider(loopback, "deepseek", "other-model"))
    await conversation.submit("q3")
    third = loopback.requests[2].json()
    assert third["model"] == "other-model"
    assert third["messages"][2].get("reasoning_content", "") == ""
    await recorder.flush()
    assert (await store.get_session(conversation.session_id)).model == "other-model"
    await recorder.close()
    await store.close()


async def test_retry_sends_the_last_prompt_again(loopback: Any, tmp_path: Path) -> None:
    loopback.add(Reply(status=400, body=b'{"error": {"message": "nope"}}'))
    loopback.add_stream(openai_text_stream("worked"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    assert await conversation.submit("please") == "failed"
    assert await conversation.retry() == "completed"
    messages = loopback.requests[1].json()["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    assert messages[1]["content"] == "please"
    await recorder.close()
    await store.close()


async def test_set_model_new_session_and_export(
    loopback: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from llmx_tui.config import Settings
    from llmx_tui.providers.resolve import resolve_provider

    loopback.add_stream(openai_text_stream("one"))
    loopback.add_stream(openai_text_stream("two"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    first = conversation.engine.provider

    def resolve(name: str, model: str) -> ResolvedProvider:
        if name == first.name:
            return ResolvedProvider(
                name=name,
                preset=first.preset,
                base_url=first.base_url,
                model=model,
                api_key=first.api_key,
            )
        return resolve_provider(Settings(), provider=name, model=model, base_url=loopback.base_url)

    conversation.resolve = resolve
    await conversation.set_model("qwen3:8b")  # a colon inside an Ollama-style name
    assert (conversation.provider, conversation.model) == ("deepseek", "qwen3:8b")
    await conversation.set_model("ollama:llama3")
    assert (conversation.provider, conversation.model) == ("ollama", "llama3")
    assert await conversation.submit("hello there") == "completed"
    await recorder.flush()
    monkeypatch.chdir(tmp_path)
    exported = await conversation.export()
    assert exported.parent == tmp_path and exported.suffix == ".md"
    text = exported.read_text()
    assert "hello there" in text and "one" in text
    assert (await conversation.export()) != exported  # never overwrites an earlier export
    first_session = conversation.session_id
    await conversation.new_session()
    assert conversation.session_id is None and conversation.history == []
    assert await conversation.submit("fresh start") == "completed"
    assert conversation.session_id != first_session
    assert [m["role"] for m in loopback.requests[-1].json()["messages"]] == ["system", "user"]
    await recorder.close()
    await store.close()


async def test_branch_before_an_earlier_prompt_keeps_the_old_branch(
    loopback: Any, tmp_path: Path
) -> None:
    for text in ("one", "two", "three"):
        loopback.add_stream(openai_text_stream(text))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    await conversation.submit("first")
    await conversation.submit("second")
    await recorder.flush()
    prompts = conversation.earlier_prompts()
    assert [text for _, text in prompts] == ["first", "second"]
    branch = await conversation.branch_before(prompts[1][0])
    assert branch.session_id not in (None, conversation.session_id)
    assert [i.type for i in branch.history] == ["user_message", "assistant_message"]
    assert await branch.submit("second, edited") == "completed"
    await recorder.flush()
    sent = loopback.requests[-1].json()["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == ["first", "second, edited"]
    old = await store.load_history(conversation.session_id)
    new = await store.load_history(branch.session_id)
    assert [i.text for i in old if isinstance(i, UserMessage)] == ["first", "second"]
    assert [i.text for i in new if isinstance(i, UserMessage)] == ["first", "second, edited"]
    assert (await store.get_session(branch.session_id)).title == "first (edited)"
    await recorder.close()
    await store.close()


class _NoArgs(BaseModel):
    pass


class _SlowTool(PydanticTool[_NoArgs]):
    """Needs approval, then works until it is cancelled."""

    name = "slow"
    description = "works for a long time"
    arguments_model: ClassVar[type[BaseModel]] = _NoArgs

    def __init__(self) -> None:
        self.started = asyncio.Event()

    def plan(self, params: _NoArgs, context: ToolContext) -> PreparedCall:
        async def run() -> str:
            self.started.set()
            await asyncio.sleep(30)
            return "finished"

        return PreparedCall("work slowly", needs_approval=True, run=run)


async def _cancel_a_call(
    loopback: Any, tmp_path: Path, gate: Callable[[EventBus], ApprovalGate]
) -> tuple[list[Item], str]:
    """Cancels a turn once its tool call runs, or asks for approval (whichever comes
    first); returns the session as saved and as exported."""
    loopback.add_stream(openai_tool_call_stream("call_slow", "slow", "{}"))
    conversation, store, recorder = await open_conversation(loopback, tmp_path)
    tool = _SlowTool()
    registry = ToolRegistry(tmp_path, tools=[tool])
    conversation.engine.tools = RegistryToolRunner(registry, gate(conversation.bus))
    asked = asyncio.ensure_future(conversation.bus.subscribe(ApprovalRequested).get())
    task = asyncio.create_task(conversation.submit("work"))
    started = asyncio.ensure_future(tool.started.wait())
    await asyncio.wait({asked, started}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
    assert asked.done() != started.done()  # one of them, before the cancel
    asked.cancel()
    started.cancel()
    assert conversation.cancel() is True
    assert await task == "cancelled"
    assert conversation.session_id is not None
    await recorder.flush()
    saved = await store.load_history(conversation.session_id)
    info = await store.get_session(conversation.session_id)
    await recorder.close()
    await store.close()
    return saved, session_to_markdown(info, saved)


async def test_a_call_cancelled_while_its_tool_runs_is_saved_as_cancelled(
    loopback: Any, tmp_path: Path
) -> None:
    saved, markdown = await _cancel_a_call(loopback, tmp_path, lambda bus: AutoApprove())
    assert [item.type for item in saved] == [
        "user_message",
        "tool_call",
        "tool_output",
        "cancelled",
    ]
    output = saved[2]
    assert isinstance(output, ToolOutput)
    assert (output.call_id, output.status, output.is_error) == ("call_slow", "cancelled", True)
    assert "**Tool output** (id `call_slow`, cancelled)" in markdown


async def test_a_call_cancelled_while_it_waits_for_approval_is_saved_as_not_run(
    loopback: Any, tmp_path: Path
) -> None:
    saved, _ = await _cancel_a_call(loopback, tmp_path, BusApprovalGate)  # nobody answers
    # No output: the call never ran, and the payload answers it (PAYLOAD-RULES rule 3).
    assert [item.type for item in saved] == ["user_message", "tool_call", "cancelled"]
