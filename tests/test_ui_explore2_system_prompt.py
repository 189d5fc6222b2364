"""The system prompt editor on a short terminal (44x12): the text field keeps a row to
type in and see (it shrank to nothing under the title and the hint)."""

from __future__ import annotations

from textual.widgets import TextArea

from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
from tests.test_dialogs_harness import DialogHost
from tests.ui_helpers import screen_text


async def test_the_text_field_has_rows_on_a_short_terminal() -> None:
    app = DialogHost(lambda: SystemPromptEditor("Be brief."))
    async with app.run_test(size=(44, 12)) as pilot:
        await pilot.pause()
        editor = app.screen.query_one(TextArea)
        assert editor.scrollable_content_region.height >= 1
        assert "Be brief." in screen_text(app)
        await pilot.press(*" Metric units.")
        await pilot.pause()
        assert "Metric units." in screen_text(app)
