"""Output to a stdout that cannot encode every character (``PYTHONIOENCODING=ascii``, a
Latin-1 locale, a Windows code page).

A reply holding "é" or an emoji made ``--print`` end in a UnicodeEncodeError traceback
(text and --json alike), and `sessions search` in "unexpected error". Text for people
now shows what cannot be encoded as ``?``; JSON escapes it and stays exact.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.loopback import Reply, openai_text_stream

pytestmark = pytest.mark.timeout(30)

REPLY = "Café 😀 ok"


class NarrowStdout:
    """stdout as an ASCII locale has it: strict, the way Python opens it there."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, encoding: str = "ascii") -> None:
        self.raw = io.BytesIO()
        self.stream = io.TextIOWrapper(self.raw, encoding=encoding, errors="strict")
        self.monkeypatch = monkeypatch

    def run(self, *argv: str) -> int:
        self.monkeypatch.setattr(sys, "stdout", self.stream)  # set in the test: see pytest
        return main(list(argv))

    def take(self) -> bytes:
        self.stream.flush()
        data = self.raw.getvalue()
        self.raw.seek(0)
        self.raw.truncate()
        return data


def ask(loopback: Any, tmp_path: Path, out: NarrowStdout, *extra: str) -> int:
    loopback.add(Reply(body=openai_text_stream(REPLY, pieces=3)))
    flags = ["--base-url", loopback.base_url, "--model", "m", "--data-dir", str(tmp_path)]
    return out.run("--print", "hi", *flags, *extra)


@pytest.fixture
def out(monkeypatch: pytest.MonkeyPatch) -> NarrowStdout:
    return NarrowStdout(monkeypatch)


def test_a_reply_is_printed_with_question_marks(
    loopback: Any, tmp_path: Path, out: NarrowStdout, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ask(loopback, tmp_path, out) == 0
    assert out.take() == b"Caf? ? ok\n"
    assert capsys.readouterr().err == ""


def test_json_lines_escape_and_stay_exact(
    loopback: Any, tmp_path: Path, out: NarrowStdout, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ask(loopback, tmp_path, out, "--json") == 0
    lines = [json.loads(line) for line in out.take().decode("ascii").splitlines()]
    completed = [line for line in lines if line["type"] == "response_completed"]
    assert completed[0]["text"] == REPLY
    assert capsys.readouterr().err == ""


def test_sessions_commands_print_what_they_can(
    loopback: Any, tmp_path: Path, out: NarrowStdout
) -> None:
    assert ask(loopback, tmp_path, out) == 0
    out.take()
    data = ["--data-dir", str(tmp_path)]
    assert out.run("sessions", "search", "Café", *data) == 0
    assert b"\xc2\xab" not in out.take()  # the marks too became "?"
    assert out.run("sessions", "search", "ok", "--json", *data) == 0
    assert json.loads(out.take())[0]["snippet"] == "Café 😀 «ok»"
    assert out.run("sessions", "list", "--json", *data) == 0
    session_id = json.loads(out.take())[0]["id"]
    assert out.run("sessions", "export", session_id, "--format", "json", *data) == 0
    assert json.loads(out.take())["items"][1]["text"] == REPLY
    assert out.run("sessions", "export", session_id, *data) == 0
    assert b"Caf? ? ok" in out.take()


def test_a_latin_1_stdout_keeps_what_it_can_encode(
    loopback: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    latin = NarrowStdout(monkeypatch, "latin-1")
    assert ask(loopback, tmp_path, latin) == 0
    assert latin.take() == "Café ? ok\n".encode("latin-1")
