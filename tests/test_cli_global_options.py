"""Global options and the ``sessions`` command: any order a user would type works the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmx_tui.cli import main
from llmx_tui.store.sqlite import SessionStore

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder holding one session titled "Kept here"."""
    folder = tmp_path / "data"
    with SessionStore.open(folder / "history.db") as store:
        store.rename(store.create_session(provider="p", model="m"), "Kept here")
    return folder


def _titles(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[str]:
    assert main(argv) == 0, capsys.readouterr().err
    return [entry["title"] for entry in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize(
    "order",
    [
        ["--data-dir", "{dir}", "sessions", "list", "--json"],
        ["--data-dir={dir}", "sessions", "list", "--json"],
        ["sessions", "--data-dir", "{dir}", "list", "--json"],
        ["sessions", "list", "--data-dir", "{dir}", "--json"],
        ["sessions", "list", "--json", "--data-dir={dir}"],
    ],
)
def test_data_dir_before_or_after_sessions_reads_that_folder(
    capsys: pytest.CaptureFixture[str], data_dir: Path, order: list[str]
) -> None:
    argv = [word.replace("{dir}", str(data_dir)) for word in order]
    assert _titles(capsys, argv) == ["Kept here"]


def test_every_sessions_command_takes_the_global_data_dir(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    first = ["--data-dir", str(data_dir), "sessions"]
    [session_id] = [e["id"] for e in json.loads(_out(capsys, [*first, "list", "--json"]))]
    assert "Kept here" in _out(capsys, [*first, "show", session_id[:6]])
    assert main([*first, "rename", session_id[:6], "Renamed"]) == 0
    assert _out(capsys, [*first, "export", session_id[:6]]).startswith("# Renamed\n")
    assert "No matches." in _out(capsys, [*first, "search", "zebra"])
    assert main([*first, "delete", session_id[:6], "--yes"]) == 0
    assert _out(capsys, [*first, "list"]) == "No sessions yet.\n"


def _out(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_the_later_data_dir_wins(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    other = str(tmp_path / "other")
    assert _titles(
        capsys, ["--data-dir", other, "sessions", "list", "--data-dir", str(data_dir), "--json"]
    ) == ["Kept here"]


@pytest.mark.parametrize("option", [["--model", "m"], ["--no-tools"], ["--print", "hi"]])
def test_an_app_option_before_sessions_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], data_dir: Path, option: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*option, "--data-dir", str(data_dir), "sessions", "list"])
    assert exited.value.code == 2
    line = capsys.readouterr().err.splitlines()[-1]
    assert line == (
        f"llmx-tui: error: {option[0]} does not apply to `llmx-tui sessions` "
        "(of the global options, only --data-dir does)"
    )


def test_sessions_as_an_option_value_is_not_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--print sessions`` sends the prompt "sessions" (here to the demo server)."""
    code = main(["--demo", "--no-tools", "--data-dir", str(tmp_path), "--print", "sessions"])
    assert code == 0
    assert capsys.readouterr().out.strip()
    with SessionStore.open(tmp_path / "history.db") as store:
        [info] = store.list_sessions()
        [prompt, *_] = store.load_items(info.id)
    assert prompt.text == "sessions"
