"""The crash test of issue 4: SIGKILL `llmx-tui --print` mid-reply; the partial reply
is in the export, and `--resume` continues the session with it in the payload."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.store.sqlite import SessionStore
from tests.loopback import Reply, openai_text_stream

pytestmark = pytest.mark.timeout(90)

WORDS = "".join(f"w{n:04d} " for n in range(3000))


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("llmx-tui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "llmx_tui"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args], capture_output=True, text=True, timeout=60, check=False
    )


def _wait_for_draft(db: Path, printed: str) -> None:
    """Until the checkpoint holds at least what the process has printed."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if db.exists():
            with SessionStore.open(db) as store:
                sessions = store.list_sessions()
                draft = store.get_draft(sessions[0].id) if sessions else None
            if draft is not None and draft.text.startswith(printed):
                return
        time.sleep(0.05)
    raise AssertionError("the streaming reply was never checkpointed")


def test_sigkill_mid_reply_loses_nothing_checkpointed_and_resume_continues(
    loopback: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    loopback.add(Reply(body=openai_text_stream(WORDS, pieces=3000), chunk_size=60, delay=0.01))
    proc = subprocess.Popen(
        [
            *_command(),
            "--print",
            "count",
            "--base-url",
            loopback.base_url,
            "--model",
            "m",
            "--data-dir",
            str(data),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        printed = b""
        while len(printed) < 300:
            chunk = os.read(proc.stdout.fileno(), 4096)
            assert chunk, proc.stderr.read() if proc.stderr else "no output"
            printed += chunk
        _wait_for_draft(data / "history.db", printed.decode())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    listing = _run("sessions", "list", "--json", "--data-dir", str(data))
    assert listing.returncode == 0, listing.stderr
    [session] = json.loads(listing.stdout)
    exported = _run(
        "sessions", "export", session["id"][:8], "--format", "json", "--data-dir", str(data)
    )
    assert exported.returncode == 0, exported.stderr
    items = json.loads(exported.stdout)["items"]
    assert [item["type"] for item in items] == ["user_message", "assistant_message", "error"]
    partial = items[1]["text"]
    assert partial.startswith(printed.decode()) and WORDS.startswith(partial)
    assert len(partial) < len(WORDS) and items[2]["kind"] == "interrupted"

    loopback.add_stream(openai_text_stream("Continuing from w0100.", pieces=2))
    resumed = _run(
        "--resume",
        session["id"][:6],
        "--print",
        "go on",
        "--base-url",
        loopback.base_url,
        "--model",
        "m",
        "--data-dir",
        str(data),
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "Continuing from w0100." in resumed.stdout
    messages = loopback.requests[-1].json()["messages"]
    assert [m["role"] for m in messages if m["role"] != "system"] == ["user", "assistant", "user"]
    assert messages[-2]["content"] == partial
    assert messages[-1]["content"] == "go on"

    markdown = _run("sessions", "export", session["id"], "--format", "md", "--data-dir", str(data))
    assert markdown.returncode == 0, markdown.stderr
    assert partial in markdown.stdout and "interrupted" in markdown.stdout
    assert markdown.stdout.index(partial) < markdown.stdout.index("Continuing from w0100.")
    with SessionStore.open(data / "history.db") as store:
        assert store.get_draft(session["id"]) is None
        kinds = [item.type for item in store.load_items(session["id"])]
    assert kinds == [
        "user_message",
        "assistant_message",
        "error",
        "user_message",
        "assistant_message",
    ]
