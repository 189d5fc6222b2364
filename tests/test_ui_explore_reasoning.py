"""The reasoning pane's "thought for" counts the time the model reasoned: not the answer
streaming after it, nor a tool call's approval and run between two steps."""

from __future__ import annotations

from typing import Any

from llmx_tui.core.events import (
    ItemDone,
    ReasoningDelta,
    ResponseCompleted,
    StepStarted,
    TextDelta,
    ToolCallStarted,
    TurnCompleted,
)
from llmx_tui.core.items import AssistantMessage, Reasoning, ToolCall
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from llmx_tui.ui.widgets.reasoning_entry import ReasoningEntry
from tests.ui_helpers import AwaitApproval, Pause, ScriptedConversation, ui_settled, wait_for

ARGS = '{"command": "ls"}'


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def entry(app: LlmxApp) -> ReasoningEntry:
    return app.screen.query(ReasoningEntry).last()


async def test_thought_for_leaves_out_the_approval_the_tool_and_the_answer() -> None:
    """It used to run from the first thought to the end of the turn's reasoning: 50 s here,
    of which 30 s waiting for the user to allow the call."""
    thought, answer_started, answered = Pause(), Pause(), Pause()
    script: list[Any] = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ReasoningDelta(text="List the folder first."),
        thought,
        ToolCallStarted(index=0, call_id="c1", name="run_shell"),
        ItemDone(item=Reasoning(text="List the folder first.")),
        ItemDone(item=ToolCall(call_id="c1", name="run_shell", arguments=ARGS)),
        ResponseCompleted(text="", reasoning="", finish_reason="tool_calls"),
        AwaitApproval("c1", "run_shell", ARGS, "run_shell ls"),
        StepStarted(step=1, provider="openai", model="gpt-test"),
        ReasoningDelta(text="Two files."),
        answer_started,
        TextDelta(text="There are two files."),
        answered,
        ItemDone(item=Reasoning(text="Two files.")),
        ItemDone(item=AssistantMessage(text="There are two files.")),
        ResponseCompleted(text="There are two files.", reasoning="", finish_reason="stop"),
        TurnCompleted(finish_reason="stop"),
    ]
    clock = Clock()
    conv = ScriptedConversation([script])
    app = LlmxApp(conv, clock=clock, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"ls", "enter")
        await wait_for(pilot, lambda: bool(app.screen.query(ReasoningEntry)))
        clock.now += 2  # reasoning, step 1
        await wait_for(pilot, lambda: str(entry(app).title) == "thinking… 2.0s")  # its tick
        thought.gate.set()
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        clock.now += 30  # the user reads the call
        await pilot.pause(0.6)  # the allow keys are armed after half a second
        await pilot.press("a")
        await wait_for(pilot, lambda: entry(app).text.endswith("Two files."))
        clock.now += 1  # reasoning, step 2
        answer_started.gate.set()
        await wait_for(pilot, lambda: app.screen.renderer.assistant is not None)
        clock.now += 17  # the answer streams
        answered.gate.set()
        await wait_for(pilot, lambda: ui_settled(app, conv))
        assert str(entry(app).title) == "turn 1 · thought for 3.0s"


async def test_the_title_stops_counting_when_the_answer_begins() -> None:
    answering, answered = Pause(), Pause()
    script: list[Any] = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ReasoningDelta(text="Short thought."),
        answering,
        TextDelta(text="An answer"),
        answered,
        ItemDone(item=Reasoning(text="Short thought.")),
        ItemDone(item=AssistantMessage(text="An answer")),
        ResponseCompleted(text="An answer", reasoning="", finish_reason="stop"),
        TurnCompleted(finish_reason="stop"),
    ]
    clock = Clock()
    conv = ScriptedConversation([script])
    app = LlmxApp(conv, clock=clock, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: bool(app.screen.query(ReasoningEntry)))
        clock.now += 1.5
        answering.gate.set()
        await wait_for(pilot, lambda: app.screen.renderer.assistant is not None)
        clock.now += 10
        await pilot.pause(0.6)  # the pane's clock ticks twice a second
        assert str(entry(app).title) == "turn 1 · thought for 1.5s"
        answered.gate.set()
        await wait_for(pilot, lambda: ui_settled(app, conv))
        assert str(entry(app).title) == "turn 1 · thought for 1.5s"


async def test_reasoning_text_keeps_a_blank_column_before_the_pane_s_border() -> None:
    """At 100 columns this line ran into the border: "…system name will│"."""
    from tests.ui_helpers import screen_text, text_turn

    thought = (
        "The user wants to see a tool call. A harmless shell command that prints a line and "
        "the operating system name will do; it needs their approval first."
    )
    conv = ScriptedConversation([text_turn("Done.", reasoning=thought)])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: ui_settled(app, conv))
        await pilot.pause()
        lines = screen_text(app).splitlines()
        top = next(i for i, line in enumerate(lines) if "Reasoning" in line)
        bottom = next(i for i in range(top + 1, len(lines)) if "╰" in lines[i])
        pane = [line.ljust(100) for line in lines[top + 1 : bottom]]
        assert any("system name" in line for line in pane)
        assert all(line[99] == "│" and line[98] == " " for line in pane), pane
