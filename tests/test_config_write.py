"""config_write.add_provider: appends or updates one provider, never loses or breaks a file."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from llmx_tui import paths
from llmx_tui.config import ConfigError, load_settings
from llmx_tui.config_write import add_provider
from llmx_tui.providers.resolve import resolve_provider


def test_creates_a_private_config_that_resolves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sub" / "config.toml"
    add_provider(
        "local",
        preset="ollama",
        base_url="http://127.0.0.1:11434/v1",
        model="llama3.2",
        path=target,
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    settings = load_settings(target)
    resolved = resolve_provider(settings)
    assert (resolved.name, resolved.model, resolved.base_url) == (
        "local",
        "llama3.2",
        "http://127.0.0.1:11434/v1",
    )


def test_default_path_is_the_config_dir() -> None:
    written = add_provider("openai", preset="openai", api_key_env="MY_OPENAI_KEY")
    assert written == paths.config_path()
    assert load_settings().providers["openai"].api_key_env == "MY_OPENAI_KEY"


def test_keeps_comments_other_tables_and_values(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    original = (
        "# my settings\n"
        'theme = "nord"  # keep me\n'
        "max_steps = 7\n\n"
        "[providers.work]\n"
        'preset = "openai"\n'
        'models = [\n  "a",\n  "b",\n]\n'
        "[providers.work.headers]\n"
        '"X-Team" = "blue"\n\n'
        "[tools]\n"
        'always_allow = ["read_file"]\n'
    )
    target.write_text(original)
    add_provider("groq", preset="groq", api_key_env="GROQ_API_KEY", model="llama", path=target)
    text = target.read_text()
    assert "# my settings" in text and "# keep me" in text
    data = tomllib.loads(text)
    assert data["theme"] == "nord" and data["max_steps"] == 7
    assert data["providers"]["work"] == {
        "preset": "openai",
        "models": ["a", "b"],
        "headers": {"X-Team": "blue"},
    }
    assert data["providers"]["groq"] == {
        "preset": "groq",
        "api_key_env": "GROQ_API_KEY",
        "default_model": "llama",
    }
    assert data["tools"] == {"always_allow": ["read_file"]}
    assert (data["default_provider"], data["default_model"]) == ("groq", "llama")


def test_updates_an_existing_provider_in_place(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text(
        'default_provider = "old"\ndefault_model = "old-model"\n\n'
        '[providers.mine]\npreset = "openai"\nbase_url = "http://a/v1"\n'
        'models = ["x"]\n# note\n\n[providers.old]\npreset = "openai"\n'
    )
    add_provider("mine", preset="vllm", base_url="http://b/v1", path=target)
    data = tomllib.loads(target.read_text())
    assert data["providers"]["mine"] == {
        "preset": "vllm",
        "base_url": "http://b/v1",
        "models": ["x"],
    }
    assert data["providers"]["old"] == {"preset": "openai"}
    # The old default model belonged to the old provider: it must not stick to the new one.
    assert data["default_provider"] == "mine" and "default_model" not in data
    assert target.read_text().count("[providers.mine]") == 1


def test_not_default_leaves_defaults_alone(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    target.write_text('default_provider = "a"\n[providers.a]\npreset = "openai"\n')
    add_provider("b", preset="groq", make_default=False, path=target)
    data = tomllib.loads(target.read_text())
    assert data["default_provider"] == "a" and set(data["providers"]) == {"a", "b"}


@pytest.mark.parametrize(
    "content",
    [
        b"theme = \n",  # invalid TOML
        b'unknown_setting = "x"\n',  # valid TOML, invalid config
        b"\xff\xfe theme",  # not UTF-8
    ],
)
def test_refuses_to_touch_an_invalid_file(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "config.toml"
    target.write_bytes(content)
    os.chmod(target, 0o644)
    with pytest.raises(ConfigError, match="not changing"):
        add_provider("openai", preset="openai", path=target)
    assert target.read_bytes() == content
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_refuses_a_provider_defined_inline(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    original = '[providers]\nmine = { preset = "openai" }\n'
    target.write_text(original)
    with pytest.raises(ConfigError, match="by hand"):
        add_provider("mine", preset="groq", path=target)
    assert target.read_text() == original


def test_rejects_a_literal_key_in_place_of_a_variable_name(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    with pytest.raises(ConfigError, match="environment variable name"):
        add_provider("openai", preset="openai", api_key_env="sk-live-123", path=target)
    assert not target.exists()


def test_rejects_unknown_preset(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown preset"):
        add_provider("x", preset="nope", path=tmp_path / "c.toml")


def test_awkward_names_and_values_are_quoted(tmp_path: Path) -> None:
    target = tmp_path / "config.toml"
    add_provider(
        'my "box".lan',
        preset="openai-compatible",
        base_url='http://h/"v1"\\x',
        model="m\nx",
        path=target,
    )
    data = tomllib.loads(target.read_text())
    assert data["providers"]['my "box".lan']["base_url"] == 'http://h/"v1"\\x'
    assert data["default_model"] == "m\nx"
    # Updating the same awkward name finds its table again.
    add_provider('my "box".lan', preset="vllm", path=target)
    assert tomllib.loads(target.read_text())["providers"]['my "box".lan']["preset"] == "vllm"


def test_a_symlinked_config_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "llmx.toml"
    real.parent.mkdir()
    real.write_text('theme = "nord"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    add_provider("groq", preset="groq", path=link)
    assert link.is_symlink()
    assert tomllib.loads(real.read_text())["providers"]["groq"] == {"preset": "groq"}
