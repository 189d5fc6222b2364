"""A base URL without http:// or https:// is refused where it is given, never sent."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmx_tui.cli import main
from llmx_tui.config import ConfigError, load_settings
from llmx_tui.config_write import add_provider

pytestmark = pytest.mark.timeout(30)

BAD = [
    (
        "127.0.0.1:8080/v1",
        "is not an http:// or https:// URL (did you mean http://127.0.0.1:8080/v1?)",
    ),
    ("ftp://example.org/v1", "is not an http:// or https:// URL"),
    ("http://", "names no host"),
    ("http://127.0.0.1:port/v1", "is not a usable URL"),
]


@pytest.mark.parametrize(("url", "problem"), BAD)
def test_a_base_url_flag_that_is_not_http_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str, problem: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--print", "hi", "--model", "m", "--data-dir", str(tmp_path), "--base-url", url])
    assert exited.value.code == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.startswith(f"llmx-tui: error: argument --base-url: {url!r} {problem}")
    assert not (tmp_path / "history.db").exists()  # refused before anything ran


def test_a_config_base_url_that_is_not_http_is_reported_with_its_field_at_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'default_provider = "box"\n[providers.box]\npreset = "llamacpp"\n'
        'base_url = "localhost:8080/v1"\ndefault_model = "m"\n'
    )
    started = time.monotonic()
    code = main(["--config", str(config), "--print", "hi", "--data-dir", str(tmp_path)])
    assert code == 1 and time.monotonic() - started < 2  # no retries against nothing
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"llmx-tui: error: invalid config in {config}: providers.box.base_url: "
        "'localhost:8080/v1' is not an http:// or https:// URL "
        "(did you mean http://localhost:8080/v1?)"
    )


def test_good_base_urls_load_as_written_without_surrounding_spaces(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[providers.a]\npreset = "vllm"\nbase_url = " HTTPS://h.example/v1 "\n'
        '[providers.b]\npreset = "vllm"\nbase_url = "http://[::1]:8000/v1"\n'
    )
    providers = load_settings(config).providers
    assert [providers[name].base_url for name in "ab"] == [
        "HTTPS://h.example/v1",
        "http://[::1]:8000/v1",
    ]


def test_the_welcome_form_never_writes_a_base_url_that_cannot_work(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "llmx-dark"\n')
    with pytest.raises(ConfigError, match="did you mean http://localhost:11434/v1"):
        add_provider("local", preset="ollama", base_url="localhost:11434/v1", path=config)
    assert config.read_text() == 'theme = "llmx-dark"\n'
