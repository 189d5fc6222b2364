"""The status bar's "turn" counts start again ("–") when a turn starts: they showed
the previous turn's numbers until the new turn finished."""

from __future__ import annotations

import pytest

from llmx_tui.core.events import Usage
from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import Pause, ScriptedConversation, send_prompt, text_turn, wait_for

pytestmark = pytest.mark.timeout(60)

FIRST = Usage(input_tokens=1200, cached_input_tokens=200, output_tokens=80, reasoning_tokens=30)
SECOND = Usage(input_tokens=1500, cached_input_tokens=0, output_tokens=40, reasoning_tokens=5)
BLANK_TURN = "turn in – (cached –) out – (reasoning –)"


async def test_turn_counts_reset_when_the_next_turn_starts() -> None:
    pause = Pause()
    conv = ScriptedConversation(
        [text_turn("first answer", usage=FIRST), [pause, *text_turn("second", usage=SECOND)]]
    )
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False, context_window=10_000)
    async with app.run_test(size=(160, 30)) as pilot:
        status = app.screen.status
        await send_prompt(pilot, "one")
        await wait_for(pilot, lambda: not conv.busy and status.state == "idle")
        assert "turn in 1200 (cached 200) out 80 (reasoning 30)" in status.status_text()

        await send_prompt(pilot, "two")
        await wait_for(pilot, lambda: conv.busy and status.state != "idle")
        during = status.status_text()
        assert BLANK_TURN in during, during
        # The session totals and the context meter still show what is known.
        assert "session in 1200 (cached 200) out 80 (reasoning 30)" in during
        assert "ctx 12% of 10.0k" in during

        pause.gate.set()
        await wait_for(pilot, lambda: not conv.busy and status.state == "idle")
        after = status.status_text()
        assert "turn in 1500 (cached 0) out 40 (reasoning 5)" in after
        assert "session in 2700 (cached 200) out 120 (reasoning 35)" in after
        assert "ctx 15% of 10.0k" in after


async def test_state_changes_within_a_turn_keep_its_counts() -> None:
    """Only leaving "idle" starts a turn: a tool running or a retry mid-turn keeps them."""
    conv = ScriptedConversation()
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(160, 30)):
        status = app.screen.status
        status.turn_finished(FIRST)
        status.set_state("streaming")  # a turn starts
        assert BLANK_TURN in status.status_text()
        status.last_turn = SECOND  # as if counted so far
        for state in ("thinking", "streaming", "sending", "cancelling"):
            status.set_state(state)
            assert "turn in 1500" in status.status_text(), state
