"""Themes: built-in TOML files, user themes, malformed files, live switching, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.themes import ThemeFileError, load_themes, theme_from_toml, user_theme_dir
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown
from tests.ui_helpers import ScriptedConversation, text_turn

REPO_THEMES = Path(__file__).resolve().parent.parent / "themes"


def test_builtin_themes_load_dark_light_and_high_contrast() -> None:
    loaded = load_themes(Path("/nonexistent"))
    names = {t.name for t in loaded.themes}
    assert loaded.errors == []
    assert len(names) >= 6 and len(list(REPO_THEMES.glob("*.toml"))) == len(names)
    assert {"llmx-dark", "llmx-light", "llmx-high-contrast"} <= names
    assert any(t.dark for t in loaded.themes) and any(not t.dark for t in loaded.themes)


def test_user_themes_come_from_the_config_dir_and_bad_ones_are_reported() -> None:
    folder = user_theme_dir()
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\ndark = false\n')
    (folder / "broken.toml").write_text("name = [unclosed")
    (folder / "badcolour.toml").write_text('name = "bad"\nprimary = "not-a-colour"\n')
    loaded = load_themes()
    names = {t.name for t in loaded.themes}
    assert "mine" in names and "bad" not in names
    assert len(loaded.errors) == 2
    assert any("broken.toml" in e for e in loaded.errors)
    assert any("badcolour.toml" in e and "primary" in e for e in loaded.errors)


@pytest.mark.parametrize(
    "text", ['primary = "#fff"', 'name = "x"', 'name = "x"\nprimary = "#fff"\ndark = "yes"']
)
def test_incomplete_theme_files_are_rejected(text: str) -> None:
    with pytest.raises(ThemeFileError):
        theme_from_toml(text, "t.toml")


async def test_malformed_theme_is_notified_once_without_markup_and_app_runs(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("name = '[bold]oops[/]'\nprimary = '[red]'\n")
    conv = ScriptedConversation()
    app = LlmxApp(conv, user_theme_dir=tmp_path, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        notes = list(app._notifications)
        assert len(notes) == 1 and not notes[0].markup and "bad.toml" in notes[0].message
        assert app.theme == "llmx-dark"


def drawn_backgrounds(widget: StreamingMarkdown) -> set[str]:
    colours = set()
    for y in range(widget.content_size.height):
        for segment in widget.render_line(y):
            if segment.style is not None and segment.style.bgcolor is not None:
                colours.add(segment.style.bgcolor.get_truecolor().hex)
    return colours


async def test_switching_theme_is_live_and_reported_for_saving() -> None:
    saved: list[str] = []
    conv = ScriptedConversation([text_turn("```py\nx = 1\n```")])
    app = LlmxApp(
        conv, theme="llmx-light", on_theme_saved=saved.append, clock=lambda: 0.0, cursor_blink=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.theme == "llmx-light"
        app.screen.composer.load_text("hi")
        await pilot.press("enter")
        await pilot.pause(0.3)
        reply = app.screen.query_one(StreamingMarkdown)
        assert "#f0f0f0" in drawn_backgrounds(reply)  # the light code theme ("friendly")
        app.screen.composer.load_text("/theme fjord")
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "fjord" and saved == ["fjord"]
        assert app.current_theme.dark
        # The code block was redrawn in the dark code theme ("monokai").
        backgrounds = drawn_backgrounds(reply)
        assert "#272822" in backgrounds and "#f0f0f0" not in backgrounds
