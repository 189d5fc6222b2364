"""Commands reached from the composer or the palette when they cannot apply: each says
why instead of doing nothing or leaving the status line wrong."""

from __future__ import annotations

from typing import Any

from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import Pause, ScriptedConversation, screen_text, text_turn, wait_for

SIZE = (100, 30)


def make_app(*scripts: list[Any]) -> tuple[LlmxApp, ScriptedConversation]:
    conversation = ScriptedConversation(list(scripts))
    return LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False), conversation


def notes(app: LlmxApp) -> list[str]:
    return [n.message for n in app._notifications]


async def type_command(pilot: Any, text: str) -> None:
    pilot.app.screen.composer.load_text(text)
    await pilot.press("enter")
    await pilot.pause()


async def test_retry_with_no_prompt_yet_says_so_and_leaves_the_status_idle() -> None:
    """/retry in a new chat used to set the status to "sending" for good."""
    app, conv = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_command(pilot, "/retry")
        await pilot.pause(0.1)
        assert app.screen.status.state == "idle"
        assert "sending" not in app.screen.status.status_text()
        assert conv.retries == 0
        assert notes(app)[-1] == "Nothing to retry yet: send a prompt first."


async def test_retry_while_a_turn_runs_says_how_to_cancel_it() -> None:
    gate = Pause()
    app, conv = make_app([gate, *text_turn("done")])
    async with app.run_test(size=SIZE) as pilot:
        await type_command(pilot, "hello")
        await wait_for(pilot, lambda: conv.busy)
        await type_command(pilot, "/retry")
        assert notes(app)[-1] == "A turn is running: Esc cancels it."
        assert conv.retries == 0
        gate.gate.set()
        await wait_for(pilot, lambda: not conv.busy)


async def palette_labels(pilot: Any, query: str) -> str:
    """What the command palette lists for ``query`` (then closed again)."""
    from textual.command import CommandPalette

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    await pilot.press(*query)
    await pilot.pause(0.4)  # the palette searches in a worker
    text = screen_text(pilot.app)
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(pilot.app.screen, CommandPalette))
    return text


async def test_palette_leaves_out_cancel_and_retry_when_they_cannot_apply() -> None:
    """Chosen from the palette with no turn running, "Cancel turn" did nothing at all."""
    gate = Pause()
    app, conv = make_app(text_turn("first"), [gate, *text_turn("second")])
    async with app.run_test(size=SIZE) as pilot:
        assert "Cancel turn" not in await palette_labels(pilot, "cancel")
        assert "Retry" not in await palette_labels(pilot, "retry")
        await type_command(pilot, "hello")
        await wait_for(pilot, lambda: not conv.busy and conv.history)
        await pilot.pause(0.1)
        assert "Retry" in await palette_labels(pilot, "retry")
        await type_command(pilot, "again")
        await wait_for(pilot, lambda: conv.busy)
        assert "Cancel turn" in await palette_labels(pilot, "cancel")
        gate.gate.set()
        await wait_for(pilot, lambda: not conv.busy)


async def test_an_unknown_theme_names_the_near_one_and_where_the_list_is() -> None:
    app, _conv = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await type_command(pilot, "/theme nrod")
        assert (
            notes(app)[-1]
            == "Unknown theme 'nrod' (did you mean nord?). /theme alone (or F5) lists them."
        )
        await type_command(pilot, "/theme zzzzzz")
        assert notes(app)[-1] == "Unknown theme 'zzzzzz'. /theme alone (or F5) lists them."
        assert app.theme != "nord"


async def test_export_with_nothing_yet_says_so_in_one_plain_sentence() -> None:
    """It read "Could not export: nothing to export yet: send a prompt first" (an error)."""

    class Exporting(ScriptedConversation):
        exported = 0

        async def export(self) -> str:
            self.exported += 1
            return "/tmp/out.md"

    conv = Exporting()
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await type_command(pilot, "/export")
        assert notes(app)[-1] == "Nothing to export yet: send a prompt first."
        assert app._notifications and list(app._notifications)[-1].severity == "information"
        assert conv.exported == 0
