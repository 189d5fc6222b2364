"""First run with no provider: how to add one, the demo, and a form that writes the config.

``WelcomeScreen(config_path=None)`` dismisses with:
- ``"configured"`` after the form saved a provider that can be used right now
  (a local server, or a key variable that is set in this environment);
- ``"demo"`` when the user picks the demo;
- ``None`` on escape (the user left without choosing).
ctrl+r looks for a local server (Ollama, llama.cpp, LM Studio, vLLM) and fills
the form from what answers.
The form asks for the *name* of the variable that holds the key, never a key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import ClassVar, Literal

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from llmx_tui import paths
from llmx_tui.config import ConfigError
from llmx_tui.config_write import add_provider
from llmx_tui.providers.detect import LOCAL_PORTS, Detected, probe_local
from llmx_tui.providers.registry import KEY_ENV_ALIASES, PRESETS
from llmx_tui.providers.resolve import DEFAULT_MODELS
from llmx_tui.ui.dialogs.welcome_text import INTRO, STEPS
from llmx_tui.ui.widgets.bound_keys import run_dialog_key

WelcomeResult = Literal["configured", "demo"]
DEFAULT_PRESET = "openai"
# Pasted keys rather than variable names: never written anywhere.
_LOOKS_LIKE_A_KEY = re.compile(r"^(sk-|sk_|gsk_|xai-|AIza|Bearer\s)|[^A-Za-z0-9_]")


class _Field(Input):
    """Takes a burst in the order typed (``bound_keys``)."""

    async def _on_key(self, event: events.Key) -> None:
        await run_dialog_key(self, event)  # else Input's own handler types the key


class WelcomeScreen(Screen[WelcomeResult | None]):
    CSS_PATH = "welcome.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        # Run by a form field as their key reaches it, after the letters typed before them
        # (a priority ctrl+s saved the form without them: "Enter a model name").
        Binding("ctrl+s", "save", "Save provider", id="welcome.save"),
        Binding("ctrl+t", "demo", "Try the demo", id="welcome.demo"),
        Binding("ctrl+r", "find_local", "Find local server", id="welcome.find"),
        Binding("escape", "leave", "Quit", id="welcome.leave"),
    ]

    def __init__(
        self,
        *,
        config_path: Path | None = None,
        probe: Callable[[], Awaitable[Detected | None]] = probe_local,
        problem: str | None = None,
    ) -> None:
        super().__init__()
        # Why no provider could be used (e.g. the config's own error, with file and line).
        self._problem = problem
        self._config_path = config_path
        self._probe = probe

    @property
    def config_path(self) -> Path:
        return self._config_path or paths.config_path()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome-body"):
            yield Static(Content("Welcome to llmx-tui"), id="welcome-title")
            if self._problem:
                yield Static(Content(self._problem), id="welcome-problem")
            yield Static(Content(INTRO), id="welcome-intro")
            for number, (heading, body) in enumerate(STEPS, start=1):
                yield Static(
                    Content.from_markup("[b]$n. $heading[/b]", n=str(number), heading=heading),
                    classes="welcome-step-title",
                )
                yield Static(Content(body), classes="welcome-step")
            yield Static(
                Content.from_markup(
                    "[b]Add a provider[/b]  (saved in $path)", path=str(self.config_path)
                ),
                id="welcome-form-title",
            )
            with Vertical(id="welcome-form"):
                yield from self._field(
                    "Provider",
                    Select(
                        [(f"{p.label} ({p.name})", p.name) for p in PRESETS.values()],
                        value=DEFAULT_PRESET,
                        allow_blank=False,
                        compact=True,
                        id="welcome-preset",
                    ),
                )
                yield from self._field("Base URL", _Field(id="welcome-base-url", compact=True))
                yield from self._field("Key variable", _Field(id="welcome-key-env", compact=True))
                yield from self._field("Model", _Field(id="welcome-model", compact=True))
                yield Static(Content(""), id="welcome-status")
                with Horizontal(id="welcome-buttons"):
                    yield Button(Content("Save provider"), variant="primary", id="welcome-save")
                    yield Button(Content("Try the demo"), id="welcome-demo")
        yield Footer()

    @staticmethod
    def _field(label: str, widget: Select[str] | Input) -> ComposeResult:
        with Horizontal(classes="welcome-field"):
            yield Label(Content(label), classes="welcome-label")
            yield widget

    def on_mount(self) -> None:
        self._apply_preset(DEFAULT_PRESET)
        self.query_one("#welcome-preset", Select).focus(scroll_visible=False)

    @on(Select.Changed, "#welcome-preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._apply_preset(event.value)

    def _apply_preset(self, name: str) -> None:
        preset = PRESETS[name]
        base_url = self.query_one("#welcome-base-url", Input)
        base_url.placeholder = f"{preset.base_url}  (leave empty for this)"
        self.query_one("#welcome-key-env", Input).value = preset.api_key_env or ""
        self.query_one("#welcome-key-env", Input).placeholder = (
            "none needed for a local server" if preset.local else "e.g. OPENAI_API_KEY"
        )
        default_model = DEFAULT_MODELS.get(name)
        self.query_one("#welcome-model", Input).placeholder = (
            f"{default_model}  (leave empty for this)"
            if default_model
            else "required, e.g. llama3.2"
        )

    @on(Button.Pressed, "#welcome-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#welcome-demo")
    def _demo_pressed(self) -> None:
        self.action_demo()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def _say(self, message: str, *, problem: bool) -> None:
        status = self.query_one("#welcome-status", Static)
        status.update(Content(message))
        status.set_class(problem, "-problem")
        # The line sits under the form, below the fold on a 30-row terminal: without
        # this, ctrl+r and ctrl+s seemed to do nothing.
        self.call_after_refresh(status.scroll_visible, animate=False)

    def action_save(self) -> None:
        preset_name = self.query_one("#welcome-preset", Select).value
        assert isinstance(preset_name, str)
        preset = PRESETS[preset_name]
        key_input = self.query_one("#welcome-key-env", Input)
        key_env = key_input.value.strip()
        model = self.query_one("#welcome-model", Input).value.strip()
        base_url = self.query_one("#welcome-base-url", Input).value.strip()
        if key_env and _LOOKS_LIKE_A_KEY.search(key_env):
            key_input.value = ""  # a pasted key is dropped at once, never saved
            self._say(
                "That looks like a key, not a variable name. Put the key in an environment "
                "variable (export MY_KEY=...) and enter only the variable's name here.",
                problem=True,
            )
            return
        if not key_env and not preset.local and preset.api_key_env:
            self._say(
                f"Enter the name of the variable that holds the {preset.label} key.", problem=True
            )
            return
        if not model and preset_name not in DEFAULT_MODELS:
            self._say("Enter a model name (the server's /models list shows them).", problem=True)
            return
        try:
            written = add_provider(
                preset_name,
                preset=preset_name,
                base_url=base_url or None,
                api_key_env=key_env or None,
                model=model or None,
                path=self.config_path,
            )
        except ConfigError as exc:
            self._say(str(exc), problem=True)
            return
        missing = key_env and not any(
            os.environ.get(var) for var in KEY_ENV_ALIASES.get(key_env, (key_env,))
        )
        if missing:
            self._say(
                f"Saved to {written}. {key_env} is not set in this terminal: set it "
                f"(export {key_env}=...) and start llmx-tui again, or try the demo now.",
                problem=False,
            )
            return
        if self.is_active:  # dismiss() closes the top screen: never one opened over this
            self.dismiss("configured")

    @work(exclusive=True, group="welcome-probe")
    async def action_find_local(self) -> None:
        self._say("Looking for a model server on this machine…", problem=False)
        try:
            found = await self._probe()
        except Exception as exc:  # a probe failure is only a message
            self._say(f"Could not look for local servers: {exc}", problem=True)
            return
        if found is None or found.base_url is None:
            ports = ", ".join(str(port) for port in LOCAL_PORTS.values())
            self._say(
                f"No server answered on ports {ports}. Start one, then press ctrl+r.", problem=True
            )
            return
        self.query_one("#welcome-preset", Select).value = found.preset
        self.query_one("#welcome-base-url", Input).value = found.base_url
        if found.models:
            self.query_one("#welcome-model", Input).value = found.models[0]
        label = PRESETS[found.preset].label
        models = f"{len(found.models)} model{'' if len(found.models) == 1 else 's'}"
        self._say(f"Found {label} at {found.base_url} ({models}). ctrl+s saves it.", problem=False)

    def action_demo(self) -> None:
        if self.is_active:
            self.dismiss("demo")

    def action_leave(self) -> None:
        if self.is_active:
            self.dismiss(None)
