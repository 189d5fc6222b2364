"""First-run screen at a common terminal size (100x30): what ctrl+r and ctrl+s answer is
on screen. The answer went to a status line under the form, below the fold, so the
keys seemed to do nothing."""

from __future__ import annotations

from pathlib import Path

from llmx_tui.providers.detect import Detected
from llmx_tui.ui.dialogs.welcome import WelcomeScreen
from tests.test_dialogs_harness import DialogHost
from tests.ui_helpers import screen_text, wait_for

SIZE = (100, 30)


async def no_server() -> Detected | None:
    return None


async def test_find_local_server_answer_is_visible(tmp_path: Path) -> None:
    app = DialogHost(lambda: WelcomeScreen(config_path=tmp_path / "c.toml", probe=no_server))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "No server answered" in screen_text(app))


async def test_saved_provider_without_its_key_says_so_on_screen(tmp_path: Path) -> None:
    app = DialogHost(lambda: WelcomeScreen(config_path=tmp_path / "c.toml", probe=no_server))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")  # openai, OPENAI_API_KEY (unset by conftest)
        await wait_for(pilot, lambda: "is not set in this terminal" in screen_text(app))
    assert (tmp_path / "c.toml").exists()
