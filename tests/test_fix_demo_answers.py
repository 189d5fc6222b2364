"""`--demo`: the answer after its tool call says what happened to the call. It always
said "The command ran and printed:" and "you approved it", even when it was denied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from llmx_tui.core.bus import EventBus
from llmx_tui.demo.script import reply_for
from llmx_tui.demo.server import DemoServer, demo_provider
from llmx_tui.demo.tool_answer import tool_outcome
from llmx_tui.engine.conversation import Conversation
from llmx_tui.engine.tool_runner import RegistryToolRunner
from llmx_tui.engine.tools.approval import ApprovalRequest, AutoDeny, BusApprovalGate
from llmx_tui.engine.tools.registry import ToolRegistry
from llmx_tui.engine.turn import TurnEngine
from llmx_tui.providers.history_model import CANCELLED_OUTPUT, INTERRUPTED_OUTPUT
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from tests.ui_helpers import screen_text, wait_for

RAN = "ran and printed"
APPROVED = "approved"

SHELL_REQUEST = ApprovalRequest(
    call_id="c1", name="run_shell", arguments="{}", description="echo hi"
)


def answer_for(tool_output: str) -> str:
    """The demo's answer text, read back from its SSE stream."""
    request = {
        "messages": [
            {"role": "user", "content": "one"},
            {"role": "user", "content": "two"},
            {"role": "tool", "tool_call_id": "call_demo_1", "content": tool_output},
        ]
    }
    text = ""
    for event in reply_for(request).split(b"\n\n"):
        data = event.removeprefix(b"data: ")
        if data and data != b"[DONE]":
            text += json.loads(data)["choices"][0]["delta"].get("content") or ""
    return text


@pytest.mark.parametrize(
    ("output", "outcome"),
    [
        (BusApprovalGate(EventBus()).denial_message(SHELL_REQUEST), "denied"),
        (AutoDeny().denial_message(SHELL_REQUEST), "denied"),
        ("Error: run_shell failed: OSError: no shell", "failed"),
        ("sh: nosuch: not found\n[exit code 127]", "failed"),
        ("half of it\n[killed by signal 9]", "failed"),
        (CANCELLED_OUTPUT, "unfinished"),
        (INTERRUPTED_OUTPUT, "unfinished"),
        ("hello from a harmless demo tool\nLinux\n[exit code 0]", "ran"),
        # A command's own output that talks of denial still ran (it ends with its exit code).
        ("access denied, so it was not run.\n[exit code 0]", "ran"),
    ],
)
def test_the_outcome_is_read_from_the_tool_result(output: str, outcome: str) -> None:
    assert tool_outcome(output) == outcome


def test_a_denied_call_is_answered_as_denied() -> None:
    text = answer_for(BusApprovalGate(EventBus()).denial_message(SHELL_REQUEST))
    assert "denied" in text
    assert RAN not in text and APPROVED not in text


def test_a_failed_call_is_answered_as_failed_with_its_error() -> None:
    text = answer_for("sh: nosuch: not found\n[exit code 127]")
    assert "The tool failed" in text and "[exit code 127]" in text
    assert RAN not in text


def test_a_call_that_ran_shows_its_output() -> None:
    text = answer_for("hello from a harmless demo tool\nLinux\n[exit code 0]")
    assert RAN in text and "hello from a harmless demo tool" in text
    assert "| 2 | it was approved |" in text


async def test_pressing_d_at_the_demo_approval_gets_a_denied_answer(tmp_path: Path) -> None:
    """The steps that found it: --demo, two prompts, d at the approval."""
    server = await DemoServer(pause=0).start()
    bus = EventBus()
    tools = RegistryToolRunner(ToolRegistry.with_builtins(tmp_path), BusApprovalGate(bus))
    try:
        async with httpx.AsyncClient() as client:
            transport = Transport(
                client, retry=RetryPolicy(max_attempts=1), timeouts=Timeouts(idle=5)
            )
            engine = TurnEngine(
                bus=bus, provider=demo_provider(server.base_url), transport=transport, tools=tools
            )
            conversation = Conversation(engine=engine)
            app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
            async with app.run_test(size=(120, 50)) as pilot:
                await pilot.press(*"one", "enter")
                await wait_for(pilot, lambda: _answered(conversation, 1))
                await pilot.press(*"two", "enter")
                await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
                await pilot.press("d")
                await wait_for(pilot, lambda: _answered(conversation, 2), tries=400)
                await pilot.pause(0.1)
                shown = screen_text(app)
                assert "The tool call was denied" in shown
                assert RAN not in shown
    finally:
        await server.close()


def _answered(conversation: Any, turns: int) -> bool:
    answers = [item for item in conversation.history if item.type == "assistant_message"]
    return not conversation.busy and len(answers) >= turns
