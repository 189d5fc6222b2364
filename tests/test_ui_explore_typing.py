"""Typing while the focus is on a pane (after Tab or a click): every key reaches the
composer, in order, however fast the keys come."""

from __future__ import annotations

from typing import Any

from textual import events

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.widgets.conversation import ConversationView
from tests.ui_helpers import ScriptedConversation, text_turn, wait_for


def make_app(*scripts: list[Any]) -> tuple[LlmxApp, ScriptedConversation]:
    conversation = ScriptedConversation(list(scripts))
    return LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False), conversation


def type_at_once(app: LlmxApp, keys: list[str]) -> None:
    """Keys queued before the app handles the first (tmux send-keys, a busy app)."""
    named = {"enter": "\r", "backspace": None}
    for key in keys:
        app.post_message(events.Key(key, named.get(key, key)))


async def test_letters_typed_fast_on_the_conversation_all_reach_the_composer() -> None:
    """Tab then "question" at 80 columns left "q" (or "qon") in the composer."""
    app, _conv = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.screen.focused, ConversationView)
        type_at_once(app, list("question"))
        await wait_for(pilot, lambda: app.screen.composer.text == "question")
        assert app.screen.focused is app.screen.composer
        await pilot.pause(0.1)
        assert app.screen.composer.text == "question"
        assert not app.screen.composer.sending  # not left holding the keys typed next
        await pilot.press(*"!")
        assert app.screen.composer.text == "question!"


async def test_enter_and_keys_after_it_typed_on_a_reasoning_entry_keep_their_order() -> None:
    app, conv = make_app(text_turn("answer", reasoning="thinking it through"))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: not conv.busy and len(conv.history) > 2)
        await pilot.pause(0.1)
        app.screen.query("CollapsibleTitle").last().focus()
        await pilot.pause()
        type_at_once(app, [*"question", "enter", *"next", "backspace", "x"])
        await wait_for(pilot, lambda: app.screen.composer.text == "nexx")
        assert conv.submitted == ["hi", "question"]


async def test_shift_enter_inserts_a_newline_where_the_terminal_reports_it() -> None:
    """It did nothing (kitty, WezTerm, Ghostty and others send it apart from Enter)."""
    app, conv = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"one", "shift+enter", *"two")
        await pilot.pause()
        assert app.screen.composer.text == "one\ntwo"
        assert conv.submitted == []
