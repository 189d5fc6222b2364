"""A tool call's duration is the tool's own run, not the time the user took to approve it:
an approved call showed "done · 2.7s" that was mostly the user's thinking time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import ToolFinished
from llmx_tui.core.items import Item
from llmx_tui.engine.tool_runner import RegistryToolRunner
from llmx_tui.engine.tools import ToolRegistry
from llmx_tui.engine.tools.approval import ApprovalGate, ApprovalRequest, Decision
from llmx_tui.engine.tools.base import PreparedCall, Tool, ToolContext
from llmx_tui.engine.turn import TurnEngine
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from tests.loopback import openai_text_stream, openai_tool_call_stream

THINKING = 40.0  # what the user takes to answer the approval, on the test's clock
WORKING = 2.5  # what the tool takes to run


class Clock:
    """Moves only when told: durations are exact, and nothing is timed for real."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ThinkingUser(ApprovalGate):
    """Answers each approval after thinking a while."""

    def __init__(self, clock: Clock, answer: Decision) -> None:
        super().__init__()
        self.clock = clock
        self.answer = answer
        self.asked: list[str] = []

    async def decide(self, request: ApprovalRequest) -> Decision:
        self.asked.append(request.name)
        self.clock.now += THINKING
        return self.answer


class SlowStep(Tool):
    """A tool that needs approval and takes WORKING seconds to run."""

    name = "slow_step"
    description = "Takes a while."

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    @property
    def parameters(self) -> dict[str, Any]:
        return {"type": "object", "properties": {}}

    def prepare(self, arguments: dict[str, Any], context: ToolContext) -> PreparedCall:
        async def run() -> str:
            self.clock.now += WORKING
            return "step done"

        return PreparedCall("take a slow step", needs_approval=True, run=run)


async def run_one_call(loopback: Any, tmp_path: Path, answer: Decision) -> ToolFinished:
    loopback.add_stream(openai_tool_call_stream("call_1", "slow_step", "{}"))
    loopback.add_stream(openai_text_stream("Done."))
    clock = Clock()
    user = ThinkingUser(clock, answer)
    tools = RegistryToolRunner(ToolRegistry(tmp_path, tools=[SlowStep(clock)]), user)
    provider = ResolvedProvider(
        name="openai-compatible",
        preset=get_preset("openai-compatible"),
        base_url=loopback.base_url,
        model="m",
    )
    bus = EventBus()
    finished = bus.subscribe(ToolFinished)
    async with httpx.AsyncClient() as client:
        transport = Transport(
            client, retry=RetryPolicy(max_attempts=1), timeouts=Timeouts(idle=5, finish_grace=0.2)
        )
        engine = TurnEngine(
            bus=bus, provider=provider, transport=transport, tools=tools, clock=clock
        )
        history: list[Item] = []
        assert await engine.run_turn(history, "take a step") == "completed"
    assert user.asked == ["slow_step"]
    [event] = finished.drain()
    assert isinstance(event, ToolFinished)
    return event


async def test_an_approved_call_lasts_as_long_as_the_tool_ran(
    loopback: Any, tmp_path: Path
) -> None:
    event = await run_one_call(loopback, tmp_path, "allow_once")
    assert event.status == "done"
    assert event.duration == WORKING  # not THINKING + WORKING


async def test_a_denied_call_never_ran_and_has_no_duration(loopback: Any, tmp_path: Path) -> None:
    event = await run_one_call(loopback, tmp_path, "deny")
    assert event.status == "denied"
    assert event.duration == 0.0
