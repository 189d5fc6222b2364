"""Slash commands, the command palette provider and the status bar."""

from __future__ import annotations

from llmx_tui.core.events import Retrying, StepStarted, Usage
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.commands import COMMANDS
from llmx_tui.ui.dialogs.help import HelpDialog
from llmx_tui.ui.screens.chat import ChatScreen
from tests.ui_helpers import Pause, ScriptedConversation, screen_text, text_turn


async def run_command(pilot, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    app = pilot.app
    app.screen.composer.load_text(text)
    await pilot.press("enter")
    await pilot.pause()
    return [n.message for n in app._notifications]


def test_help_names_every_key_of_the_chat_screen() -> None:
    """Keys hidden from the key bar (F8, F9, PageUp) are found in /help."""
    from textual.binding import Binding

    from llmx_tui.ui.screens.chat import ChatScreen
    from llmx_tui.ui.slash_commands import HELP

    names = {"escape": "Esc", "pageup": "PageUp", "pagedown": "PageDown"}
    for binding in ChatScreen.BINDINGS:
        assert isinstance(binding, Binding)
        key = binding.key.split(",")[0]
        shown = names.get(key, key.upper() if key.startswith("f") else key)
        assert shown in HELP, binding


async def test_slash_commands_report_help_and_missing_features() -> None:
    conv = ScriptedConversation()
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "/help")
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        notes = await run_command(pilot, "/new")
        assert "not available yet" in notes[-1]
        notes = await run_command(pilot, "/model")
        assert "gpt-test" in notes[-1]
        notes = await run_command(pilot, "/hlep")
        assert "Unknown command /hlep (did you mean /help?)" in notes[-1] and "//" in notes[-1]
        assert conv.submitted == []
        assert app.screen.composer.text == "/hlep"  # kept, to correct


async def test_help_fits_a_small_terminal_and_scrolls() -> None:
    """As a toast, /help lost its top lines at 60x14."""
    from llmx_tui.ui.slash_commands import HELP

    app = LlmxApp(ScriptedConversation(), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(60, 10)) as pilot:
        await run_command(pilot, "/help")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        shown = screen_text(app)
        assert "Help" in shown and HELP.splitlines()[0][:30] in shown
        box = app.screen.query_one("#help-box")
        assert box.max_scroll_y > 0  # the rest is a scroll away
        box.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert HELP.splitlines()[-1] in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)


async def test_a_message_that_begins_with_a_slash_is_sent() -> None:
    conv = ScriptedConversation([text_turn("a"), text_turn("b")])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "/usr/bin/python crashes, why?")
        await pilot.pause()
        await run_command(pilot, "//new is the command I mean")
        await pilot.pause()
        assert conv.submitted == ["/usr/bin/python crashes, why?", "/new is the command I mean"]
        assert app.screen.composer.text == ""


def test_what_the_composer_holds_is_read_as_a_command_only_when_it_names_one() -> None:
    from llmx_tui.ui.slash_commands import read_composed

    assert read_composed("  /model gpt-5 ") == ("command", "/model gpt-5")
    assert read_composed("/hlep") == ("unknown", "/hlep")
    assert read_composed("/modle gpt-5") == ("unknown", "/modle")
    assert read_composed("/usr/bin/env python") == ("message", "/usr/bin/env python")
    assert read_composed("/5 of them failed") == ("message", "/5 of them failed")
    assert read_composed("/etc is where configs live") == ("message", "/etc is where configs live")
    assert read_composed("/tmp is full") == ("message", "/tmp is full")
    assert read_composed("//help me") == ("message", "/help me")
    assert read_composed("// TODO fix this") == ("message", "// TODO fix this")
    assert read_composed("//comment in code") == ("message", "//comment in code")
    assert read_composed("hello /new") == ("message", "hello /new")


async def test_slash_system_and_model_use_the_conversation_when_it_supports_them() -> None:
    conv = ScriptedConversation()
    calls: list[tuple[str, str]] = []

    async def set_system_prompt(text: str) -> None:
        calls.append(("system", text))

    async def set_model(name: str) -> None:
        calls.append(("model", name))
        conv.model = name

    conv.set_system_prompt = set_system_prompt  # type: ignore[attr-defined]
    conv.set_model = set_model  # type: ignore[attr-defined]
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "/system Be terse.")
        await run_command(pilot, "/model other-model")
        await pilot.pause(0.1)
        assert calls == [("system", "Be terse."), ("model", "other-model")]
        assert "other-model" in app.screen.status.status_text()
        notes = [n.message for n in app._notifications]
        assert any("Now using" in note and "other-model" in note for note in notes)


async def test_a_failed_command_says_what_could_not_be_done() -> None:
    conv = ScriptedConversation()

    async def set_model(name: str) -> None:
        raise ValueError("provider 'openai' needs an API key")

    conv.set_model = set_model  # type: ignore[attr-defined]
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "/model gpt-5")
        await pilot.pause(0.1)
        notes = [n.message for n in app._notifications]
        assert "Could not switch the model: provider 'openai' needs an API key" in notes
        assert not any("set_model" in note for note in notes)


async def test_palette_commands_name_real_screen_actions() -> None:
    for _label, _help, action in COMMANDS:
        assert callable(getattr(ChatScreen, f"action_{action}"))


async def test_status_bar_counts_tokens_and_counts_down_a_retry() -> None:
    now = [100.0]
    pause = Pause()
    script = [
        StepStarted(step=0, provider="p", model="m"),
        Retrying(attempt=2, delay=5.0, reason="HTTP 429"),
        pause,
        *text_turn(
            "ok",
            usage=Usage(
                input_tokens=50_000,
                cached_input_tokens=10_000,
                output_tokens=300,
                reasoning_tokens=100,
            ),
        ),
    ]
    conv = ScriptedConversation([script])
    app = LlmxApp(conv, clock=lambda: now[0], cursor_blink=False, context_window=200_000)
    async with app.run_test(size=(120, 40)) as pilot:
        app.screen.composer.load_text("hi")
        await pilot.press("enter")
        await pilot.pause(0.2)
        status = app.screen.status
        assert "retry 2: HTTP 429 in 5s" in status.status_text()
        now[0] += 3
        assert "in 2s" in status.status_text()
        pause.gate.set()
        await pilot.pause(0.3)
        text = status.status_text()
        assert "retry" not in text
        assert "in 50.0k (cached 10.0k) out 300 (reasoning 100)" in text
        assert "ctx 25% of 200.0k" in text


async def test_slash_system_without_text_opens_the_editor_and_saves() -> None:
    from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
    from tests.ui_helpers import wait_for

    conv = ScriptedConversation()
    saved: list[str] = []

    async def set_system_prompt(text: str) -> None:
        saved.append(text)

    conv.set_system_prompt = set_system_prompt  # type: ignore[attr-defined]
    conv.system_prompt = "Old prompt"  # type: ignore[attr-defined]
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_command(pilot, "/system")
        assert isinstance(app.screen, SystemPromptEditor)
        await pilot.press(*" and more", "ctrl+s")
        await wait_for(pilot, lambda: bool(saved))
        assert saved == ["Old prompt and more"]


async def test_model_key_uses_the_pick_model_hook() -> None:
    opened: list[object] = []
    conv = ScriptedConversation()
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False, on_pick_model=opened.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert opened == [app]


async def test_command_palette_runs_chat_actions() -> None:
    from tests.ui_helpers import wait_for

    conv = ScriptedConversation()
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert screen.reasoning.display
        await pilot.press("ctrl+p")
        await pilot.press(*"toggle reasoning")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.reasoning.display)


async def test_ctrl_u_then_typing_in_one_burst_sends_only_the_new_text() -> None:
    """Fast typing: the erase ran after the letters behind it, so the text the user had
    just erased was sent, and the new text lost."""
    from tests.ui_helpers import burst, wait_for

    conversation = ScriptedConversation([text_turn("ok")])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"zzz")
        burst(pilot, "ctrl+u", *"abc1", "enter")
        await wait_for(pilot, lambda: conversation.submitted != [])
        assert conversation.submitted == ["abc1"]
