"""LLMX_TUI_LOG=debug logs each request (URL, headers, JSON body) and never a key."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import HttpRequest, Timeouts, Transport
from tests.loopback import openai_text_stream

KEY = "sk-debug-log-secret-1234"


def _command() -> list[str]:
    exe = Path(sys.executable).with_name("llmx-tui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "llmx_tui"]


def test_debug_log_has_the_request_body_and_never_the_key(loopback: Any, tmp_path: Path) -> None:
    loopback.add_stream(openai_text_stream("hello"))
    env = {**os.environ, "LLMX_TUI_LOG": "debug", "MY_KEY": KEY}
    done = subprocess.run(
        [
            *_command(),
            "--print",
            "say the magic words",
            "--base-url",
            loopback.base_url,
            "--model",
            "m",
            "--api-key-env",
            "MY_KEY",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert loopback.requests[0].headers["authorization"] == f"Bearer {KEY}"
    log = (tmp_path / "llmx-tui.log").read_text()
    line = next(line for line in log.splitlines() if "POST " in line)
    assert loopback.base_url + "/chat/completions" in line
    body = json.loads(line.partition(" body=")[2])
    assert body["model"] == "m"
    assert body["messages"][-1]["content"] == "say the magic words"
    assert '"authorization": "[redacted]"' in line
    assert KEY not in log


async def test_url_key_and_custom_header_secrets_are_redacted(
    loopback: Any, caplog: pytest.LogCaptureFixture
) -> None:
    loopback.add_stream(openai_text_stream("ok"))
    request = HttpRequest(
        url=loopback.base_url + f"/models/g:streamGenerateContent?alt=sse&key={KEY}",
        headers={"accept": "text/event-stream", "x-goog-api-key": KEY, "x-team-token": "tok-9"},
        body={"contents": [{"parts": [{"text": f"echo {KEY} \x1b[2J"}]}]},
        secrets=(KEY,),
    )
    transport = Transport(httpx.AsyncClient(), timeouts=Timeouts(idle=5.0))
    with caplog.at_level(logging.DEBUG, logger="llmx_tui.providers.transport"):
        await transport.stream(request, OpenAIChatParser(), lambda event: None)
    text = caplog.text
    assert "?alt=sse&key=[redacted]" in text
    assert '"accept": "text/event-stream"' in text
    assert KEY not in text and "tok-9" not in text
    assert "\x1b" not in text and "\\u001b[2J" in text


async def test_nothing_is_logged_below_debug(
    loopback: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback.add_stream(openai_text_stream("ok"))
    logged: list[HttpRequest] = []
    monkeypatch.setattr("llmx_tui.providers.transport._log_request", logged.append)
    request = HttpRequest(url=loopback.base_url + "/chat/completions", headers={}, body={})
    with caplog.at_level(logging.INFO, logger="llmx_tui"):
        await Transport(httpx.AsyncClient()).stream(request, OpenAIChatParser(), lambda e: None)
    assert not logged and "POST" not in caplog.text


def test_a_password_in_the_url_is_redacted() -> None:
    from llmx_tui.providers.transport import _loggable_url

    logged = _loggable_url("https://user:s3cr3t@proxy.example:8443/v1/chat/completions?alt=sse")
    assert "s3cr3t" not in logged and "user" not in logged
    assert logged == "https://[redacted]@proxy.example:8443/v1/chat/completions?alt=sse"
    assert _loggable_url("https://host/v1/x@y") == "https://host/v1/x@y"  # an @ in the path
