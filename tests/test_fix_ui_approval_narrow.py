"""The approval dialog's buttons fit on narrow screens: at 50 columns Deny was cut off
at the dialog's right edge (three buttons with their margins need 47 cells)."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.widgets import Button

from llmx_tui.ui.screens.approval import ApprovalScreen
from tests.test_approval_modal import BUTTONS, Host, request
from tests.ui_helpers import screen_text, wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("size", [(50, 12), (47, 12), (44, 12), (40, 12), (40, 20), (59, 14)])
async def test_every_button_is_whole_inside_the_dialog(size: tuple[int, int]) -> None:
    app = Host(request())
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        screen = app.screen
        dialog = screen.query_one("#approval-dialog").content_region
        buttons = [screen.query_one(f"#{button_id}", Button) for button_id in BUTTONS]
        for button in buttons:
            assert dialog.contains_region(button.region), (button.id, button.region, dialog)
        for index, button in enumerate(buttons):
            for other in buttons[index + 1 :]:
                assert not button.region.overlaps(other.region), (button.id, other.id)
        body = screen.query_one("#approval-body")
        assert not any(body.region.overlaps(button.region) for button in buttons)
        text = screen_text(app)
        for label in ("Allow once", "Allow for session", "Deny"):
            assert label in text


async def test_a_click_on_deny_at_50_columns_denies() -> None:
    app = Host(request())
    async with app.run_test(size=(50, 12)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        await pilot.click("#deny")
        await wait_for(pilot, lambda: app.decisions == ["deny"])


async def test_wide_screens_keep_the_spaced_out_row() -> None:
    app = Host(request())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.pause()
        regions = [app.screen.query_one(f"#{b}", Button).region for b in BUTTONS]
    assert len({region.y for region in regions}) == 1
    assert all(region.height == 3 for region in regions)
    gaps = [right.x - (left.x + left.width) for left, right in pairwise(regions)]
    assert gaps == [1, 1]  # margins of 1 each side, collapsed
