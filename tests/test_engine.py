"""The turn engine against the loopback server: steps, tools, failures, cancel, max steps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import (
    ItemDone,
    ResponseCompleted,
    TextDelta,
    ToolFinished,
    ToolRunning,
    TurnCancelled,
    TurnCompleted,
    TurnFailed,
)
from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    ToolCall,
    ToolOutput,
    ToolStatus,
    TurnError,
    UserMessage,
)
from llmx_tui.engine.tool_runner import RegistryToolRunner
from llmx_tui.engine.tools import AutoApprove, ToolRegistry, ToolResult
from llmx_tui.engine.turn import (
    MALFORMED_STEPS,
    NOT_RUN_OUTPUT,
    ToolRunner,
    TurnEngine,
    TurnOptions,
)
from llmx_tui.providers.base import ToolSpec
from llmx_tui.providers.history_model import CANCELLED_OUTPUT
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream


class EchoTools:
    """A tool runner double: one tool that echoes, optionally slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.calls: list[ToolCall] = []
        self.delay = delay

    def specs(self) -> tuple[ToolSpec, ...]:
        return (
            ToolSpec(
                "echo",
                "Echo the text back.",
                {
                    "type": "object",
                    "properties": {"text": {"type": "string"}},
                    "required": ["text"],
                },
            ),
        )

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        self.calls.append(call)
        on_start()
        await asyncio.sleep(self.delay)
        return ToolResult("echo: " + json.loads(call.arguments)["text"], False, "done")

    def stop_requested(self) -> bool:
        return False

    def forget_session(self) -> None:
        pass


def engine_for(
    server: Any, bus: EventBus, tools: ToolRunner | None = None, **options: Any
) -> TurnEngine:
    provider = ResolvedProvider(
        name="openai-compatible",
        preset=get_preset("openai-compatible"),
        base_url=server.base_url,
        model="m",
    )
    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=2, base_delay=0.01),
        timeouts=Timeouts(idle=5, finish_grace=0.2),
    )
    return TurnEngine(
        bus=bus, provider=provider, transport=transport, tools=tools, options=TurnOptions(**options)
    )


def kinds(history: list[Item]) -> list[str]:
    return [item.type for item in history]


async def test_two_step_tool_loop_sends_the_exact_second_request(loopback: Any) -> None:
    loopback.add_stream(openai_tool_call_stream("call_1", "echo", '{"text": "hi"}'))
    loopback.add_stream(openai_text_stream("The tool said hi."))
    bus = EventBus()
    sub = bus.subscribe()
    history: list[Item] = []
    tools = EchoTools()
    ending = await engine_for(loopback, bus, tools, system_prompt="Be brief.").run_turn(
        history, "Say hi via the tool"
    )
    assert ending == "completed"
    assert kinds(history) == ["user_message", "tool_call", "tool_output", "assistant_message"]
    assert isinstance(history[2], ToolOutput) and history[2].status == "done"
    assert loopback.requests[1].json() == {
        "model": "m",
        "stream": True,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Say hi via the tool"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "echo", "arguments": '{"text": "hi"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "echo: hi"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "echo",
                    "description": "Echo the text back.",
                    "parameters": {
                        "type": "object",
                        "properties": {"text": {"type": "string"}},
                        "required": ["text"],
                    },
                },
            }
        ],
    }
    events = sub.drain()
    types = [e.type for e in events]
    assert types.count("response_completed") == 2
    assert types.index("tool_running") < types.index("tool_finished")
    assert isinstance(events[-1], TurnCompleted)
    assert [e.item.type for e in events if isinstance(e, ItemDone)] == kinds(history)


async def test_max_steps_one_reports_tool_calls_without_running_them(loopback: Any) -> None:
    loopback.add_stream(openai_tool_call_stream("call_9", "echo", '{"text": "x"}'))
    bus = EventBus()
    sub = bus.subscribe()
    history: list[Item] = []
    tools = EchoTools()
    ending = await engine_for(loopback, bus, tools, max_steps=1).run_turn(history, "go")
    assert ending == "failed"
    assert tools.calls == [] and len(loopback.requests) == 1
    events = sub.drain()
    [completed] = [e for e in events if isinstance(e, ResponseCompleted)]
    assert completed.tool_calls[0].name == "echo"
    [failed] = [e for e in events if isinstance(e, TurnFailed)]
    assert failed.error.kind == "max_steps" and "--max-steps" in failed.error.message
    assert not any(isinstance(e, ToolRunning) for e in events)
    # The call is shown as not run, not left waiting; no output is recorded for it.
    [finished] = [e for e in events if isinstance(e, ToolFinished)]
    assert (finished.call_id, finished.status, finished.output) == (
        "call_9",
        "not_run",
        NOT_RUN_OUTPUT,
    )
    assert not any(isinstance(item, ToolOutput) for item in history)


class StrictTools(EchoTools):
    """EchoTools that skips a call whose arguments are not a JSON object, as the real
    runner does (``engine.tools.execute``)."""

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        try:
            json.loads(call.arguments)
        except ValueError:
            return ToolResult("Error: the arguments were not valid JSON", True, "skipped")
        return await super().run(call, on_start)


async def test_a_model_that_keeps_sending_malformed_arguments_is_stopped(loopback: Any) -> None:
    """Malformed calls are left out of the request (rule 2), so the next request is the
    same one again: the turn stops after MALFORMED_STEPS of them, not after 25 steps."""
    for _ in range(MALFORMED_STEPS + 3):
        loopback.add_stream(openai_tool_call_stream("call_b", "echo", '{"text": "cut'))
    bus = EventBus()
    sub = bus.subscribe()
    history: list[Item] = []
    ending = await engine_for(loopback, bus, StrictTools()).run_turn(history, "go")
    assert ending == "failed"
    assert len(loopback.requests) == MALFORMED_STEPS
    [failed] = [e for e in sub.drain() if isinstance(e, TurnFailed)]
    assert failed.error.kind == "malformed_calls"
    assert f"{MALFORMED_STEPS} times in a row the model called echo" in failed.error.message
    assert isinstance(history[-1], TurnError)


async def test_a_malformed_call_then_a_whole_one_goes_on(loopback: Any) -> None:
    for _ in range(MALFORMED_STEPS - 1):
        loopback.add_stream(openai_tool_call_stream("call_b", "echo", '{"text": "cut'))
    loopback.add_stream(openai_tool_call_stream("call_c", "echo", '{"text": "whole"}'))
    for _ in range(MALFORMED_STEPS - 1):
        loopback.add_stream(openai_tool_call_stream("call_d", "echo", '{"text": "cut'))
    loopback.add_stream(openai_text_stream("Done."))
    tools = StrictTools()
    ending = await engine_for(loopback, EventBus(), tools).run_turn([], "go")
    assert ending == "completed"
    assert [call.call_id for call in tools.calls] == ["call_c"]
    assert len(loopback.requests) == 2 * MALFORMED_STEPS


async def test_provider_error_keeps_partial_text_and_records_the_error(loopback: Any) -> None:
    loopback.add(Reply(status=400, body=b'{"error": {"message": "bad model"}}'))
    bus = EventBus()
    sub = bus.subscribe()
    history: list[Item] = []
    ending = await engine_for(loopback, bus).run_turn(history, "hello")
    assert ending == "failed"
    assert isinstance(history[-1], TurnError) and "bad model" in history[-1].message
    [failed] = [e for e in sub.drain() if isinstance(e, TurnFailed)]
    assert failed.error.kind == "http" and failed.error.status == 400


async def test_cancel_mid_stream_keeps_the_partial_reply_marked_cancelled(loopback: Any) -> None:
    loopback.add(
        Reply(body=openai_text_stream("token " * 500, pieces=500), chunk_size=40, delay=0.01)
    )
    bus = EventBus()
    sub = bus.subscribe()
    history: list[Item] = []
    task = asyncio.create_task(engine_for(loopback, bus).run_turn(history, "long please"))
    streamed = ""
    while not streamed:
        await asyncio.sleep(0.01)
        streamed = "".join(e.text for e in sub.drain() if isinstance(e, TextDelta))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert kinds(history) == ["user_message", "assistant_message", "cancelled"]
    assert history[1].text.startswith("token") and len(history[1].text) < len("token " * 500)
    assert [e for e in sub.drain() if isinstance(e, TurnCancelled)]


async def test_cancel_mid_tool_saves_the_call_as_cancelled_and_the_next_turn_goes_on(
    loopback: Any,
) -> None:
    loopback.add_stream(openai_tool_call_stream("call_slow", "echo", '{"text": "zz"}'))
    loopback.add_stream(openai_text_stream("answered"))
    bus = EventBus()
    sub = bus.subscribe(ToolRunning)
    history: list[Item] = []
    engine = engine_for(loopback, bus, EchoTools(delay=30))
    task = asyncio.create_task(engine.run_turn(history, "use the tool"))
    await asyncio.wait_for(sub.get(), 5)
    await asyncio.sleep(0.05)  # the tool is at work
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert kinds(history) == ["user_message", "tool_call", "tool_output", "cancelled"]
    output = history[2]
    assert isinstance(output, ToolOutput)
    assert (output.call_id, output.status, output.is_error) == ("call_slow", "cancelled", True)
    # The next turn sends the call answered as cancelled (what rule 3 gave it when no
    # output was saved) and keeps everything.
    assert await engine.run_turn(history, "and now?") == "completed"
    messages = loopback.requests[-1].json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "user"]
    assert messages[2] == {"role": "tool", "tool_call_id": "call_slow", "content": CANCELLED_OUTPUT}


class ApprovalWaitTools(EchoTools):
    """Waits for an approval that never comes: the tool itself never starts."""

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        self.calls.append(call)
        await asyncio.sleep(30)
        raise AssertionError("never approved")


async def test_cancel_while_a_call_waits_for_approval_leaves_it_not_run(loopback: Any) -> None:
    loopback.add_stream(openai_tool_call_stream("call_w", "echo", '{"text": "zz"}'))
    loopback.add_stream(openai_text_stream("answered"))
    bus = EventBus()
    sub = bus.subscribe(ToolRunning)
    history: list[Item] = []
    engine = engine_for(loopback, bus, ApprovalWaitTools())
    task = asyncio.create_task(engine.run_turn(history, "use the tool"))
    await asyncio.wait_for(sub.get(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # Nothing ran: no output is saved; the builder answers the orphan (rule 3).
    assert kinds(history) == ["user_message", "tool_call", "cancelled"]
    assert await engine.run_turn(history, "and now?") == "completed"
    messages = loopback.requests[-1].json()["messages"]
    assert messages[2] == {"role": "tool", "tool_call_id": "call_w", "content": CANCELLED_OUTPUT}


async def test_engine_publishes_tool_finished_with_status(loopback: Any) -> None:
    loopback.add_stream(openai_tool_call_stream("c1", "echo", '{"text": "a"}'))
    loopback.add_stream(openai_text_stream("ok"))
    bus = EventBus()
    sub = bus.subscribe(ToolFinished)
    history: list[Item] = []
    await engine_for(loopback, bus, EchoTools()).run_turn(history, "x")
    [finished] = sub.drain()
    assert finished.status == "done" and finished.output == "echo: a"
    assert isinstance(history[2], ToolOutput) and history[2].call_id == "c1"
    assert isinstance(history[0], UserMessage) and isinstance(history[-1], AssistantMessage)
    assert not any(isinstance(i, Cancelled) for i in history)


async def test_an_unexpected_bug_ends_the_turn_with_a_failure_not_a_crash(loopback: Any) -> None:
    class BrokenTools(EchoTools):
        async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
            raise KeyError("boom")

    loopback.add_stream(openai_tool_call_stream("c1", "echo", '{"text": "a"}'))
    bus = EventBus()
    sub = bus.subscribe(TurnFailed)
    history: list[Item] = []
    ending = await engine_for(loopback, bus, BrokenTools()).run_turn(history, "x")
    assert ending == "failed"
    [failed] = sub.drain()
    assert failed.error.kind == "internal" and "KeyError" in failed.error.message
    assert isinstance(history[-1], TurnError)


class DenyAndStopTools(EchoTools):
    """The user denies the call and asks to end the turn (what 'c' in the dialog does)."""

    def __init__(self) -> None:
        super().__init__()
        self.stop = False

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        self.calls.append(call)
        self.stop = True
        return ToolResult("The user denied this call.", True, "denied")

    def stop_requested(self) -> bool:
        stop, self.stop = self.stop, False
        return stop


async def test_a_denial_that_ends_the_turn_records_the_denial_then_cancels(loopback: Any) -> None:
    loopback.add_stream(openai_tool_call_stream("call_x", "echo", '{"text": "x"}'))
    loopback.add_stream(openai_text_stream("never asked for"))
    bus = EventBus()
    sub = bus.subscribe()
    history: list[Item] = []
    ending = await engine_for(loopback, bus, DenyAndStopTools()).run_turn(history, "go")
    assert ending == "cancelled"
    assert len(loopback.requests) == 1  # no step after the denial
    assert kinds(history) == ["user_message", "tool_call", "tool_output", "cancelled"]
    output = history[2]
    assert isinstance(output, ToolOutput) and output.status == "denied"
    assert isinstance(sub.drain()[-1], TurnCancelled)


@pytest.mark.parametrize("status", get_args(ToolStatus))
def test_every_status_a_tool_run_gives_can_be_published_and_saved(status: ToolStatus) -> None:
    result = ToolResult("out", status != "done", status)
    call = ToolCall(call_id="c1", name="echo", arguments="{}", turn=3)
    finished = ToolFinished(call_id="c1", name="echo", output="out", status=result.status)
    assert finished.status == status
    item = result.as_item(call)
    assert (item.call_id, item.output, item.is_error, item.status, item.turn) == (
        "c1",
        "out",
        status != "done",
        status,
        3,
    )


def test_the_tools_protocol_declares_every_method_the_engine_and_conversation_call(
    tmp_path: Path,
) -> None:
    """They are called directly (no getattr probing), so the protocol must name them all
    and the real runner must have them."""
    declared = {name for name in vars(ToolRunner) if not name.startswith("_")}
    assert declared == {"specs", "run", "stop_requested", "forget_session"}
    runner = RegistryToolRunner(ToolRegistry(tmp_path), AutoApprove())
    assert all(callable(getattr(runner, name)) for name in declared)
    assert runner.stop_requested() is False
