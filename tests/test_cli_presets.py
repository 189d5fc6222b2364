"""A config entry with a wrong or missing preset is reported by its entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmx_tui.cli import main
from llmx_tui.providers.registry import PRESETS

CHOICES = ", ".join(sorted(PRESETS))


def error_line(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> str:
    code = main(["--config", str(config), "--print", "hi", "--data-dir", str(config.parent), *args])
    assert code == 1
    [line] = capsys.readouterr().err.splitlines()
    return line


def test_an_unknown_preset_names_the_entry_and_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[providers.w]\npreset = "nosuchpreset"\nbase_url = "http://127.0.0.1:9/v1"\n'
    )
    assert error_line(capsys, config, "--provider", "w") == (
        f'llmx-tui: error: [providers.w] preset "nosuchpreset" in {config} is not a known '
        f"preset; choose one of: {CHOICES}"
    )


def test_an_entry_without_a_preset_whose_name_is_no_preset_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'default_provider = "my work"\n[providers."my work"]\nbase_url = "http://127.0.0.1:9/v1"\n'
    )
    assert error_line(capsys, config) == (
        f'llmx-tui: error: [providers."my work"] in {config} has no preset and "my work" is '
        f"not a preset name; set preset to one of: {CHOICES}"
    )


def test_a_name_that_is_neither_configured_nor_a_preset_is_an_unknown_provider(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[providers.w]\npreset = "ollama"\n')
    line = error_line(capsys, config, "--provider", "nope")
    assert line == f"llmx-tui: error: unknown provider 'nope'; choose one of: {CHOICES}"
