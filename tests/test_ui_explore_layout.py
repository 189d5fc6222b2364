"""Spacing between conversation rows: a notice (a failed or cancelled turn) stands apart
from the row above it, as replies and tool calls do."""

from __future__ import annotations

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from tests.ui_helpers import (
    ScriptedConversation,
    error_turn,
    screen_text,
    tool_turn,
    ui_settled,
    wait_for,
)

SIZE = (80, 30)  # the side panes folded away: each row is the conversation's


def line_above(text: str, needle: str) -> str:
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if needle in line)
    return lines[index - 1]


async def test_an_error_before_any_reply_is_not_glued_to_the_prompt() -> None:
    """With both bars drawn in the same column it read as part of the prompt."""
    conv = ScriptedConversation([error_turn("HTTP 500 boom")])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"first", "enter")
        await wait_for(pilot, lambda: ui_settled(app, conv))
        await pilot.pause()
        assert line_above(screen_text(app), "HTTP 500 boom").strip() == ""


async def test_a_turn_ended_at_the_approval_is_not_glued_to_the_call_line() -> None:
    turn = tool_turn("run_shell", {"command": "ls"}, "unused", approval=True)
    conv = ScriptedConversation([turn])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"ls", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press("c")  # deny, and end the turn
        await wait_for(pilot, lambda: ui_settled(app, conv))
        await pilot.pause()
        text = screen_text(app)
        assert "⊘ cancelled" in text
        assert line_above(text, "⊘ cancelled").strip() == ""


async def test_a_long_model_name_is_cut_short_before_the_status_and_totals_are() -> None:
    """At 80 columns, thinking with an OpenRouter model, the line was cut at the right edge:
    the session totals were lost and the state went next."""
    from rich.cells import cell_len

    from llmx_tui.core.events import Usage

    app = LlmxApp(ScriptedConversation(), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        status = app.screen.status
        status.set_model("openrouter", "anthropic/claude-3.5-sonnet-20241022")
        status.reset_session(Usage(input_tokens=15_000, output_tokens=2_000))
        status.set_state("thinking… (F2 shows it)")
        await pilot.pause()
        shown = screen_text(app).splitlines()[-2].strip()
        assert shown.startswith("openrouter · an")
        assert "…" in shown.split("│")[0]
        assert "│ thinking… (F2 shows it) │" in shown
        assert shown.endswith("session ↑15.0k ↓2000")
        assert cell_len(status.status_text(78)) <= 78
        # Wide enough, nothing is cut.
        assert "anthropic/claude-3.5-sonnet-20241022" in status.status_text(200)
