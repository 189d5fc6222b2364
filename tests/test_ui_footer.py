"""The chat footer at 120 columns (issue 5): every key fits, idle and while a turn runs.

Keys that cannot apply leave the footer (Esc only while a turn runs, Retry only
when there is a prompt and no turn), which is what makes room for the rest.
"""

from __future__ import annotations

from typing import Any

from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import Pause, ScriptedConversation, screen_text, text_turn, wait_for

SIZE = (120, 40)
ALWAYS = (
    "f6 Copy",
    "f7 Code",
    "⏎ Send",
    "^j Newline",
    "f2 Think",
    "f3 Tools",
    "^n New",
    "^s Sessions",
    "f4 Model",
    "f5 Theme",
    "^q Quit",
    "^p palette",
)


def footer_line(app: Any) -> str:
    return screen_text(app).split("\n")[SIZE[1] - 1]


async def footer_settled(pilot: Any, wanted: str, unwanted: str) -> str:
    await wait_for(
        pilot, lambda: wanted in footer_line(pilot.app) and unwanted not in footer_line(pilot.app)
    )
    return footer_line(pilot.app)


async def test_every_key_fits_at_120_columns_idle_busy_and_after_a_turn() -> None:
    gate = Pause()
    conversation = ScriptedConversation([[gate, *text_turn("Done.")]])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        # A new session: nothing to retry, nothing to cancel.
        line = await footer_settled(pilot, "^q Quit", "Retry")
        assert all(key in line for key in ALWAYS), line
        assert "Cancel" not in line

        await pilot.press(*"hello", "enter")
        line = await footer_settled(pilot, "esc Cancel", "Retry")
        assert all(key in line for key in ALWAYS), line
        assert app.screen.check_action("retry", ()) is False

        gate.gate.set()
        line = await footer_settled(pilot, "^r Retry", "Cancel")
        assert all(key in line for key in ALWAYS), line


async def test_retry_shows_for_a_resumed_history_and_leaves_after_a_new_chat() -> None:
    earlier = [UserMessage(text="earlier", turn=1), AssistantMessage(text="reply", turn=1)]
    conversation = ScriptedConversation([], history=earlier)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await footer_settled(pilot, "^r Retry", "Cancel")
        conversation.history = []
        app.screen.attach()  # what /new does once the conversation starts afresh
        await footer_settled(pilot, "^q Quit", "Retry")


async def test_the_key_bar_is_one_widget_and_a_click_runs_its_key() -> None:
    from llmx_tui.ui.widgets.key_bar import KeyBar

    app = LlmxApp(ScriptedConversation([]), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        line = await footer_settled(pilot, "f2 Think", "Retry")
        bar = app.screen.query_one(KeyBar)
        assert not bar.children  # nothing is mounted per key
        assert [key.display for key in bar.keys][:2] == ["f6", "f7"]
        reasoning = app.screen.reasoning
        assert reasoning.display
        await pilot.click(KeyBar, offset=(line.index("f2 Think") + 3, 0))
        await wait_for(pilot, lambda: not reasoning.display)
        await pilot.click(KeyBar, offset=(line.index("f2 Think"), 0))
        await wait_for(pilot, lambda: reasoning.display)
        gap = line.index("^q Quit") + len("^q Quit") + 2  # blank: between keys and palette
        await pilot.click(KeyBar, offset=(gap, 0))
        await pilot.pause()
        assert reasoning.display


async def test_hovering_a_key_highlights_only_that_key() -> None:
    from llmx_tui.ui.widgets.key_bar import KeyBar

    app = LlmxApp(ScriptedConversation([]), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        line = await footer_settled(pilot, "f3 Tools", "Retry")
        bar = app.screen.query_one(KeyBar)
        plain = bar.render_line(0)
        think, tools = line.index("f2 Think"), line.index("f3 Tools")
        await pilot.hover(KeyBar, offset=(think + 4, 0))
        await pilot.pause()
        hovered = bar.render_line(0)
        assert hovered.text == plain.text  # same text, other styles

        def style_at(strip: Any, x: int) -> Any:
            return strip.crop(x, x + 1)._segments[0].style

        assert style_at(hovered, think + 4) != style_at(plain, think + 4)
        assert style_at(hovered, tools + 1) == style_at(plain, tools + 1)
        await pilot.hover(KeyBar, offset=(tools + 1, 0))
        await pilot.pause()
        assert style_at(bar.render_line(0), think + 4) == style_at(plain, think + 4)
        assert style_at(bar.render_line(0), tools + 1) != style_at(plain, tools + 1)


async def test_the_key_bar_takes_a_new_theme_s_colours() -> None:
    from llmx_tui.ui.widgets.key_bar import KeyBar

    app = LlmxApp(ScriptedConversation([]), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await footer_settled(pilot, "f6 Copy", "Retry")
        bar = app.screen.query_one(KeyBar)
        before = bar.render_line(0)._segments[0].style
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = bar.render_line(0)._segments[0].style
        assert after is not None and before is not None
        assert after.color != before.color or after.bgcolor != before.bgcolor


def whole_keys(line: str, labels: set[str]) -> list[str]:
    """The line read back as keys: it must be whole labels (``f2 Think``) one after
    another, then the command palette's key after the separator."""
    keys, _, palette = line.partition("▏")
    assert palette.strip() == "^p palette", line
    words, found = keys.split(), []
    while words:
        for size in (2, 1):
            label = " ".join(words[:size])
            if label in labels:
                found.append(label)
                del words[:size]
                break
        else:
            raise AssertionError(f"a key cut or unknown at {' '.join(words)!r} in {line!r}")
    return found


async def test_at_80_columns_the_key_bar_shows_whole_keys_in_every_state() -> None:
    """Cut at the edge: '^s Session', and the palette's key gone, once Esc or Retry
    joined the line (after a prompt, or after F4 picked a model)."""
    from llmx_tui.ui.screens.approval import ApprovalScreen
    from llmx_tui.ui.screens.chat import ChatScreen
    from llmx_tui.ui.widgets.key_bar import KeyBar
    from tests.ui_helpers import tool_turn

    width, height = 80, 24
    gate = Pause()
    turns = [
        [gate, *text_turn("Done.")],
        tool_turn("shell", {"command": "ls"}, "Listed.", approval=True),
    ]
    conversation = ScriptedConversation(turns)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)

    def line() -> str:
        return screen_text(app).split("\n")[height - 1]

    async def keys_shown(must: tuple[str, ...]) -> list[str]:
        await wait_for(pilot, lambda: all(key in line() for key in must))
        chat = next(screen for screen in app.screen_stack if isinstance(screen, ChatScreen))
        labels = {f"{k.display} {k.description}" for k in chat.query_one(KeyBar).keys}
        shown = whole_keys(line(), labels)
        assert len(line()) <= width
        return shown

    async with app.run_test(size=(width, height)) as pilot:
        assert len(await keys_shown(("^s Sessions", "f2 Think"))) >= 6  # idle
        await pilot.press("f2")  # the reasoning pane alone, on a narrow screen
        await keys_shown(("f2 Think",))
        await pilot.press(*"hello", "enter")
        await keys_shown(("esc Cancel", "f2 Think", "^s Sessions"))  # streaming
        gate.gate.set()
        await keys_shown(("^r Retry", "f2 Think", "^s Sessions"))  # after the turn
        await pilot.press("f3")
        await keys_shown(("^r Retry", "f3 Tools"))
        await pilot.press(*"list", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        assert "Cancel" not in line() and "Sessions" not in line()  # not under the dialog
        app.screen.dismiss("allow_once")
        await keys_shown(("^r Retry", "^s Sessions"))


async def test_the_chat_key_bar_is_not_offered_under_a_dialog() -> None:
    from llmx_tui.ui.screens.approval import ApprovalScreen
    from tests.ui_helpers import tool_turn

    conversation = ScriptedConversation(
        [tool_turn("run_shell", {"command": "ls"}, "Done.", approval=True)]
    )
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.screen.composer.load_text("list files")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        bottom = screen_text(app).splitlines()[-1]
        assert "Cancel" not in bottom and "Sessions" not in bottom
        await pilot.press("a")
        await wait_for(
            pilot, lambda: not conversation.busy and not isinstance(app.screen, ApprovalScreen)
        )
        await pilot.pause()
        assert "Sessions" in screen_text(app).splitlines()[-1]
