"""Snapshots of the chat screen at 120x40: mid-stream and finished, with reasoning
and a tool call, in two themes, plus the approval modal. Deterministic: fixed
clock, theme and size, no cursor blink, no toasts."""

from __future__ import annotations

from typing import Any

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from tests.ui_helpers import (
    Pause,
    ScriptedConversation,
    demo_scripts,
    send_prompt,
    tool_turn,
    ui_settled,
    wait_for,
)

SIZE = (120, 40)


def demo_app(theme: str, pause: Pause | None = None) -> tuple[LlmxApp, ScriptedConversation]:
    conversation = ScriptedConversation(demo_scripts(pause_mid_answer=pause))
    app = LlmxApp(conversation, theme=theme, clock=lambda: 0.0, cursor_blink=False)
    return app, conversation


def finished(theme: str, snap_compare: Any) -> bool:
    app, conversation = demo_app(theme)

    async def run_before(pilot: Any) -> None:
        await send_prompt(pilot, "How do I run the tests?")
        await wait_for(pilot, lambda: ui_settled(app, conversation))
        await pilot.pause(0.2)

    return snap_compare(app, terminal_size=SIZE, run_before=run_before)


def mid_stream(theme: str, snap_compare: Any) -> bool:
    pause = Pause()
    app, _conversation = demo_app(theme, pause)

    async def run_before(pilot: Any) -> None:
        await send_prompt(pilot, "How do I run the tests?")
        await wait_for(
            pilot,
            lambda: (
                "Running"
                in (app.screen.renderer.assistant.source if app.screen.renderer.assistant else "")
            ),
        )
        await pilot.pause(0.2)

    try:
        return snap_compare(app, terminal_size=SIZE, run_before=run_before)
    finally:
        pause.gate.set()


def test_finished_dark(snap_compare: Any) -> None:
    assert finished("llmx-dark", snap_compare)


def test_finished_light(snap_compare: Any) -> None:
    assert finished("llmx-light", snap_compare)


def test_mid_stream_dark(snap_compare: Any) -> None:
    assert mid_stream("llmx-dark", snap_compare)


def test_mid_stream_light(snap_compare: Any) -> None:
    assert mid_stream("llmx-light", snap_compare)


def test_approval_modal_high_contrast(snap_compare: Any) -> None:
    conversation = ScriptedConversation(
        [tool_turn("shell", {"command": "rm -rf build/ && make dist"}, "Done.", approval=True)]
    )
    app = LlmxApp(conversation, theme="llmx-high-contrast", clock=lambda: 0.0, cursor_blink=False)

    async def run_before(pilot: Any) -> None:
        await send_prompt(pilot, "Rebuild the dist folder")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
