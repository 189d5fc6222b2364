"""SystemPromptEditor: ctrl+s saves the edited text, escape cancels; ConfirmDialog keys."""

from __future__ import annotations

from textual.widgets import TextArea

from llmx_tui.ui.dialogs.confirm import ConfirmDialog
from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
from tests.test_dialogs_harness import SIZE, DialogHost, steady


async def test_save_returns_the_edited_text() -> None:
    app = DialogHost(lambda: SystemPromptEditor("Be brief."))
    async with app.run_test(size=SIZE) as pilot:
        editor = app.screen.query_one(TextArea)
        assert editor.has_focus and editor.text == "Be brief."
        await pilot.press(*" Use metric units.")
        await pilot.press("enter", *"[bold]not markup[/]")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == ["Be brief. Use metric units.\n[bold]not markup[/]"]


async def test_escape_cancels_with_none() -> None:
    app = DialogHost(lambda: SystemPromptEditor(None))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"draft")
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_emptied_prompt_saves_as_empty_string() -> None:
    app = DialogHost(lambda: SystemPromptEditor("old"))
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one(TextArea).text = "   \n"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [""]


async def test_confirm_dialog_defaults_to_cancel() -> None:
    app = DialogHost(lambda: ConfirmDialog("Delete it?", confirm_label="Delete"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [False]


def test_snapshot_system_prompt_editor(snap_compare) -> None:
    text = "You are a careful reviewer.\nAnswer in [bold]plain[/] English.\n"
    assert snap_compare(
        DialogHost(lambda: SystemPromptEditor(text)), terminal_size=SIZE, run_before=steady
    )


def test_snapshot_confirm_dialog(snap_compare) -> None:
    question = "Delete the session “[red]Trip[/] plans”? This cannot be undone."
    assert snap_compare(
        DialogHost(lambda: ConfirmDialog(question, confirm_label="Delete")),
        terminal_size=SIZE,
        run_before=steady,
    )
