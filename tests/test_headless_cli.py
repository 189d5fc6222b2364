"""The headless contract through the real command: every corpus stream, errors, tools, Ctrl-C."""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from tests.conftest import CORPUS
from tests.loopback import Reply, openai_text_stream, openai_tool_call_stream
from tests.test_conformance import expected_usage

STREAMS = sorted(CORPUS.glob("*.sse"))
PROVIDER_FLAGS = {
    "openai-chat": [],
    "anthropic": ["--provider", "anthropic"],
    "gemini": ["--provider", "gemini"],
}


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-key-123")
    monkeypatch.setenv("GEMINI_API_KEY", "gm-fake-key-456")


@pytest.mark.usefixtures("fake_keys")
@pytest.mark.parametrize("path", STREAMS, ids=lambda p: p.stem)
def test_json_response_completed_matches_every_corpus_stream(
    loopback: Any, capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    dialect = expected["dialect"]
    loopback.add_corpus(path, chunk_size=97)
    code, out, err = run_cli(
        capsys,
        "--print",
        "hi",
        "--json",
        "--base-url",
        loopback.base_url,
        "--model",
        "m",
        "--max-steps",
        "1",
        *PROVIDER_FLAGS[dialect],
    )
    lines = json_lines(out)
    assert len(loopback.requests) == 1, err
    if expected["error"]:
        [failed] = [line for line in lines if line["type"] == "turn_failed"]
        assert failed["error"]["message"] == expected["error"]
        assert failed["partial_text"] == expected["text"]
        assert code == 1 and expected["error"] in err
        return
    [completed] = [line for line in lines if line["type"] == "response_completed"]
    assert completed["text"] == expected["text"] or (
        completed["text"] == expected.get("refusal") and not expected["text"]
    )
    assert completed["reasoning"] == expected["reasoning"]
    assert completed["finish_reason"] == expected["finish_reason"]
    calls = completed["tool_calls"]
    assert [c["name"] for c in calls] == [c["name"] for c in expected["tool_calls"]]
    for got, want in zip(calls, expected["tool_calls"], strict=True):
        if want["id"]:
            assert got["id"] == want["id"]
        else:
            assert got["id"]  # one is made up so that outputs can be paired
        if dialect == "gemini":
            assert json.loads(got["arguments"]) == json.loads(want["arguments"])
        else:
            assert got["arguments"] == want["arguments"]
    usage = expected_usage(dialect, expected["usage"], path.read_text(encoding="utf-8"))
    assert completed["usage"] == usage.counts()
    # Usage lines: what changed once a response part finished (Anthropic's start and end),
    # never one per chunk, though Gemini resends its usage on every chunk.
    usage_lines = [line for line in lines if line["type"] == "usage"]
    assert len(usage_lines) <= 2
    if usage_lines:
        assert {k: v for k, v in usage_lines[-1].items() if k != "type"} == usage.counts()
    text_deltas = "".join(line["text"] for line in lines if line["type"] == "text_delta")
    assert text_deltas == expected["text"]
    assert code == (1 if calls else 0)  # tool calls at --max-steps 1: reported, not run


def test_text_mode_streams_the_reply_to_stdout(
    loopback: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.add_stream(openai_text_stream("Hello from the loopback.", pieces=4))
    code, out, _err = run_cli(
        capsys, "--print", "hi", "--base-url", loopback.base_url, "--model", "m"
    )
    assert code == 0
    assert out == "Hello from the loopback.\n"


def test_the_collector_rests_while_the_turn_runs_and_is_on_again_after(
    loopback: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As in the app: no cyclic collection while the payload is built and the reply read."""
    from llmx_tui.providers.transport import Transport

    enabled_while_streaming: list[bool] = []
    stream = Transport.stream

    async def recording_stream(self: Transport, *args: Any, **kwargs: Any) -> Any:
        enabled_while_streaming.append(gc.isenabled())
        return await stream(self, *args, **kwargs)

    monkeypatch.setattr(Transport, "stream", recording_stream)
    loopback.add_stream(openai_text_stream("Hello."))
    gc.enable()
    try:
        code, out, _err = run_cli(
            capsys, "--print", "hi", "--base-url", loopback.base_url, "--model", "m"
        )
        assert (code, out) == (0, "Hello.\n")
        assert enabled_while_streaming == [False]
        assert gc.isenabled()
    finally:
        gc.enable()


def test_no_tools_declares_no_tools_and_max_steps_default_sends_tools(
    loopback: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback.add_stream(openai_text_stream("a"))
    loopback.add_stream(openai_text_stream("b"))
    base = ["--print", "hi", "--base-url", loopback.base_url, "--model", "m"]
    assert run_cli(capsys, *base, "--no-tools")[0] == 0
    assert run_cli(capsys, *base)[0] == 0
    assert "tools" not in loopback.requests[0].json()
    names = {t["function"]["name"] for t in loopback.requests[1].json()["tools"]}
    assert {"read_file", "list_directory", "search_text", "write_file", "run_shell"} <= names


def test_tool_loop_runs_read_only_tool_and_denies_writes_without_yes(
    loopback: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("the secret word is pelican\n")
    loopback.add_stream(openai_tool_call_stream("c1", "read_file", '{"path": "notes.txt"}'))
    loopback.add_stream(
        openai_tool_call_stream("c2", "write_file", '{"path": "out.txt", "content": "x"}')
    )
    loopback.add_stream(openai_text_stream("pelican, and I could not write."))
    code, out, _err = run_cli(
        capsys, "--print", "go", "--json", "--base-url", loopback.base_url, "--model", "m"
    )
    assert code == 0
    results = [line for line in json_lines(out) if line["type"] == "tool_result"]
    assert results[0]["status"] == "done" and "pelican" in results[0]["output"]
    assert results[1]["status"] == "denied"
    assert not (tmp_path / "out.txt").exists()
    last = loopback.requests[2].json()["messages"]
    assert "pelican" in last[-3]["content"] and "denied" in last[-1]["content"]


def _script_a_write(loopback: Any, content: str, *, reply: str) -> None:
    """The model asks to write ``content`` to out.txt, then replies ``reply``."""
    arguments = json.dumps({"path": "out.txt", "content": content})
    loopback.add_stream(openai_tool_call_stream("c1", "write_file", arguments))
    loopback.add_stream(openai_text_stream(reply))


def test_a_denied_call_says_that_yes_would_let_it_run(
    loopback: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    _script_a_write(loopback, "x", reply="I could not write.")
    code, out, err = run_cli(
        capsys, "--print", "go", "--base-url", loopback.base_url, "--model", "m"
    )
    assert (code, out) == (0, "I could not write.\n")
    assert (
        err.splitlines()[1]
        == "[llmx-tui] tool write_file: denied (it asks first; --yes lets it run)"
    )
    assert not (tmp_path / "out.txt").exists()


def test_yes_approves_writes(
    loopback: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    _script_a_write(loopback, "written", reply="done")
    code, _, _ = run_cli(
        capsys, "--print", "go", "--yes", "--base-url", loopback.base_url, "--model", "m"
    )
    assert code == 0
    assert (tmp_path / "out.txt").read_text() == "written"


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["--provider", "nope"], {}, "unknown provider 'nope'"),
        (["--provider", "anthropic"], {}, "ANTHROPIC_API_KEY"),
        (["--provider", "openai"], {}, "OPENAI_API_KEY"),
        (
            ["--base-url", "http://127.0.0.1:9/v1", "--model", "m"],
            {},
            "could not connect to 127.0.0.1:9",
        ),
        (
            ["--api-key-env", "MY_MISSING_KEY", "--base-url", "http://127.0.0.1:9/v1"],
            {},
            "MY_MISSING_KEY",
        ),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_1(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    needle: str,
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, _out, err = run_cli(capsys, "--print", "hi", *args)
    assert code == 1
    [error_line] = [line for line in err.splitlines() if line.startswith("llmx-tui: error:")]
    assert needle in error_line and "Traceback" not in err


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (
            Reply(status=400, body=b"this is not json", content_type="text/plain"),
            "HTTP 400 Bad Request from 127.0.0.1",
        ),
        (
            Reply(
                status=403,
                body=b"<html><head><title>Access denied by proxy</title></head>"
                b"<body>...</body></html>",
                content_type="text/html",
            ),
            "Access denied by proxy",
        ),
        (
            Reply(
                status=401,
                body=b'{"error":{"message":"Invalid API key"}}',
                content_type="application/json",
            ),
            "Invalid API key",
        ),
    ],
)
def test_error_bodies_become_one_line(
    loopback: Any, capsys: pytest.CaptureFixture[str], reply: Reply, needle: str
) -> None:
    loopback.add(reply)
    code, _out, err = run_cli(
        capsys, "--print", "hi", "--base-url", loopback.base_url, "--model", "m"
    )
    assert code == 1 and needle in err and err.count("\n") == 1


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("llmx-tui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "llmx_tui"]


def test_real_command_prints_response_completed(loopback: Any, tmp_path: Path) -> None:
    loopback.add_corpus(CORPUS / "openai-chat__deepseek-reasoning-content__pydantic-ai.sse")
    done = subprocess.run(
        [
            *_command(),
            "--print",
            "hi",
            "--json",
            "--base-url",
            loopback.base_url,
            "--model",
            "m",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = json_lines(done.stdout)
    [completed] = [line for line in lines if line["type"] == "response_completed"]
    expected = json.loads(
        (CORPUS / "openai-chat__deepseek-reasoning-content__pydantic-ai.expected.json").read_text()
    )
    assert completed["text"] == expected["text"]
    assert completed["reasoning"] == expected["reasoning"]
    assert (tmp_path / "history.db").exists()


def test_real_command_ctrl_c_exits_130_and_keeps_partial(loopback: Any, tmp_path: Path) -> None:
    loopback.add(
        Reply(body=openai_text_stream("tick " * 2000, pieces=2000), chunk_size=60, delay=0.01)
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
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
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.read(5)
    assert first == b"tick "
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert (first + out).startswith(b"tick tick")


def test_real_command_ctrl_c_while_a_prompt_is_typed_on_stdin_exits_130(
    loopback: Any, tmp_path: Path
) -> None:
    """``llmx-tui --print -`` at a terminal: it says how to end the prompt, and Ctrl-C
    before the end stops it at once (it was ignored until Ctrl-D), sending nothing."""
    import pty

    keyboard, terminal = pty.openpty()
    command = [*_command(), "--print", "-", "--base-url", loopback.base_url, "--model", "m"]
    proc = subprocess.Popen(
        [*command, "--data-dir", str(tmp_path)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    try:
        assert proc.stderr is not None
        assert select.select([proc.stderr], [], [], 10)[0], "no word on stderr"
        hint = proc.stderr.readline()
        assert hint == b"llmx-tui: reading the prompt from stdin; end it with Ctrl-D\n"
        os.write(keyboard, b"half a prom")
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
        os.close(keyboard)
    assert proc.returncode == 130 and (out, err) == (b"", b"")
    assert loopback.requests == []


def test_real_command_stops_quietly_when_the_reader_closes_stdout(
    loopback: Any, tmp_path: Path
) -> None:
    """``llmx-tui --print ... | head``: the turn stops, what came is saved (cancelled), no
    traceback, and the status is a closed pipe's (141)."""
    loopback.add(
        Reply(body=openai_text_stream("tock " * 2000, pieces=2000), chunk_size=60, delay=0.01)
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [*_command(), "--print", "count", "--base-url", loopback.base_url]
    proc = subprocess.Popen(
        [*command, "--model", "m", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(5) == b"tock "
    proc.stdout.close()  # the reader leaves, as head does
    err = proc.stderr.read()
    assert proc.wait(timeout=30) == 141, err
    assert b"Traceback" not in err and b"Broken pipe" not in err
    session = main_sessions_show(tmp_path)
    assert "cancelled" in session and "tock tock" in session  # stopped, what came is kept


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_real_command_reports_a_full_disk_in_one_line_and_stops_the_turn(
    loopback: Any, tmp_path: Path
) -> None:
    """``llmx-tui --print ... > file`` on a full disk: one line and exit 1, not a traceback
    once the reply has streamed to its end; the turn stops at once, saved as cancelled."""
    loopback.add(
        Reply(body=openai_text_stream("tock " * 2000, pieces=2000), chunk_size=60, delay=0.01)
    )
    command = [*_command(), "--print", "count", "--base-url", loopback.base_url]
    with open("/dev/full", "w") as full:
        started = time.monotonic()
        done = subprocess.run(
            [*command, "--model", "m", "--data-dir", str(tmp_path)],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert done.returncode == 1, done.stderr
    assert done.stderr == b"llmx-tui: error: cannot write to stdout: No space left on device\n"
    assert time.monotonic() - started < 10  # the whole stream takes about 20 s
    assert "cancelled" in main_sessions_show(tmp_path)


def main_sessions_show(data_dir: Path) -> str:
    listing = subprocess.run(
        [*_command(), "sessions", "list", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    session_id = listing.stdout.split()[0]
    shown = subprocess.run(
        [*_command(), "sessions", "show", session_id, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout


def test_sessions_command_stops_quietly_when_the_reader_closes_stdout(tmp_path: Path) -> None:
    from llmx_tui.core.items import AssistantMessage, UserMessage
    from llmx_tui.paths import history_db_path
    from llmx_tui.store.sqlite import SessionStore

    with SessionStore.open(history_db_path(str(tmp_path))) as store:
        for n in range(300):
            session_id = store.create_session(title=f"talk {n}", provider="p", model="m")
            store.append_items(session_id, [UserMessage(text="q"), AssistantMessage(text="a")])
    proc = subprocess.Popen(
        [*_command(), "sessions", "list", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(8)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=30) in (0, 141), err  # 0 when it had written everything already
    assert err == b""


def test_debug_log_records_skipped_data_without_keys(
    loopback: Any,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    monkeypatch.setenv("LLMX_TUI_LOG", "debug")
    monkeypatch.setenv("SECRET_TEST_KEY", "sk-do-not-log-me")
    body = b"data: {not json\n\n" + openai_text_stream("fine")
    loopback.add(Reply(body=body))
    try:
        code, out, _ = run_cli(
            capsys,
            "--print",
            "hi",
            "--base-url",
            loopback.base_url,
            "--model",
            "m",
            "--api-key-env",
            "SECRET_TEST_KEY",
            "--data-dir",
            str(tmp_path),
        )
    finally:
        for handler in logging.getLogger("llmx_tui").handlers[:]:
            handler.close()
            logging.getLogger("llmx_tui").removeHandler(handler)
    assert code == 0 and out == "fine\n"
    log = (tmp_path / "llmx-tui.log").read_text()
    assert "{not json" in log
    assert "sk-do-not-log-me" not in log
