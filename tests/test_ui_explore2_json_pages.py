"""The payload inspector's JSON: PageDown pressed several times in a row moves that many
pages (each press restarted the scroll animation from where it had got to, so ten
presses moved about one page)."""

from __future__ import annotations

from llmx_tui.engine.turn import LastRequest
from llmx_tui.ui.dialogs.json_view import JsonView
from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector
from tests.test_dialogs_harness import DialogHost


def request() -> LastRequest:
    messages = [{"role": "user", "content": f"message {n}"} for n in range(200)]
    return LastRequest(url="http://127.0.0.1:1/v1", payload={"messages": messages})


async def test_page_down_presses_each_move_a_page() -> None:
    app = DialogHost(lambda: PayloadInspector(request()))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(JsonView)
        assert view.has_focus
        page = view.scrollable_content_region.height
        # A burst, as a terminal delivers a held key: all before the next frame.
        for _ in range(5):
            view.action_page_down()
        await pilot.pause(0.6)  # past any scroll animation
        assert view.scroll_y == 5 * page
        for _ in range(2):
            view.action_page_up()
        await pilot.pause(0.6)
        assert view.scroll_y == 3 * page
        await pilot.press("pagedown")  # the key is bound to it
        await pilot.pause(0.6)
        assert view.scroll_y == 4 * page
