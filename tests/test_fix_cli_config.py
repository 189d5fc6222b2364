"""Config values that cannot work are refused when the file is read, naming the key and
the file, not taken and left to fail (or truncate every tool result to nothing) later."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmx_tui.cli import main
from llmx_tui.config import ConfigError, load_settings

pytestmark = pytest.mark.timeout(30)


def config(tmp_path: Path, tools: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[tools]\n{tools}\n")
    return path


@pytest.mark.parametrize("value", ["0", "-1", "-32768"])
def test_an_output_cap_below_one_byte_is_refused(tmp_path: Path, value: str) -> None:
    path = config(tmp_path, f"output_cap = {value}")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"invalid config in {path}: tools.output_cap: Input should be greater than or equal to 1"
    )


@pytest.mark.parametrize("value", ["0", "-5", "0.0"])
def test_a_shell_timeout_of_no_time_is_refused(tmp_path: Path, value: str) -> None:
    path = config(tmp_path, f"shell_timeout = {value}")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == (
        f"invalid config in {path}: tools.shell_timeout: Input should be greater than 0"
    )


def test_positive_values_are_kept(tmp_path: Path) -> None:
    tools = load_settings(config(tmp_path, "output_cap = 1\nshell_timeout = 0.5")).tools
    assert (tools.output_cap, tools.shell_timeout) == (1, 0.5)


def test_the_command_line_says_it_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = config(tmp_path, "output_cap = 0")
    assert main(["--config", str(path), "--data-dir", str(tmp_path), "--print", "hi"]) == 1
    assert capsys.readouterr().err == (
        f"llmx-tui: error: invalid config in {path}: tools.output_cap: "
        "Input should be greater than or equal to 1\n"
    )
