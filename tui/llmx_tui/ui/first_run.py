"""Before a provider works: the welcome screen, with the reason shown once (markup-safe)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from llmx_tui.ui.dialogs.welcome import WelcomeResult, WelcomeScreen
from llmx_tui.ui.themes import DEFAULT_THEME, load_themes


class FirstRunApp(App[WelcomeResult | None]):
    """Shows WelcomeScreen; exits with "configured", "demo" or None."""

    TITLE = "llmx-tui"

    def __init__(self, problem: str, *, config_path: Path | None = None) -> None:
        super().__init__()
        self.problem = problem
        self.config_path = config_path
        for theme in load_themes(None).themes:
            self.register_theme(theme)
        if DEFAULT_THEME in self.available_themes:
            self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(
            WelcomeScreen(config_path=self.config_path, problem=self.problem), self.exit
        )
