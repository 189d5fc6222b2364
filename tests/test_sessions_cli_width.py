"""`llmx-tui sessions list / search / show` on a terminal fit its width; a pipe gets it all."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from llmx_tui.cli_sessions import main
from llmx_tui.store.session_format import SESSION_FORMAT

pytestmark = pytest.mark.timeout(30)

TITLE = "Quarterly numbers for the 中文字符 office, with the long tail of every footnote"
FAR_MATCH = "filler " * 30 + "needle in the haystack " + "more words after it " * 10
SESSION = {
    "format": SESSION_FORMAT,
    "title": TITLE,
    "provider": "openai-compatible",
    "model": "a-rather-long-model-name-for-testing-widths",
    "items": [
        {"type": "user_message", "text": "Where is the needle? " + "context " * 40},
        {"type": "assistant_message", "text": FAR_MATCH},
        {"type": "tool_call", "call_id": "c1", "name": "run_shell", "arguments": "{}" * 80},
    ],
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    source = tmp_path / "session.json"
    source.write_text(json.dumps(SESSION, ensure_ascii=False), encoding="utf-8")
    assert main(["import", str(source), "--data-dir", str(tmp_path / "data")]) == 0
    return tmp_path / "data"


def _run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> list[str]:
    capsys.readouterr()
    assert main([*args, "--data-dir", str(data_dir)]) == 0
    return capsys.readouterr().out.splitlines()


def _terminal(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))


@pytest.mark.parametrize("columns", [80, 100, 60])
def test_on_a_terminal_every_row_fits_its_width(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    data_dir: Path,
    columns: int,
) -> None:
    [session] = json.loads("\n".join(_run(capsys, data_dir, "list", "--json")))
    _terminal(monkeypatch, columns)
    for command in (["list"], ["search", "needle"], ["show", session["id"]]):
        lines = _run(capsys, data_dir, *command)
        assert lines and all(cell_len(line) <= columns for line in lines), (command, lines)
        assert any(line.endswith("…") for line in lines), (command, lines)


def test_search_on_an_80_column_terminal_cuts_the_title_and_keeps_the_match_in_view(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    _terminal(monkeypatch, 80)
    lines = _run(capsys, data_dir, "search", "needle")
    heading, snippet = lines[2], lines[3]  # the assistant's hit: its match is far in
    assert heading.split()[1:3] == ["#2", "assistant"]
    assert "Quarterly numbers for the 中文字符 office" in heading and heading.endswith("…")
    assert cell_len(heading) <= 80
    assert "«needle»" in snippet and snippet.startswith(" " * 10 + "…")


def test_in_a_pipe_nothing_is_cut_whatever_the_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    search = _run(capsys, data_dir, "search", "needle")
    assert search[0].endswith(TITLE) and "«needle»" in search[3]
    listing = _run(capsys, data_dir, "list")
    assert listing[0].endswith(f"{SESSION['model']}  {TITLE}")


def test_search_json_lists_every_hit_in_full(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    hits = json.loads("\n".join(_run(capsys, data_dir, "search", "needle", "--json")))
    assert [(hit["item_number"], hit["kind"], hit["title"]) for hit in hits] == [
        (1, "user_message", TITLE),
        (2, "assistant_message", TITLE),
    ]
    assert all(len(hit["session_id"]) == 32 and "«needle»" in hit["snippet"] for hit in hits)
    assert json.loads("\n".join(_run(capsys, data_dir, "search", "zebra", "--json"))) == []
