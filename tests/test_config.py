"""Settings from TOML, provider resolution from settings + flags, theme persistence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmx_tui.config import ConfigError, Settings, load_settings, save_theme
from llmx_tui.providers.resolve import ProviderSetupError, resolve_provider

FULL = """
default_provider = "work"
system_prompt = "Be brief."
theme = "llmx-dark"

[providers.work]
preset = "openai"
base_url = "https://example.invalid/v1"
api_key_env = "WORK_KEY"
models = ["gpt-4o-mini", "o3"]
headers = { "OpenAI-Organization" = "org-1" }

[providers.local]
preset = "llamacpp"
base_url = "http://127.0.0.1:8080/v1"
reasoning_field = "reasoning"
default_model = "qwen"

[tools]
output_cap = 1000
always_allow = ["run_shell"]

[network]
idle_timeout = 5
max_attempts = 2

[mcp.servers.files]
command = "python3"
args = ["-m", "server"]
"""


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(mode)
    return path


def test_full_example_loads_and_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(write(tmp_path, FULL))
    assert settings.tools.output_cap == 1000 and settings.network.max_attempts == 2
    assert settings.mcp.servers["files"].args == ["-m", "server"]
    monkeypatch.setenv("WORK_KEY", "k-123")
    work = resolve_provider(settings)
    assert (work.name, work.preset.name, work.model) == ("work", "openai", "gpt-4o-mini")
    assert work.api_key == "k-123" and work.headers == {"OpenAI-Organization": "org-1"}
    local = resolve_provider(settings, provider="local")
    assert local.api_key is None and local.model == "qwen" and local.reasoning_field == "reasoning"
    flagged = resolve_provider(settings, provider="local", model="m2", base_url="http://h/v1")
    assert (flagged.model, flagged.base_url) == ("m2", "http://h/v1")


def test_missing_file_means_defaults_unless_named(tmp_path: Path) -> None:
    assert load_settings(None) == Settings()
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("default_provider = \n", "line 1"),
        ("[providers.x]\nbase_url = 3\n", "providers.x.base_url"),
        ("colour = 'red'\n", "colour"),
        ("[network]\nmax_attempts = 0\n", "network.max_attempts"),
    ],
)
def test_invalid_config_names_file_and_problem_and_is_left_untouched(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(path) in str(caught.value) and needle in str(caught.value)
    assert path.read_text() == text


def test_literal_key_in_a_world_readable_file_warns(tmp_path: Path) -> None:
    text = '[providers.openai]\napi_key = "sk-literal"\n'
    assert load_settings(write(tmp_path, text, 0o600)).warnings == []
    [warning] = load_settings(write(tmp_path, text, 0o644)).warnings
    assert "chmod 600" in warning and "sk-literal" not in warning


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(ProviderSetupError, match="DEEPSEEK_API_KEY"):
        resolve_provider(Settings(), provider="deepseek")


def test_api_key_cmd_is_used(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"providers": {"openai": {"api_key_cmd": "echo from-command"}}}
    )
    assert resolve_provider(settings, provider="openai").api_key == "from-command"
    failing = Settings.model_validate({"providers": {"openai": {"api_key_cmd": "exit 3"}}})
    with pytest.raises(ProviderSetupError, match="exited 3"):
        resolve_provider(failing, provider="openai")


def test_save_theme_touches_only_the_theme_line(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    save_theme("paper-light", path)
    text = path.read_text()
    assert 'theme = "paper-light"' in text and "llmx-dark" not in text
    assert text.replace('theme = "paper-light"', 'theme = "llmx-dark"').strip() == FULL.strip()
    fresh = tmp_path / "sub" / "new.toml"
    save_theme("x", fresh)
    assert load_settings(fresh).theme == "x"
    sectioned = write(tmp_path, "[tools]\nenabled = false\n")
    save_theme("y", sectioned)
    loaded = load_settings(sectioned)
    assert loaded.theme == "y" and loaded.tools.enabled is False
    assert os.stat(sectioned).st_size > 0


def test_save_theme_never_rewrites_an_invalid_file(tmp_path: Path) -> None:
    path = write(tmp_path, "theme = \n[broken\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        save_theme("x", path)
    assert path.read_text() == "theme = \n[broken\n"
