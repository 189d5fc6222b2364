"""A key that closes a dialog, typed in one burst with a priority key (ctrl+p opens the
command palette), acts first: the dialog answers and closes, then the palette opens over
the chat. The priority key used to run first, the dialog's own key then went to the
palette or closed it ("the top screen"), half mounted, and the app died with NoMatches
(``ui/widgets/key_order``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Button, Input

from llmx_tui.core.events import ApprovalRequested
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.dialogs.confirm import ConfirmDialog
from llmx_tui.ui.dialogs.help import HelpDialog
from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector
from llmx_tui.ui.dialogs.prompt_picker import PromptPicker
from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
from llmx_tui.ui.dialogs.welcome import WelcomeScreen
from llmx_tui.ui.first_run import FirstRunApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from llmx_tui.ui.screens.chat import ChatScreen
from tests.test_dialogs_harness import SIZE, DialogHost
from tests.test_dialogs_session_browser import build_history
from tests.test_ui_bursts import ForkingConversation, chat_app, settle
from tests.ui_helpers import burst, wait_for


def palette_over_the_chat(app: Any) -> bool:
    """The palette is on top, straight over the chat: the dialog is gone."""
    stack = app.screen_stack
    return isinstance(stack[-1], CommandPalette) and isinstance(stack[-2], ChatScreen)


async def until_palette_over_the_chat(pilot: Any) -> None:
    await wait_for(pilot, lambda: palette_over_the_chat(pilot.app))
    await settle(pilot)
    assert pilot.app.is_running
    assert palette_over_the_chat(pilot.app)


async def open_dialog(pilot: Any, dialog: Screen[Any], results: list[Any]) -> None:
    pilot.app.push_screen(dialog, results.append)
    await wait_for(pilot, lambda: pilot.app.screen is dialog and dialog.is_mounted)
    await settle(pilot)


# -- F9: the prompt picker ------------------------------------------------------------


async def test_f9_enter_ctrl_p_picks_the_prompt_then_opens_the_palette() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, "f9", "enter", "ctrl+p")
        await wait_for(pilot, lambda: bool(conversation.branches))
        await until_palette_over_the_chat(pilot)
        assert app.conversation is conversation.branches[0]
        chat = app.screen_stack[-2]
        assert chat.composer.text == "second prompt"  # newest first


async def test_f9_escape_ctrl_p_leaves_the_draft_and_opens_the_palette() -> None:
    conversation = ForkingConversation()
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.composer.load_text("draft")
        burst(pilot, "f9", "escape", "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert conversation.branches == []
        assert app.screen_stack[-2].composer.text == "draft"


# -- the model picker and the system prompt editor ------------------------------------


async def test_model_picker_enter_ctrl_p_picks_then_the_keys_after_go_to_the_palette() -> None:
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        burst(pilot, "enter", "ctrl+p", *"new")
        await until_palette_over_the_chat(pilot)
        assert picked == [("box", "box-small")]
        assert app.screen.query_one(Input).value == "new"


async def test_a_paste_right_after_ctrl_p_goes_to_the_palette_after_the_pick() -> None:
    """Held behind ctrl+p like a key: it went to the picker's filter, which was closing."""
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        burst(pilot, "enter", "ctrl+p")
        paste = events.Paste("export")
        paste.set_sender(app)
        app._driver.send_message(paste)
        await until_palette_over_the_chat(pilot)
        assert picked == [("box", "box-small")]
        assert app.screen.query_one(Input).value == "export"


async def test_model_picker_escape_ctrl_p_cancels_then_opens_the_palette() -> None:
    picked: list[Any] = []
    app, _conversation = chat_app(picked)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await settle(pilot)
        burst(pilot, "escape", "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert picked == [None]


async def test_system_prompt_ctrl_s_ctrl_p_saves_the_text_then_opens_the_palette() -> None:
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_dialog(pilot, SystemPromptEditor("Be brief."), results)
        burst(pilot, *" Be kind.", "ctrl+s", "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert results == ["Be brief. Be kind."]


# -- dialogs that answer through a binding or a button --------------------------------


async def test_confirm_y_ctrl_p_confirms_then_opens_the_palette() -> None:
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_dialog(pilot, ConfirmDialog("Delete it?"), results)
        burst(pilot, "y", "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert results == [True]


async def test_confirm_enter_on_its_button_ctrl_p_cancels_then_opens_the_palette() -> None:
    """Enter presses the focused button (Cancel) through a binding the app runs; the
    Pressed message it posts closes the dialog a step later, still before ctrl+p."""
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_dialog(pilot, ConfirmDialog("Delete it?"), results)
        burst(pilot, "enter", "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert results == [False]


@pytest.mark.parametrize("key", ["escape", "enter"])
async def test_help_closes_then_the_palette_opens(key: str) -> None:
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_dialog(pilot, HelpDialog("Keys: ctrl+p opens the palette."), results)
        burst(pilot, key, "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert results == [None]


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_payload_inspector_closes_then_the_palette_opens(key: str) -> None:
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_dialog(pilot, PayloadInspector(None), results)
        burst(pilot, key, "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert results == [None]


async def test_session_browser_enter_ctrl_p_opens_the_session_then_the_palette(
    tmp_path: Path,
) -> None:
    """Enter selects the table's row; the dialog opens it on the RowSelected message."""
    ids = build_history(tmp_path / "history.db")
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    results: list[Any] = []
    app, _conversation = chat_app([])
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            browser = SessionBrowser(store, export_dir=tmp_path)
            await open_dialog(pilot, browser, results)
            await wait_for(pilot, lambda: browser.selected_id is not None)
            await pilot.press("down")  # from the filter to the table
            burst(pilot, "enter", "ctrl+p")
            await until_palette_over_the_chat(pilot)
            assert results == [ids[-1]]  # newest first
    finally:
        await store.close()


async def test_approval_n_ctrl_p_denies_then_opens_the_palette() -> None:
    request = ApprovalRequested(
        request_id="r1", call_id="c1", name="shell", arguments="{}", description="shell ls"
    )
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await open_dialog(pilot, ApprovalScreen(request), results)
        burst(pilot, "n", "ctrl+p")
        await until_palette_over_the_chat(pilot)
        assert results == ["deny"]


# -- the welcome screen, in the first-run app itself ------------------------------------


async def test_first_run_ctrl_t_ctrl_p_starts_the_demo_before_the_palette_opens(
    tmp_path: Path,
) -> None:
    """The palette opened first and covered the welcome screen, which then dropped ctrl+t
    (it answers only while on top): the demo choice was lost."""
    app = FirstRunApp("no provider configured", config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await settle(pilot)
        burst(pilot, "ctrl+t", "ctrl+p")
        await wait_for(pilot, lambda: app.return_value is not None or _palette_open(app))
        await settle(pilot)
        assert app.return_value == "demo"
    # ctrl+p, let through after the answer, opened a palette that died half mounted
    # with the closing app: it ended on an error instead of the answer.
    assert app.return_code == 0


def _palette_open(app: Any) -> bool:
    return any(isinstance(screen, CommandPalette) for screen in app.screen_stack)


# -- the order itself ------------------------------------------------------------------


async def test_a_priority_key_alone_in_a_dialog_still_runs_at_once() -> None:
    results: list[Any] = []
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dialog = HelpDialog("help")
        await open_dialog(pilot, dialog, results)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert app.screen_stack[-2] is dialog
        assert results == []


async def test_keys_typed_in_the_chat_make_no_key_order() -> None:
    """The composer keeps a burst's order itself: the app's order is made only once a
    key reaches a dialog (and its module is not needed before then)."""
    app, _conversation = chat_app([])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        burst(pilot, *"hi", "ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert app._key_order is None
        await settle(pilot)
        burst(pilot, "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await open_dialog(pilot, HelpDialog("help"), [])
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        assert app._key_order is not None


# -- a dialog never closes a screen opened over it ------------------------------------
# dismiss() pops the top screen, whoever it is: each dialog answers only while on top.

CLOSERS: list[tuple[str, Any, str]] = [
    ("confirm yes", lambda: ConfirmDialog("Delete it?"), "action_confirm"),
    ("confirm no", lambda: ConfirmDialog("Delete it?"), "action_cancel"),
    ("help", lambda: HelpDialog("help"), "action_close"),
    ("inspector", lambda: PayloadInspector(None), "action_close"),
    ("welcome demo", lambda: WelcomeScreen(), "action_demo"),
    ("welcome leave", lambda: WelcomeScreen(), "action_leave"),
    ("prompt picker", lambda: PromptPicker([(0, "first prompt")]), "action_cancel"),
]


@pytest.mark.parametrize(("make", "action"), [c[1:] for c in CLOSERS], ids=[c[0] for c in CLOSERS])
async def test_a_dialog_covered_by_another_screen_leaves_that_screen_open(
    make: Any, action: str
) -> None:
    dialog = make()
    app = DialogHost(lambda: dialog)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen is dialog and dialog.is_mounted)
        cover = Screen[None]()
        await app.push_screen(cover)
        getattr(dialog, action)()
        await settle(pilot)
        assert app.screen is cover
        assert app.results == []
        app.pop_screen()
        await pilot.pause()
        getattr(dialog, action)()  # on top again: it answers
        await wait_for(pilot, lambda: app.results != [])


def _approval() -> ApprovalScreen:
    request = ApprovalRequested(
        request_id="r1", call_id="c1", name="shell", arguments="{}", description="shell ls"
    )
    return ApprovalScreen(request)


@pytest.mark.parametrize(
    "decide",
    [
        lambda dialog: dialog.action_decide("deny"),
        lambda dialog: dialog.action_decide("stop"),
        lambda dialog: dialog.query_one("#deny", Button).press(),
    ],
    ids=["deny key", "stop key", "deny button"],
)
async def test_the_approval_covered_by_another_screen_leaves_that_screen_open(
    decide: Any,
) -> None:
    dialog = _approval()
    app = DialogHost(lambda: dialog)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen is dialog and dialog.is_mounted)
        cover = Screen[None]()
        await app.push_screen(cover)
        decide(dialog)
        await settle(pilot)
        assert app.screen is cover
        assert app.results == []
        app.pop_screen()
        await pilot.pause()
        decide(dialog)  # on top again: it answers
        await wait_for(pilot, lambda: app.results != [])
        assert app.screen is not dialog


async def test_the_session_browser_covered_by_another_screen_leaves_it_open(
    tmp_path: Path,
) -> None:
    build_history(tmp_path / "history.db")
    store = await AsyncSessionStore.open(tmp_path / "history.db")
    browser = SessionBrowser(store, export_dir=tmp_path)
    app = DialogHost(lambda: browser)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: browser.selected_id is not None)
            cover = Screen[None]()
            await app.push_screen(cover)
            browser.action_open()
            browser.action_close()
            await settle(pilot)
            assert app.screen is cover
            assert app.results == []
    finally:
        await store.close()
