"""`llmx-tui sessions` wording a user reads: "1 item", not "1 items"."""

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
