"""`llmx-tui sessions` with a session file holding lone UTF-16 surrogates.

A hand-edited export can say ``"\\ud83d"`` (half an emoji). Importing it failed
with "unexpected error: PydanticSerializationError", and show, search and export
of such a session failed the same way on a real (UTF-8) stdout. Now the import
keeps the text exactly, the JSON export gives it back as the same escape, and
what is printed for people shows U+FFFD.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main as llmx_main
from llmx_tui.cli_sessions import main
from llmx_tui.store.sqlite import SessionStore
from tests.loopback import Reply, openai_text_stream

pytestmark = pytest.mark.timeout(30)

SESSION = {
    "format": "llmx-tui.session/1",
    "title": "edited \ud83d by hand",
    "provider": "openai",
    "model": "gpt-test",
    "system_prompt": "terse \udc00",
    "items": [
        {"type": "user_message", "text": "findme cut \ud83d here"},
        {"type": "assistant_message", "text": "reply \ude00 half"},
    ],
}


class Utf8Stdout:
    """sys.stdout as a pipe or a file has it: strict UTF-8 (pytest's capture is not)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.raw = io.BytesIO()
        self.stream = io.TextIOWrapper(self.raw, encoding="utf-8", errors="strict")
        self.monkeypatch = monkeypatch

    def run(self, data_dir: Path, *args: str) -> int:
        # Set here, in the test: pytest sets its own capture when the test starts.
        self.monkeypatch.setattr(sys, "stdout", self.stream)
        return main([*args, "--data-dir", str(data_dir)])

    def take(self) -> str:
        self.stream.flush()
        text = self.raw.getvalue().decode("utf-8")
        self.raw.seek(0)
        self.raw.truncate()
        return text


@pytest.fixture
def stdout(monkeypatch: pytest.MonkeyPatch) -> Utf8Stdout:
    return Utf8Stdout(monkeypatch)


def imported(tmp_path: Path, stdout: Utf8Stdout) -> str:
    source = tmp_path / "edited.json"
    source.write_text(json.dumps(SESSION), encoding="utf-8")  # the \udXXX escapes
    assert stdout.run(tmp_path, "import", str(source)) == 0
    return stdout.take().strip()


def test_import_keeps_the_text_exactly(
    tmp_path: Path, stdout: Utf8Stdout, capsys: pytest.CaptureFixture[str]
) -> None:
    session_id = imported(tmp_path, stdout)
    assert capsys.readouterr().err == ""
    with SessionStore.open(tmp_path / "history.db") as store:
        items = store.load_items(session_id)
        info = store.get_session(session_id)
    assert [item.text for item in items] == ["findme cut \ud83d here", "reply \ude00 half"]  # type: ignore[union-attr]
    assert info.title == "edited \ufffd by hand"  # a title is made for display


def test_the_json_export_round_trips_the_escapes(tmp_path: Path, stdout: Utf8Stdout) -> None:
    session_id = imported(tmp_path, stdout)
    assert stdout.run(tmp_path, "export", session_id[:8], "--format", "json") == 0
    printed = stdout.take()
    assert '"findme cut \\ud83d here"' in printed
    exported = json.loads(printed)
    assert [item["text"] for item in exported["items"]] == [
        item["text"] for item in SESSION["items"]
    ]

    target = tmp_path / "out.json"
    assert (
        stdout.run(tmp_path, "export", session_id[:8], "--format", "json", "-o", str(target)) == 0
    )
    assert json.loads(target.read_text("utf-8"))["items"] == exported["items"]


def test_show_search_list_and_markdown_print_a_replacement_character(
    tmp_path: Path, stdout: Utf8Stdout
) -> None:
    session_id = imported(tmp_path, stdout)
    assert stdout.run(tmp_path, "show", session_id[:8]) == 0
    shown = stdout.take()
    assert "findme cut \ufffd here" in shown and "reply \ufffd half" in shown

    assert stdout.run(tmp_path, "search", "findme") == 0
    assert "findme" in stdout.take()
    assert stdout.run(tmp_path, "search", "findme", "--json") == 0
    assert json.loads(stdout.take())[0]["item_number"] == 1

    assert stdout.run(tmp_path, "list") == 0
    assert "edited \ufffd by hand" in stdout.take()

    assert stdout.run(tmp_path, "export", session_id[:8]) == 0
    markdown = stdout.take()
    assert "findme cut \ufffd here" in markdown and "terse \ufffd" in markdown


def test_resuming_such_a_session_sends_it_mended(
    tmp_path: Path, stdout: Utf8Stdout, loopback: Any
) -> None:
    """Every request of the session failed: "its text holds a character that cannot be
    encoded as UTF-8". The request now carries U+FFFD; the history keeps its text."""
    session_id = imported(tmp_path, stdout)
    loopback.add(Reply(body=openai_text_stream("fine")))
    flags = ["--base-url", loopback.base_url, "--model", "m", "--data-dir", str(tmp_path)]
    stdout.monkeypatch.setattr(sys, "stdout", stdout.stream)
    assert llmx_main(["--resume", session_id[:8], "--print", "next", *flags]) == 0
    assert stdout.take() == "fine\n"
    sent = loopback.requests[-1].json()
    assert sent["messages"][0] == {"role": "system", "content": "terse \ufffd"}
    assert [m["content"] for m in sent["messages"][1:]] == [
        "findme cut \ufffd here",
        "reply \ufffd half",
        "next",
    ]
    with SessionStore.open(tmp_path / "history.db") as store:
        assert store.load_items(session_id)[0].text == "findme cut \ud83d here"  # type: ignore[union-attr]
