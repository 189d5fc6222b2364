"""End to end: the installed `llmx-tui` with no provider shows the welcome screen (tmux)."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmx_tui.providers.detect import KEY_PRESETS, LOCAL_PORTS
from llmx_tui.providers.registry import KEY_ENV_ALIASES, PRESETS
from tests.tmux_terminal import COMMAND, Terminal, tmux_session

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(not COMMAND.exists(), reason="llmx-tui is not installed here"),
]


def key_variables() -> list[str]:
    names = {"TOGETHER_API_KEY"}
    for preset in KEY_PRESETS:
        variable = PRESETS[preset].api_key_env
        assert variable is not None
        names.update(KEY_ENV_ALIASES.get(variable, (variable,)))
    return sorted(names)


def local_server_running() -> bool:
    for port in LOCAL_PORTS.values():
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
    return False


@pytest.fixture
def first_run(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    if local_server_running():
        pytest.skip("a local model server answers on a probed port: not a first run")
    config_home = Path(os.environ["XDG_CONFIG_HOME"])
    # The tmux server may carry its own environment: unset every key explicitly.
    unset = [arg for var in [*key_variables(), "LLMX_TUI_CONFIG_DIR"] for arg in ("-u", var)]
    command = shlex.join(
        [
            "env",
            *unset,
            f"XDG_CONFIG_HOME={config_home}",
            f"XDG_DATA_HOME={os.environ['XDG_DATA_HOME']}",
            f"LLMX_TUI_DATA_DIR={os.environ['LLMX_TUI_DATA_DIR']}",
            str(COMMAND),
        ]
    )
    with tmux_session(
        tmp_path,
        env={},
        command=f"{command}; echo LLMX-EXITED $?; sleep 30",
        gone_marker="LLMX-EXITED",
    ) as terminal:
        yield terminal, config_home / "llmx-tui" / "config.toml"


def test_first_run_without_a_provider_shows_the_welcome_screen(
    first_run: tuple[Terminal, Path],
) -> None:
    terminal, config = first_run
    text = terminal.wait_for("Welcome to llmx-tui")
    for needle in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "Ollama", "11434", "demo"):
        assert needle in text
    assert "LLMX-EXITED" not in text
    assert not config.exists()  # nothing is written until the user saves the form
    assert "no provider configured" in text  # why the welcome screen is shown
    # ctrl+t picks the demo: the chat app opens on the scripted provider.
    terminal.send("C-t")
    terminal.wait_for("demo · demo")
