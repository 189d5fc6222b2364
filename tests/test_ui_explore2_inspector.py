"""Payload inspector: the key bar offers Copy only when there is a request to copy, and
on a short terminal the JSON keeps rows of its own (it shrank to its border: no JSON)."""

from __future__ import annotations

from textual.widgets import Footer

from llmx_tui.engine.turn import LastRequest
from llmx_tui.providers.base import ReportEntry
from llmx_tui.ui.dialogs.json_view import JsonView
from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector
from tests.test_dialogs_harness import DialogHost
from tests.ui_helpers import screen_text


def request() -> LastRequest:
    messages = [{"role": "user", "content": f"message {n}"} for n in range(20)]
    report = [ReportEntry(f"item{n}", "rule", "changed", f"detail {n}") for n in range(12)]
    return LastRequest(url="http://127.0.0.1:1/v1", payload={"messages": messages}, report=report)


async def test_copy_is_not_offered_before_any_request() -> None:
    app = DialogHost(lambda: PayloadInspector(None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(Footer)
        text = screen_text(app)
        assert "Close" in text
        assert "Copy JSON" not in text
    app = DialogHost(lambda: PayloadInspector(request()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Copy JSON" in screen_text(app)


async def test_json_keeps_rows_on_a_short_terminal() -> None:
    app = DialogHost(lambda: PayloadInspector(request()))
    async with app.run_test(size=(50, 16)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(JsonView)
        assert view.scrollable_content_region.height >= 3
        assert '"messages"' in screen_text(app)
