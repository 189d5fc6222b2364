"""The approval modal at small sizes and with huge arguments: the decision is
always visible, its keys are named on screen, and a stray Enter decides nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import Button

from llmx_tui.core.events import ApprovalDecided, ApprovalRequested
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from tests.ui_helpers import (
    ScriptedConversation,
    screen_text,
    send_prompt,
    tool_turn,
    ui_settled,
    wait_for,
)

pytestmark = pytest.mark.timeout(60)

KEY_LINE = "a allow once · s allow for session · d/Esc deny"
BUTTONS = ("allow_once", "allow_session", "deny")
HUGE = json.dumps({"path": "notes.txt", "content": "x" * 100_000})


def request(arguments: str = HUGE, description: str = "Write 100,000 bytes to notes.txt") -> Any:
    return ApprovalRequested(
        request_id="r1",
        call_id="c1",
        name="write_file",
        arguments=arguments,
        description=description,
    )


class Host(App[None]):
    """Pushes one approval modal and records how it was dismissed."""

    def __init__(self, approval: ApprovalRequested) -> None:
        super().__init__()
        self.approval = approval
        self.decisions: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(ApprovalScreen(self.approval), self.decisions.append)


@pytest.mark.parametrize("size", [(80, 24), (60, 16), (120, 40)])
@pytest.mark.parametrize(
    "approval",
    [request(), request(description="Run in /work (timeout 60 s):\n" + "echo hi\n" * 2000)],
    ids=["huge-arguments", "huge-description"],
)
async def test_buttons_and_key_line_stay_on_screen(
    size: tuple[int, int], approval: ApprovalRequested
) -> None:
    app = Host(approval)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        screen = app.screen
        buttons = [screen.query_one(f"#{button_id}", Button) for button_id in BUTTONS]
        for button in buttons:
            assert screen.region.contains_region(button.region), (button.id, button.region)
        text = screen_text(app)
        for label in ("Allow once", "Allow for session", "Deny"):
            assert label in text
        assert KEY_LINE in text
        body = screen.query_one("#approval-body", VerticalScroll)
        assert not any(body.region.overlaps(button.region) for button in buttons)
        assert body.max_scroll_y > 0  # what does not fit scrolls
        assert body.region.height >= 3


async def test_a_small_request_gets_a_small_dialog() -> None:
    app = Host(request('{"path": "notes.txt", "content": "hi"}', "Write 2 bytes to notes.txt"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        dialog = app.screen.query_one("#approval-dialog")
        assert dialog.region.height < 20
        assert '"content": "hi"' in screen_text(app) and KEY_LINE in screen_text(app)


async def test_focus_starts_on_the_arguments_and_enter_decides_nothing() -> None:
    app = Host(request())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        await pilot.press("enter", "enter")
        assert isinstance(app.screen, ApprovalScreen) and app.decisions == []
        body = app.screen.query_one("#approval-body", VerticalScroll)
        assert app.focused is body
        await pilot.press("pagedown")
        assert body.scroll_y > 0  # the keys read what is being approved
        await pilot.press("escape")
        assert app.decisions == ["deny"]


async def test_in_the_app_a_stray_enter_does_not_approve_a_huge_write() -> None:
    conversation = ScriptedConversation(
        [
            tool_turn(
                "write_file", {"path": "notes.txt", "content": "x" * 100_000}, "Ok.", approval=True
            )
        ]
    )
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    decisions = conversation.bus.subscribe(ApprovalDecided)
    async with app.run_test(size=(80, 24)) as pilot:
        await send_prompt(pilot, "write it")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ApprovalScreen) and decisions.drain() == []
        text = screen_text(app)
        assert "Allow once" in text and "Deny" in text and KEY_LINE in text
        await pilot.press("d")
        await wait_for(pilot, lambda: not isinstance(app.screen, ApprovalScreen))
        assert [d.decision for d in decisions.drain()] == ["deny"]


async def answer_the_approval(size: tuple[int, int], hint: str, key: str) -> tuple[str, list[str]]:
    """A turn asking to run a shell command, answered with ``key`` once the dialog shows
    ``hint``: what the screen shows after the turn, and the decisions published."""
    conversation = ScriptedConversation(
        [tool_turn("shell", {"command": "rm -rf build"}, "The answer after it.", approval=True)]
    )
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    decisions = conversation.bus.subscribe(ApprovalDecided)
    async with app.run_test(size=size) as pilot:
        await send_prompt(pilot, "clean up")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        assert hint in screen_text(app)
        await pilot.press(key)
        await wait_for(pilot, lambda: ui_settled(app, conversation), tries=500)
        return screen_text(app), [d.decision for d in decisions.drain()]


async def test_esc_denies_the_call_the_turn_goes_on_and_the_modal_says_so() -> None:
    shown, decisions = await answer_the_approval((60, 16), "d/Esc deny", "escape")
    assert decisions == ["deny"]
    assert "The answer after it." in shown  # denied, not cancelled


async def test_c_denies_the_call_and_stops_the_turn() -> None:
    """A model that keeps asking need not be denied call after call."""
    shown, decisions = await answer_the_approval((80, 24), "c deny, end turn", "c")
    assert decisions == ["deny"]
    assert "The answer after it." not in shown and "cancelled" in shown


@asynccontextmanager
async def approval_open() -> AsyncIterator[tuple[LlmxApp, Any, Any]]:
    """The app with a turn whose shell call waits for approval, the dialog just open;
    the app, its pilot and a subscription to the decisions."""
    conversation = ScriptedConversation(
        [tool_turn("shell", {"command": "rm -rf build"}, "Done.", approval=True)]
    )
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    decisions = conversation.bus.subscribe(ApprovalDecided)
    async with app.run_test(size=(80, 24)) as pilot:
        await send_prompt(pilot, "clean up")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        yield app, pilot, decisions


async def test_keys_typed_ahead_do_not_allow_a_call_nobody_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dialog may open while the user types the next prompt: "yes, so..." must not
    allow the call. Deny keys act at once."""
    monkeypatch.setattr(ApprovalScreen, "ARMED_AFTER", 0.5)
    async with approval_open() as (app, pilot, decisions):
        await pilot.press("y", "s", "a")
        assert isinstance(app.screen, ApprovalScreen) and decisions.drain() == []
        await pilot.pause(0.6)
        await pilot.press("a")
        await wait_for(pilot, lambda: not isinstance(app.screen, ApprovalScreen))
        assert [d.decision for d in decisions.drain()] == ["allow_once"]


async def test_a_prompt_typed_on_as_the_dialog_opens_answers_nothing_and_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Typing the next prompt while a call asks for approval: "but first tell me" allowed
    the call for the session at its "s", and the letters were lost. Letters that come in
    a burst are typing, not answers; they go back to the composer when the dialog
    closes. A key after a pause answers."""
    monkeypatch.setattr(ApprovalScreen, "ARMED_AFTER", 0.5)
    async with approval_open() as (app, pilot, decisions):
        await pilot.press(*"but first say and do")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalScreen) and decisions.drain() == []
        await pilot.pause(0.6)
        await pilot.press("d")  # after a pause: an answer
        await wait_for(pilot, lambda: not isinstance(app.screen, ApprovalScreen))
        assert [d.decision for d in decisions.drain()] == ["deny"]
        assert app.screen.query_one("Composer").text == "but first say and do"


async def test_scrolling_the_arguments_then_answering_at_once_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only letters count as typing: arrows that scroll what is asked, then "a" right
    after them, allow the call."""
    monkeypatch.setattr(ApprovalScreen, "ARMED_AFTER", 0.5)
    async with approval_open() as (app, pilot, decisions):
        await pilot.pause(0.6)
        await pilot.press("down", "up", "a")
        await wait_for(pilot, lambda: not isinstance(app.screen, ApprovalScreen))
        assert [d.decision for d in decisions.drain()] == ["allow_once"]
        assert app.screen.query_one("Composer").text == ""
