"""The cyclic garbage collector rests while a turn runs and comes back after it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from llmx_tui import collector_pause
from llmx_tui.collector_pause import CollectorPause
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.widgets.composer import Composer
from tests.ui_helpers import Pause, ScriptedConversation, text_turn, ui_settled, wait_for

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """Each test starts with the collector on, and leaves it on."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def make_app(*scripts: list[Any]) -> tuple[LlmxApp, ScriptedConversation]:
    conversation = ScriptedConversation(list(scripts))
    return LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False), conversation


async def send(pilot: Any, text: str) -> None:
    composer = pilot.app.screen.query_one(Composer)
    composer.focus()
    composer.load_text(text)
    await pilot.press("enter")


def test_pause_and_resume_leave_a_collector_someone_else_stopped_alone() -> None:
    pause = CollectorPause()
    pause.pause()
    assert not gc.isenabled() and pause.paused
    pause.pause()  # twice: still one pause
    pause.resume()
    assert gc.isenabled() and not pause.paused
    gc.disable()  # stopped elsewhere (startup, a payload build)
    pause.pause()
    assert not pause.paused
    pause.resume()
    assert not gc.isenabled()  # not switched on by the object that did not switch it off


async def test_collector_is_off_while_a_turn_streams_and_on_once_it_is_drawn(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(collector_pause, "RESUME_DELAY", 0.2)
    monkeypatch.setattr("llmx_tui.ui.screens.chat.RESUME_DELAY", 0.2)
    gate = Pause()
    turn = text_turn("First words, then THE END")
    app, conv = make_app([*turn[:2], gate, *turn[2:]], text_turn("Second reply"))
    async with app.run_test(size=SIZE) as pilot:
        assert gc.isenabled()
        await send(pilot, "question")
        await wait_for(pilot, lambda: conv.busy)
        assert not gc.isenabled(), "paused while the reply streams"
        gate.gate.set()
        await wait_for(pilot, lambda: ui_settled(app, conv), tries=500)
        # Resumed a little after the end, once the final frame is on screen.
        await wait_for(pilot, gc.isenabled, tries=500)
        # A second turn pauses it again, and it comes back again.
        await send(pilot, "again")
        await wait_for(
            pilot, lambda: ui_settled(app, conv) and conv.submitted == ["question", "again"]
        )
        await wait_for(pilot, gc.isenabled, tries=500)


async def test_collector_is_back_on_when_the_app_exits_mid_turn() -> None:
    gate = Pause()
    turn = text_turn("Never finished")
    app, conv = make_app([*turn[:2], gate, *turn[2:]])
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await wait_for(pilot, lambda: conv.busy)
        assert not gc.isenabled()
        await pilot.press("ctrl+q")
    assert gc.isenabled()


async def test_a_turn_leaves_a_collector_that_was_already_off_off() -> None:
    app, conv = make_app(text_turn("Reply"))
    async with app.run_test(size=SIZE) as pilot:
        gc.disable()  # as during startup, before the first frame
        await send(pilot, "question")
        await wait_for(pilot, lambda: ui_settled(app, conv), tries=500)
        await pilot.pause(0.7)  # past the resume delay
        assert not gc.isenabled()
