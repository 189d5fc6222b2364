"""BusApprovalGate over a real EventBus: request out, decision back, cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import ApprovalDecided, ApprovalRequested
from llmx_tui.engine.tools import ApprovalRequest, BusApprovalGate, Decision, execute_tool_call
from tests.test_tools_support import make_registry, tool_call


async def answer_requests(
    bus: EventBus, decisions: list[Decision], seen: list[ApprovalRequested]
) -> None:
    """Plays the UI: answers each ApprovalRequested with the next decision."""
    requests = bus.subscribe(ApprovalRequested)
    try:
        async for event in requests:
            seen.append(event)
            # A decision for some other request first: the gate must ignore it.
            bus.publish(ApprovalDecided(request_id="someone-else", decision="allow_once"))
            bus.publish(ApprovalDecided(request_id=event.request_id, decision=decisions.pop(0)))
            if not decisions:
                return
    finally:
        requests.close()


async def test_round_trip_allow_once_runs_the_command(tmp_path: Path) -> None:
    bus = EventBus()
    seen: list[ApprovalRequested] = []
    ui = asyncio.create_task(answer_requests(bus, ["allow_once"], seen))
    await asyncio.sleep(0)
    call = tool_call("run_shell", {"command": "echo approved"}, call_id="call_42")
    result = await execute_tool_call(
        call, registry=make_registry(tmp_path), approvals=BusApprovalGate(bus)
    )
    await ui
    assert result.status == "done" and result.output.startswith("approved\n")
    [request] = seen
    assert request.call_id == "call_42" and request.name == "run_shell"
    assert request.arguments == call.arguments
    assert request.description.endswith("\necho approved")


async def test_round_trip_deny_and_allow_for_session(tmp_path: Path) -> None:
    bus = EventBus()
    seen: list[ApprovalRequested] = []
    ui = asyncio.create_task(answer_requests(bus, ["deny", "allow_session"], seen))
    await asyncio.sleep(0)
    registry = make_registry(tmp_path)
    gate = BusApprovalGate(bus)

    async def write(name: str) -> str:
        call = tool_call("write_file", {"path": name, "content": "x"})
        return (await execute_tool_call(call, registry=registry, approvals=gate)).status

    assert await write("one.txt") == "denied"
    assert await write("two.txt") == "done"
    await ui
    assert await write("three.txt") == "done"  # remembered: nobody answers any more
    assert len(seen) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["three.txt", "two.txt"]


async def test_cancellation_while_waiting_propagates(tmp_path: Path) -> None:
    bus = EventBus()
    requests = bus.subscribe(ApprovalRequested)
    call = tool_call("write_file", {"path": "never.txt", "content": "x"})
    task = asyncio.create_task(
        execute_tool_call(call, registry=make_registry(tmp_path), approvals=BusApprovalGate(bus))
    )
    await requests.get()  # the question is out; nobody answers
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not (tmp_path / "never.txt").exists()
    # The gate's own subscription is gone: nothing keeps queueing decisions.
    assert len(bus._subscriptions) == 1


async def test_a_closed_bus_means_deny() -> None:
    bus = EventBus()
    gate = BusApprovalGate(bus)
    request = ApprovalRequest(call_id="c", name="run_shell", arguments="{}", description="d")
    decision = asyncio.create_task(gate.authorize(request))
    await asyncio.sleep(0)
    bus.close()
    assert await decision == "deny"


async def test_a_denial_that_asks_to_end_the_turn_is_told_once(tmp_path: Path) -> None:
    bus = EventBus()
    gate = BusApprovalGate(bus)
    requests = bus.subscribe(ApprovalRequested)

    async def answer() -> None:
        event = await requests.get()
        bus.publish(ApprovalDecided(request_id=event.request_id, decision="deny", stop=True))

    ui = asyncio.create_task(answer())
    call = tool_call("run_shell", {"command": "echo no"}, call_id="call_7")
    result = await execute_tool_call(call, registry=make_registry(tmp_path), approvals=gate)
    await ui
    assert result.status == "denied"
    assert gate.take_stop() is True and gate.take_stop() is False
