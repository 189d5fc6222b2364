"""The session browser's footer names what each export key writes ("e .md", "j .json"):
grouped, it read "e j Export", which did not say which key was which."""

from __future__ import annotations

import pytest

from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from tests.test_dialogs_harness import DialogHost
from tests.test_dialogs_session_browser import history, settle, utc  # noqa: F401 (fixtures)
from tests.ui_helpers import screen_text

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("width", [80, 100])
async def test_each_export_key_reads_with_its_own_label(history, tmp_path, width: int) -> None:  # noqa: F811
    store, _ = history
    app = DialogHost(lambda: SessionBrowser(store, export_dir=tmp_path))
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        tooltips = {b.key: b.tooltip for b in app.screen.BINDINGS if hasattr(b, "key")}
        await pilot.press("down")  # the list has focus: its keys are offered
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
    assert "e .md" in footer
    assert "j .json" in footer
    assert "e j" not in footer
    assert tooltips["e"] == "Export the session as Markdown"
    assert tooltips["j"] == "Export the session as JSON"
    # Nothing pushed off the right edge by the longer labels.
    for key in ("esc Close", "r Rename", "d Delete", "f Fork", "/ Filter", "^t Full text"):
        assert key in footer
