"""Before a provider works: the welcome screen, with the reason shown once (markup-safe)."""

from __future__ import annotations

from pathlib import Path

from textual import events

from llmx_tui.ui.dialogs.welcome import WelcomeResult, WelcomeScreen
from llmx_tui.ui.themes import DEFAULT_THEME, load_themes
from llmx_tui.ui.widgets.key_order import OrderedKeysApp


class FirstRunApp(OrderedKeysApp[WelcomeResult | None]):
    """Shows WelcomeScreen; exits with "configured", "demo" or None.

    Keys keep the order typed, as in the chat app: ctrl+t then ctrl+p in one burst
    chooses the demo; ctrl+p first covered the welcome screen, which then dropped ctrl+t.
    """

    TITLE = "llmx-tui"

    def __init__(self, problem: str, *, config_path: Path | None = None) -> None:
        super().__init__()
        self.problem = problem
        self.config_path = config_path
        self._leaving = False
        for theme in load_themes(None).themes:
            self.register_theme(theme)
        if DEFAULT_THEME in self.available_themes:
            self.theme = DEFAULT_THEME

    def on_mount(self) -> None:
        self.push_screen(
            WelcomeScreen(config_path=self.config_path, problem=self.problem), self._answered
        )

    def _answered(self, result: WelcomeResult | None) -> None:
        self._leaving = True
        self.exit(result)

    async def on_event(self, event: events.Event) -> None:
        if self._leaving and isinstance(event, events.Key | events.Paste):
            # Typed after the answer, while the app closes: a palette opened now would
            # die half mounted with it (and end the app on an error, not the answer).
            return
        await super().on_event(event)
