"""``--continue`` goes on with the latest session of its kind: without --demo the latest
real one, with --demo the latest demo one. It took the latest of any kind, so after a
look at the demo, ``--continue`` sent the scripted conversation to a real provider."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.loopback import openai_text_stream

pytestmark = pytest.mark.timeout(60)


def imported(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, demo: bool) -> str:
    source = tmp_path / f"{text}.json"
    session = {
        "format": "llmx-tui.session/1",
        "title": text,
        "demo": demo,
        "items": [
            {"type": "user_message", "text": text},
            {"type": "assistant_message", "text": f"reply to {text}"},
        ],
    }
    source.write_text(json.dumps(session))
    assert main(["sessions", "import", str(source), "--data-dir", str(tmp_path)]) == 0
    return capsys.readouterr().out.strip()


def item_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    assert main(["sessions", "list", "--json", "--data-dir", str(tmp_path)]) == 0
    return {info["id"]: info["item_count"] for info in json.loads(capsys.readouterr().out)}


def real_turn(loopback: Any, tmp_path: Path, *extra: str) -> list[str]:
    return [
        "--print",
        "and then?",
        "--provider",
        "openai",
        "--base-url",
        loopback.base_url,
        "--model",
        "m",
        "--no-tools",
        "--data-dir",
        str(tmp_path),
        *extra,
    ]


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")


def test_without_demo_the_latest_real_session_goes_on(
    loopback: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: None
) -> None:
    real = imported(tmp_path, capsys, "real question", demo=False)
    demo = imported(tmp_path, capsys, "demo question", demo=True)  # the newer one
    loopback.add_stream(openai_text_stream("Real answer."))
    assert main(real_turn(loopback, tmp_path, "--continue")) == 0
    assert capsys.readouterr().out == "Real answer.\n"
    [request] = loopback.requests
    sent = json.dumps(request.json()["messages"])
    assert "real question" in sent and "demo question" not in sent
    assert item_counts(tmp_path, capsys) == {real: 4, demo: 2}


def test_with_demo_the_latest_demo_session_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = imported(tmp_path, capsys, "demo question", demo=True)
    real = imported(tmp_path, capsys, "real question", demo=False)  # the newer one
    argv = ["--demo", "--continue", "--print", "more", "--data-dir", str(tmp_path)]
    assert main([*argv, "--no-tools"]) == 0
    capsys.readouterr()
    counts = item_counts(tmp_path, capsys)
    assert counts[real] == 2 and counts[demo] > 2


def test_only_demo_sessions_and_no_demo_flag_says_how_to_continue_them(
    loopback: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: None
) -> None:
    imported(tmp_path, capsys, "demo question", demo=True)
    assert main(real_turn(loopback, tmp_path, "--continue")) == 1
    assert capsys.readouterr().err == (
        "llmx-tui: error: there is no saved session to continue (only demo sessions: "
        "llmx-tui --demo --continue goes on with the latest of those)\n"
    )
    assert loopback.requests == []


def test_only_real_sessions_and_the_demo_flag_says_there_is_no_demo_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(tmp_path, capsys, "real question", demo=False)
    argv = ["--demo", "--continue", "--print", "more", "--data-dir", str(tmp_path)]
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        "llmx-tui: error: there is no saved demo session to continue\n"
    )


def test_no_session_at_all_is_said_as_before(
    loopback: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: None
) -> None:
    assert main(real_turn(loopback, tmp_path, "--continue")) == 1
    assert capsys.readouterr().err == "llmx-tui: error: there is no saved session to continue\n"
