"""WelcomeScreen: the steps, the demo, and the form that writes the config (never a key)."""

from __future__ import annotations

import json
import stat
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static

from llmx_tui.config import load_settings
from llmx_tui.providers.detect import probe_local
from llmx_tui.providers.resolve import resolve_provider
from llmx_tui.ui.dialogs.welcome import WelcomeScreen
from tests.loopback import LoopbackServer, Reply
from tests.test_dialogs_harness import SIZE, DialogHost, steady


def host(config: Path) -> DialogHost:
    return DialogHost(lambda: WelcomeScreen(config_path=config))


async def choose_preset(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one("#welcome-preset", Select).value = name
    await pilot.pause()


async def fill(pilot, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    widget = pilot.app.screen.query_one(f"#welcome-{field}", Input)
    widget.focus()
    widget.value = text
    await pilot.pause()


def status(app: DialogHost) -> str:
    return str(app.screen.query_one("#welcome-status", Static).render())


async def test_explains_every_way_to_add_a_provider(tmp_path: Path) -> None:
    app = host(tmp_path / "config.toml")
    async with app.run_test(size=SIZE):
        text = " ".join(str(s.render()) for s in app.screen.query(Static))
    for needle in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "GOOGLE_API_KEY",
        "Ollama",
        "11434",
        "demo",
        str(tmp_path / "config.toml"),
    ):
        assert needle in text


async def test_demo_key_and_button(tmp_path: Path) -> None:
    app = host(tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
    assert app.results == ["demo"]
    app = host(tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#welcome-demo")
        await pilot.pause()
    assert app.results == ["demo"]


async def test_preset_is_chosen_with_the_keyboard_and_fills_the_key_variable(
    tmp_path: Path,
) -> None:
    app = host(tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter", "down", "enter")  # open the list, next preset, choose
        await pilot.pause()
        assert app.screen.query_one("#welcome-preset", Select).value == "openrouter"
        assert app.screen.query_one("#welcome-key-env", Input).value == "OPENROUTER_API_KEY"
        await pilot.press("tab")
        assert app.screen.query_one("#welcome-base-url", Input).has_focus


async def test_local_server_form_writes_a_usable_private_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = host(config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_preset(pilot, "ollama")
        assert app.screen.query_one("#welcome-key-env", Input).value == ""
        await fill(pilot, "model", "llama3.2")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == ["configured"]
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    resolved = resolve_provider(load_settings(config))
    assert (resolved.name, resolved.model, resolved.base_url) == (
        "ollama",
        "llama3.2",
        "http://127.0.0.1:11434/v1",
    )


async def test_hosted_provider_with_key_set_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORK_ANTHROPIC_KEY", "sk-ant-secret-value")
    config = tmp_path / "config.toml"
    app = host(config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_preset(pilot, "anthropic")
        assert app.screen.query_one("#welcome-key-env", Input).value == "ANTHROPIC_API_KEY"
        await fill(pilot, "key-env", "WORK_ANTHROPIC_KEY")
        await pilot.press("enter")  # submitting any field saves
        await pilot.pause()
    assert app.results == ["configured"]
    text = config.read_text()
    assert "sk-ant-secret-value" not in text
    data = tomllib.loads(text)
    assert data["providers"]["anthropic"]["api_key_env"] == "WORK_ANTHROPIC_KEY"
    assert data["default_provider"] == "anthropic"


async def test_unset_key_variable_saves_and_explains_without_dismissing(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = host(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")  # openai preset, OPENAI_API_KEY prefilled but not set
        await pilot.pause()
        assert app.results == []
        assert "OPENAI_API_KEY is not set" in status(app)
    assert tomllib.loads(config.read_text())["providers"]["openai"]["api_key_env"] == (
        "OPENAI_API_KEY"
    )


async def test_a_pasted_key_is_dropped_and_never_written(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = host(config)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, "key-env", "sk-live-0123456789abcdef")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "looks like a key" in status(app)
        assert app.screen.query_one("#welcome-key-env", Input).value == ""
        assert app.results == []
    assert not config.exists()


async def test_model_required_when_the_preset_has_no_default(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = host(config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_preset(pilot, "vllm")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "model name" in status(app)
    assert not config.exists()


async def test_invalid_config_is_reported_and_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("theme = [broken\n")
    app = host(config)
    async with app.run_test(size=SIZE) as pilot:
        await choose_preset(pilot, "ollama")
        await fill(pilot, "model", "qwen")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "invalid TOML" in status(app)
        assert app.results == []
    assert config.read_text() == "theme = [broken\n"


async def test_escape_leaves_without_a_choice(tmp_path: Path) -> None:
    app = host(tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_finds_a_local_server_and_saves_it(tmp_path: Path, loopback: LoopbackServer) -> None:
    loopback.add(
        Reply(
            body=json.dumps({"data": [{"id": "qwen3:8b"}, {"id": "llama3.2"}]}).encode(),
            content_type="application/json",
        )
    )
    config = tmp_path / "config.toml"
    app = DialogHost(
        lambda: WelcomeScreen(
            config_path=config, probe=lambda: probe_local({"ollama": loopback.port}, timeout=2.0)
        )
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Found Ollama" in status(app) and "2 models" in status(app)
        assert app.screen.query_one("#welcome-preset", Select).value == "ollama"
        assert app.screen.query_one("#welcome-model", Input).value == "qwen3:8b"
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == ["configured"]
    resolved = resolve_provider(load_settings(config))
    assert (resolved.name, resolved.base_url, resolved.model) == (
        "ollama",
        loopback.base_url,
        "qwen3:8b",
    )


async def test_no_local_server_is_explained(tmp_path: Path) -> None:
    async def nothing() -> None:
        return None

    app = DialogHost(lambda: WelcomeScreen(config_path=tmp_path / "c.toml", probe=nothing))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "No server answered on ports 11434" in status(app)
        assert app.results == []


def test_snapshot_welcome(snap_compare) -> None:
    fixed = Path("/home/ada/.config/llmx-tui/config.toml")
    assert snap_compare(
        DialogHost(lambda: WelcomeScreen(config_path=fixed)), terminal_size=SIZE, run_before=steady
    )


async def test_the_reason_is_shown_literally_above_the_steps() -> None:
    from textual.app import App
    from textual.widgets import Static

    from llmx_tui.ui.dialogs.welcome import WelcomeScreen

    problem = "invalid TOML in /x/config.toml: Expected '=' (at line 3, column 7) [b]x[/b]"

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(WelcomeScreen(problem=problem))

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = app.screen.query_one("#welcome-problem", Static)
        assert str(shown.render()) == problem
