"""`llmx-tui sessions` as a user reads it: counts, hints, and what a search cannot find."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from llmx_tui.cli_sessions import main

pytestmark = pytest.mark.timeout(30)


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], texts: list[str]) -> str:
    source = tmp_path / f"s{len(texts)}.json"
    items = [{"type": "user_message", "text": text} for text in texts]
    source.write_text(json.dumps({"format": "llmx-tui.session/1", "title": "t", "items": items}))
    assert main(["import", str(source), "--data-dir", str(tmp_path)]) == 0
    return capsys.readouterr().out.strip()


def test_list_counts_one_item_in_the_same_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(tmp_path, capsys, ["a", "b"])
    imported(tmp_path, capsys, ["a"])
    assert main(["list", "--data-dir", str(tmp_path)]) == 0
    one, two = capsys.readouterr().out.splitlines()
    assert one[26:42] == "      1 item   -" and two[26:42] == "      2 items  -"


def test_the_delete_question_counts_one_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = imported(tmp_path, capsys, ["only"])

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["delete", session_id, "--data-dir", str(tmp_path)]) == 1
    assert '"t" (1 item)? [y/N] Not deleted.' in capsys.readouterr().err


def test_import_from_a_terminal_says_how_to_end_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """It waited in silence, as if hung (``--print -`` says the same)."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    session = {"format": "llmx-tui.session/1", "items": [{"type": "user_message", "text": "a"}]}
    monkeypatch.setattr("sys.stdin", Terminal(json.dumps(session)))
    assert main(["import", "-", "--data-dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "llmx-tui: reading the session from stdin; end it with Ctrl-D\n"
    assert len(captured.out.strip()) == 32


@pytest.mark.parametrize("query", ["😀", "*", '"'])
def test_a_search_without_words_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], query: str
) -> None:
    """ "No matches." for "😀" read as if no message held one; the search indexes words."""
    imported(tmp_path, capsys, ["party 😀 time"])
    assert main(["search", query, "--data-dir", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"llmx-tui: nothing to search for in {query!r}: the search matches words "
        "(letters, digits)\n"
    )
    assert main(["search", "party", "--json", "--data-dir", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)[0]["snippet"] == "«party» 😀 time"


@pytest.mark.parametrize("command", [["list"], ["search", "a"]])
def test_a_limit_past_what_sqlite_counts_means_no_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """--limit 99999999999999999999 was "unexpected error: OverflowError"."""
    imported(tmp_path, capsys, ["a"])
    assert main([*command, "--limit", "9" * 20, "--json", "--data-dir", str(tmp_path)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
